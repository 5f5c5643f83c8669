{#- An order-independent content hash of `expression` over the rows of a query: md5 of the
    values sorted and joined. -#}
{% macro record_hash(expression) %}
    {{- return(adapter.dispatch('record_hash')(expression)) -}}
{% endmacro %}

{% macro default__record_hash(expression) -%}
    md5(coalesce(string_agg({{ expression }}, ',' order by {{ expression }}), ''))
{%- endmacro %}

{% macro spark__record_hash(expression) -%}
    md5(concat_ws(',', array_sort(collect_list({{ expression }}))))
{%- endmacro %}
