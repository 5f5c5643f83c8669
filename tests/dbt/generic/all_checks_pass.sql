{#- A checks model (one row per check, with its number of failures) has no failing check.
    Returns the names of the failing checks, never data. -#}
{% test all_checks_pass(model) %}
select
    check_name,
    failures
from {{ model }}
where failures <> 0
{% endtest %}
