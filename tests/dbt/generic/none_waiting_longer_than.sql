{#- docs/rules.md §6: no received change has waited more than `days` days to be applied.
    Returns a count and the oldest receipt, never a number. -#}
{% test none_waiting_longer_than(model, days) %}
select
    count(*) as changes_waiting,
    min(received_at) as waiting_since
from {{ model }}
where days_waiting > {{ days }}
having count(*) > 0
{% endtest %}
