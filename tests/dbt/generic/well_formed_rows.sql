{#- A model's keys and required columns in one test (one dbt node per model, not one per
    column: each node costs a query and dbt's own work on every build): no null in the
    `not_null` columns; no value twice in each `unique` column (nulls aside, as dbt's
    `unique`); the combination of the `unique_combination` columns identifies one row (nulls
    alike). Returns one row per broken check: what is broken and how many rows or keys, never
    a value, so the end-of-run report shows no NHS number. Columns are quoted, so upper-case
    names (the publication's headers) work on every engine. -#}
{% test well_formed_rows(model, not_null=[], unique=[], unique_combination=[]) %}
    {%- set checks = [] -%}
    {%- for column in not_null -%}
        {%- do checks.append(["null " ~ column, "select " ~ adapter.quote(column) ~ " as checked from " ~ model
            ~ " where " ~ adapter.quote(column) ~ " is null"]) -%}
    {%- endfor -%}
    {%- for column in unique -%}
        {%- do checks.append(["duplicate " ~ column, "select " ~ adapter.quote(column) ~ " as checked from " ~ model
            ~ " where " ~ adapter.quote(column) ~ " is not null group by " ~ adapter.quote(column)
            ~ " having count(*) > 1"]) -%}
    {%- endfor -%}
    {%- if unique_combination -%}
        {%- set quoted = [] -%}
        {%- for column in unique_combination -%}{%- do quoted.append(adapter.quote(column)) -%}{%- endfor -%}
        {%- do checks.append(["duplicate (" ~ unique_combination | join(", ") ~ ")", "select " ~ quoted | join(", ")
            ~ " from " ~ model ~ " group by " ~ quoted | join(", ") ~ " having count(*) > 1"]) -%}
    {%- endif %}
with

checks as (
    {%- for failure, query in checks %}
    select
        '{{ failure }}' as failure,
        count(*) as failing
    from ({{ query }}) as failing_{{ loop.index }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    failure,
    failing
from checks
where failing > 0
{% endtest %}
