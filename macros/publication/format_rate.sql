{#- SPEC §7: a rate with one decimal place, as text (England figures: never suppressed). -#}
{% macro format_rate(rate) -%}
    cast(cast(round({{ rate }}, 1) as decimal(18, 1)) as varchar)
{%- endmacro %}
