{#- A table written inline: `rows` are SQL tuples such as "('a', 1)", named `alias` with
    `columns`. -#}
{% macro inline_values(rows, alias, columns) %}
    {{- return(adapter.dispatch('inline_values')(rows, alias, columns)) -}}
{% endmacro %}

{% macro default__inline_values(rows, alias, columns) -%}
    (values {{ rows | join(',\n    ') }}) as {{ alias }} ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__inline_values(rows, alias, columns) -%}
    (select * from values {{ rows | join(',\n    ') }} as {{ alias }} ({{ columns | join(', ') }})) as {{ alias }}
{%- endmacro %}
