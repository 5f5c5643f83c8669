{#- An expression (text) that stops the query with `message` when a row reaches it. -#}
{% macro raise_error(message) %}
    {{- return(adapter.dispatch('raise_error')(message)) -}}
{% endmacro %}

{% macro default__raise_error(message) -%}
    cast(error({{ sql_string_literal(message) }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__raise_error(message) -%}
    cast(raise_error({{ sql_string_literal(message) }}) as {{ dbt.type_string() }})
{%- endmacro %}

{#- The function is created by create_engine_functions at the start of every run. -#}
{% macro postgres__raise_error(message) -%}
    {{ adapter.quote(target.schema) }}.opt_out_raise_error({{ sql_string_literal(message) }})
{%- endmacro %}
