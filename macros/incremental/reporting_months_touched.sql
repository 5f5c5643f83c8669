{#- The reporting months the statistics models derive again (docs/rules.md §7), as a list of
    'YYYY-MM-DD' strings, read when the model runs — everything since the last checked build
    (a build in which every node passed), so a month a failed, stopped or partial build
    touched is derived again by every later build until one passes whole:
    * months with Type 2 rows received since then (R12 attributes every row of the month,
      repeats included);
    * every month from the earliest extract_date of a first arrival rewritten since then: a
      new or earlier-received event can change R8's status at any later date, never before
      its received date;
    * every month, when an NHS number link (SPEC §9) changed a patient since then;
    * with `with_counts`, months with practice counts received since then (a month whose
      counts arrive before its codes is a reporting month: R8 at its last day is needed).
    The refs are taken before anything else, so dbt records them when it parses the model. -#}
{% macro reporting_months_touched(with_counts=false) %}
    {%- set receipts = ref('int_opt_out_code_receipts') -%}
    {%- set first_arrivals = ref('int_opt_out_code_first_arrivals') -%}
    {%- set reporting_months = ref('int_reporting_months') -%}
    {%- set counts = ref('int_practice_count_rows_received') if with_counts else none -%}
    {%- set links = ref('int_nhs_number_patients') -%}
    {%- if not execute or not is_incremental() -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        with

        since as (
            select {{ last_checked_build_started_at() }} as derived_at
        ),

        earliest_change as (
            select min(extract_date) as extract_date
            from {{ first_arrivals }}
            where derived_at > (select derived_at from since)
        ),

        touched as (
            select cast({{ dbt.date_trunc('month', 'extract_date') }} as date) as reporting_month
            from {{ receipts }}
            where
                received_at > (select derived_at from since)
                and rejection_reason is null
                and extract_date is not null
            union all
            select reporting_month
            from {{ reporting_months }}
            where reporting_month >= (
                select cast({{ dbt.date_trunc('month', 'extract_date') }} as date) from earliest_change
            )
            -- A changed NHS number link (SPEC §9) can move a patient's events between
            -- numbers in any month: every month is derived again (links are rare).
            union all
            select reporting_month
            from {{ reporting_months }}
            where exists (select 1 from {{ links }} where derived_at > (select derived_at from since))
            {%- if counts is not none %}
                union all
                select cast({{ dbt.date_trunc('month', 'extract_date') }} as date) as reporting_month
                from {{ counts }}
                where
                    received_at > (select derived_at from since)
                    and rejection_reason is null
                    and extract_date is not null
            {%- endif %}
        )

        select distinct cast(reporting_month as {{ dbt.type_string() }}) as reporting_month
        from touched
        order by 1
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{% endmacro %}
