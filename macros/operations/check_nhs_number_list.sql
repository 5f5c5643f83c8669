{#- "Check for National Data Opt-outs": given a CSV with a header row and a column of NHS
    numbers, write the rows that may be used to `output_csv` (every column as given) and
    log the counts: rows read, invalid or missing numbers, opted out, usable. Each row is
    judged on its own; a bad number never fails the file. Numbers are never logged.

    dbt run-operation check_nhs_number_list --args '{input_csv: in.csv, output_csv: out.csv}'
-#}
{% macro check_nhs_number_list(input_csv, output_csv, nhs_number_column='nhs_number', as_of=none) %}
    {%- set listed = api.Relation.create(identifier='checked_list').quote(identifier=false) -%}
    {%- do run_query('create or replace temp view checked_list as select * from ' ~ read_csv_as_text(input_csv)) -%}
    {%- set column = quoted_column(nhs_number_column, 'check_nhs_number_list') -%}
    {%- set normalised = normalise_nhs_number('listed.' ~ column) -%}
    {%- set usable = apply_opt_outs(listed, nhs_number_column=nhs_number_column, as_of=as_of) -%}
    {%- set counts = run_query(
        "select count(*), count(*) filter (where not " ~ is_valid_nhs_number(normalised) ~ "), "
        ~ "(select count(*) from (" ~ usable ~ ") as usable_rows) "
        ~ "from " ~ listed ~ " as listed"
    ) -%}
    {%- set total = counts.columns[0].values()[0] -%}
    {%- set invalid = counts.columns[1].values()[0] -%}
    {%- set kept = counts.columns[2].values()[0] -%}
    {%- do run_query("copy (" ~ usable ~ ") to " ~ sql_string_literal(output_csv) ~ " (header, delimiter ',')") -%}
    {%- do log("check_nhs_number_list: " ~ total ~ " rows read, " ~ invalid ~ " with a missing or invalid NHS number, "
        ~ (total - invalid - kept) ~ " opted out, " ~ kept ~ " may be used -> " ~ output_csv, info=True) -%}
{% endmacro %}
