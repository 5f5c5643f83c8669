{#- A floating-point rate rounded to `places` decimal places, half away from zero, as a
    decimal (PostgreSQL rounds only numerics, so it converts first). -#}
{% macro round_rate(rate, places) %}
    {{- return(adapter.dispatch('round_rate')(rate, places)) -}}
{% endmacro %}

{% macro default__round_rate(rate, places) -%}
    cast(round({{ rate }}, {{ places }}) as decimal(18, {{ places }}))
{%- endmacro %}

{% macro postgres__round_rate(rate, places) -%}
    cast(round(cast({{ rate }} as numeric), {{ places }}) as decimal(18, {{ places }}))
{%- endmacro %}
