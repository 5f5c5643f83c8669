{#- R8: whether a status_decision_key belongs to an opt-out (null stays null). -#}
{% macro decision_is_opt_out(key) -%}
    ({{ key }} % 2 = 1)
{%- endmacro %}
