{#- R15/R8: a select of the NHS numbers opted out (Type 2) as known at `as_of`
    ('YYYY-MM-DD'); none means the current record (R9). Reads the published (checked)
    record, never the marts being rebuilt. Status only changes on received
    dates, so "as known at as_of" is "inside one of the patient's periods" (R10). -#}
{% macro opted_out_patients(as_of=none) -%}
    {%- if as_of is none -%}
        select nhs_number from {{ ref('published_current_opt_outs') }}
    {%- else -%}
        select distinct nhs_number
        from {{ ref('published_opt_out_periods') }}
        where
            applied_from <= cast('{{ validated_as_of(as_of) }}' as date)
            and (applied_to is null or applied_to > cast('{{ validated_as_of(as_of) }}' as date))
    {%- endif -%}
{%- endmacro %}
