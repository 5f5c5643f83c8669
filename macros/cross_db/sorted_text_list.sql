{#- The values of text `expression` over a group, sorted and joined with ', '. -#}
{% macro sorted_text_list(expression) %}
    {{- return(adapter.dispatch('sorted_text_list')(expression)) -}}
{% endmacro %}

{% macro default__sorted_text_list(expression) -%}
    string_agg({{ expression }}, ', ' order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_text_list(expression) -%}
    concat_ws(', ', array_sort(collect_list({{ expression }})))
{%- endmacro %}
