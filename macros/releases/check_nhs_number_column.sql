{#- R15: the NHS number column of a release's input exists and holds text or whole numbers
    (datasets in the wild often keep NHS numbers as integers: both work). Anything else —
    a date, a decimal — is one sentence naming the column and its type, not an engine's
    error deep in the release. Checked when the input exists: not in a unit test, whose input
    is a fixture (a CTE that is no relation: asking Spark's catalogue about it logs an error). -#}
{% macro check_nhs_number_column(relation, name) %}
    {%- if not execute or (relation.identifier is string and relation.identifier.startswith('__dbt__cte__')) -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) -%}
    {%- if columns | length == 0 -%}{{ return([]) }}{%- endif -%}
    {%- set matching = columns | selectattr('name', 'equalto', name) | list -%}
    {%- if not matching -%}
        {{ exceptions.raise_compiler_error("apply_opt_outs: " ~ relation ~ " has no column '" ~ name
            ~ "' (its columns: " ~ columns | map(attribute='name') | join(', ') ~ ")") }}
    {%- endif -%}
    {%- set data_type = matching[0].data_type | lower -%}
    {%- if not modules.re.search('char|text|string|int', data_type) -%}
        {{ exceptions.raise_compiler_error("apply_opt_outs: column '" ~ name ~ "' of " ~ relation ~ " is "
            ~ data_type ~ "; NHS numbers must be held as text or as whole numbers") }}
    {%- endif -%}
    {{ return(columns | map(attribute='name') | list) }}
{% endmacro %}
