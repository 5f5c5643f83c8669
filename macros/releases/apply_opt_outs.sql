{#- docs/rules.md §4 / R15: a select of `relation`'s columns without any row of a patient opted out
    as known at `as_of` (default: the current record, R9). Matching is on the R1-normalised
    NHS number, by an anti-join (left join ... is null: a hash join, unlike a correlated
    NOT EXISTS, and unlike NOT IN a null in the list never empties the release; the list
    has one row per patient, so no row is repeated). Rows whose NHS number is
    missing or invalid cannot be matched: `exclude` (default) drops them, `keep` keeps them.
    Calling it also records the arguments in the model's meta (`opt_out_release`), which the
    governance check, the release audit and the no_opted_out_patients test read.
    No column of the input, whatever its name, can change which rows are removed (R15): the
    match reads only the named column, through the table alias, and any helper column the
    engine's select adds is named so that it differs from every column of the input. -#}
{% macro apply_opt_outs(relation, nhs_number_column='nhs_number', as_of=none, rows_without_nhs_number='exclude') %}
    {%- if rows_without_nhs_number not in ['exclude', 'keep'] -%}
        {{ exceptions.raise_compiler_error(
            "apply_opt_outs: rows_without_nhs_number must be 'exclude' or 'keep', got '"
            ~ rows_without_nhs_number ~ "'") }}
    {%- endif -%}
    {%- if relation is string or relation.identifier is not defined -%}
        {{ exceptions.raise_compiler_error(
            "apply_opt_outs: the first argument must be a relation (ref(...) or source(...)), got '"
            ~ relation ~ "'") }}
    {%- endif -%}
    {%- set column = quoted_column(nhs_number_column) -%}
    {%- set input_columns = check_nhs_number_column(relation, nhs_number_column) -%}
    {%- set as_of = validated_as_of(as_of) if as_of is not none else none -%}
    {#- config is there for models, not in an inline compile (python -m opt_out_io check-list). -#}
    {%- if config is defined and config is callable -%}
    {%- do check_published_record_in_step(relation) -%}
    {%- do config({'meta': {'opt_out_release': {
        'nhs_number_column': nhs_number_column,
        'as_of': as_of,
        'rows_without_nhs_number': rows_without_nhs_number,
    }}}) -%}
    {%- endif -%}
    {{ return(adapter.dispatch('apply_opt_outs_select')(relation, column, as_of, rows_without_nhs_number,
                                                         input_columns)) }}
{% endmacro %}


{#- A helper column name that differs, whatever the case, from every name in `taken`. -#}
{% macro unused_column_name(name, taken) %}
    {%- set lowered = taken | map('lower') | list -%}
    {%- set candidate = namespace(name=name) -%}
    {%- for attempt in range(taken | length + 1) if candidate.name | lower in lowered -%}
        {%- set candidate.name = name ~ '_' ~ (attempt + 1) -%}
    {%- endfor -%}
    {{ return(candidate.name) }}
{% endmacro %}


{#- The select itself: every column of `relation`, the rows of opted-out patients removed,
    matched on the R1-normalised number. -#}
{% macro default__apply_opt_outs_select(relation, column, as_of, rows_without_nhs_number, input_columns=none) %}
select source_rows.*
from {{ relation }} as source_rows
left join ({{ opted_out_patients(as_of) }}) as opted_out
    on {{ normalise_nhs_number('source_rows.' ~ column) }} = opted_out.nhs_number
where
    opted_out.nhs_number is null
    {%- if rows_without_nhs_number == 'exclude' %}
    and {{ is_valid_nhs_number(normalise_nhs_number('source_rows.' ~ column)) }}
    {%- endif %}
{% endmacro %}

{#- DuckDB: the number is normalised and made an integer once per row, in a projection (a
    filter would recompute the expression for every use; measured on 100 M rows), and the
    helper columns are dropped with `exclude`. Their names are chosen against the input's
    columns (unused_column_name); when those are not known at compile time (a unit test's
    fixture, the list check's inline compile) the plain select, which adds none, is used. -#}
{% macro duckdb__apply_opt_outs_select(relation, column, as_of, rows_without_nhs_number, input_columns=none) %}
{%- if not input_columns -%}
{{ default__apply_opt_outs_select(relation, column, as_of, rows_without_nhs_number) }}
{%- else -%}
{%- set normalised_name = unused_column_name('opt_out_nhs_normalised', input_columns) -%}
{%- set normalised = adapter.quote(normalised_name) -%}
{%- set as_bigint = adapter.quote(unused_column_name('opt_out_nhs_as_bigint', input_columns + [normalised_name])) -%}
select release_rows.* exclude ({{ normalised }}, {{ as_bigint }})
from (
    select
        normalised_rows.*,
        {{ nhs_number_as_bigint('normalised_rows.' ~ normalised) }} as {{ as_bigint }}
    from (
        select
            source_rows.*,
            {{ normalise_nhs_number('source_rows.' ~ column) }} as {{ normalised }}
        from {{ relation }} as source_rows
    ) as normalised_rows
) as release_rows
left join ({{ opted_out_patients(as_of) }}) as opted_out
    on release_rows.{{ normalised }} = opted_out.nhs_number
where
    opted_out.nhs_number is null
    {%- if rows_without_nhs_number == 'exclude' %}
    and {{ is_valid_nhs_number('release_rows.' ~ normalised, as_bigint='release_rows.' ~ as_bigint) }}
    {%- endif %}
{%- endif %}
{% endmacro %}
