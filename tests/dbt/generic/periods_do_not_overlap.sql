{#- Reference data: the periods [valid_from, valid_to) of each `key` neither overlap nor run
    backwards. Returns the key and the dates of each offending period (reference data hold
    no patient data, so the end-of-run report may show them). -#}
{% test periods_do_not_overlap(model, key, valid_from='valid_from', valid_to='valid_to') %}
with

periods as (
    select
        {{ key }} as period_key,
        {{ valid_from }} as period_from,
        {{ valid_to }} as period_to,
        lead({{ valid_from }}) over (partition by {{ key }} order by {{ valid_from }}) as next_from
    from {{ model }}
)

select
    period_key,
    period_from,
    period_to,
    next_from
from periods
where
    (period_to is not null and period_to <= period_from)
    or (next_from is not null and (period_to is null or period_to > next_from))
    or next_from = period_from
{% endtest %}
