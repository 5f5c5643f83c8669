{#- R8 at any date T, through R10: a patient is opted out as known at T iff one of their
    periods [applied_from, applied_to) covers T (status only changes on received dates).
    The one place "opted out as known at T" is written: releases (R15), attribution (R12)
    and the England count of current opt-outs all use it. -#}
{% macro period_covers(periods, at_date) -%}
    (
        {{ periods }}.applied_from <= {{ at_date }}
        and ({{ periods }}.applied_to is null or {{ periods }}.applied_to > {{ at_date }})
    )
{%- endmacro %}
