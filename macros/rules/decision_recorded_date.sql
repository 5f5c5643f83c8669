{#- R8: the recorded date of the event a status_decision_key stands for. -#}
{% macro decision_recorded_date(key) -%}
    cast({{ dbt.dateadd('day', integer_divide(key, 2), "cast('1800-01-01' as date)") }} as date)
{%- endmacro %}
