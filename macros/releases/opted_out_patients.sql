{#- R15/R8: a select of the NHS numbers opted out (Type 2) as known at `as_of`
    ('YYYY-MM-DD'); none means the current record (R9). Reads the published (checked)
    record, never the marts being rebuilt; "as known at as_of" is period_covers. With
    changed NHS numbers (SPEC §9) every superseded number of an opted-out patient's chain
    is theirs too (published_nhs_number_links), whenever the link was received. -#}
{% macro opted_out_patients(as_of=none) -%}
    {%- if as_of is none -%}
        select nhs_number from {{ ref('published_current_opt_outs') }}
    {%- else -%}
        select distinct periods.nhs_number
        from {{ ref('published_opt_out_periods') }} as periods
        where {{ period_covers('periods', "cast('" ~ validated_as_of(as_of) ~ "' as date)") }}
    {%- endif %}
        union
        select links.nhs_number
        from {{ ref('published_nhs_number_links') }} as links
        where links.patient_number in (
    {%- if as_of is none %}
            select current_record.nhs_number from {{ ref('published_current_opt_outs') }} as current_record
    {%- else %}
            select periods.nhs_number
            from {{ ref('published_opt_out_periods') }} as periods
            where {{ period_covers('periods', "cast('" ~ validated_as_of(as_of) ~ "' as date)") }}
    {%- endif %}
        )
{%- endmacro %}
