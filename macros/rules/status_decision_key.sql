{#- R8: the order in which a patient's events decide their status — the latest recorded
    date wins, and on the same date an opt-out beats a withdrawal. As one integer (days
    since 1800-01-01, twice, plus 1 for an opt-out), so `max()` picks the deciding event
    without depending on how an engine writes a date as text. -#}
{% macro status_decision_key(recorded_date, action) -%}
    (
        {{ dbt.datediff("cast('1800-01-01' as date)", recorded_date, 'day') }} * 2
        + case when {{ action }} = 'opt_out' then 1 else 0 end
    )
{%- endmacro %}
