{#- True when `needle` occurs in `haystack` (null stays null). -#}
{% macro contains_text(haystack, needle) %}
    {{- return(adapter.dispatch('contains_text')(haystack, needle)) -}}
{% endmacro %}

{% macro default__contains_text(haystack, needle) -%}
    (position({{ needle }} in {{ haystack }}) > 0)
{%- endmacro %}

{% macro spark__contains_text(haystack, needle) -%}
    (instr({{ haystack }}, {{ needle }}) > 0)
{%- endmacro %}
