{#- SPEC §9, changed NHS numbers: the number the patient known by the NHS number in
    `column` (of the row aliased in `column`) is known by now — the last number of an applied
    chain of int_nhs_number_patients, or the number itself. Used with a left join of
    int_nhs_number_patients, aliased `links`, on the raw number. -#}
{% macro patient_number(column, links) -%}
    coalesce({{ links }}.patient_number, {{ column }})
{%- endmacro %}

{#- docs/rules.md §7 with changed NHS numbers: a select of every number of every chain
    (superseded and current, before and after) when any number's patient changed since the
    last checked build, none otherwise. Those patients are derived again, whole. -#}
{% macro relinked_numbers() -%}
    select numbers.nhs_number
    from (
        select nhs_number from {{ ref('int_nhs_number_patients') }}
        union
        select patient_number as nhs_number from {{ ref('int_nhs_number_patients') }}
    ) as numbers
    where exists (
        select 1 from {{ ref('int_nhs_number_patients') }}
        where derived_at > {{ last_checked_build_started_at() }}
    )
{%- endmacro %}

{#- Pre-hook of the per-patient derived history (docs/rules.md §7): before an incremental
    build, delete the rows of every superseded number (its events are its patient's now) and
    of every relinked number (derived again, whole, from what the links say now). -#}
{% macro clear_relinked_numbers() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            nhs_number in (
                select nhs_number from {{ ref('int_nhs_number_patients') }}
                where patient_number <> nhs_number
            )
            or nhs_number in ({{ relinked_numbers() }})
    {%- endif -%}
{%- endmacro %}
