{#- docs/rules.md §3, for opt_out_record_checks: a `union all` row counting the patients on
    which the snapshot's current versions and `current_record` (a relation of NHS numbers)
    disagree. Nothing on Spark, which has no snapshot (see README, Other engines). -#}
{% macro snapshot_agreement_check(current_record) %}
    {%- if target.type == 'spark' -%}{{ return('') }}{%- endif %}
    union all
    select
        'snapshot_matches_current_opt_outs' as check_name,
        (
            select count(*) from (
                (
                    select snapshot_rows.nhs_number from {{ ref('type2_opt_out_status') }} as snapshot_rows
                    where snapshot_rows.dbt_valid_to is null and snapshot_rows.is_opted_out
                    except
                    select nhs_number from {{ current_record }}
                )
                union all
                (
                    select nhs_number from {{ current_record }}
                    except
                    select snapshot_rows.nhs_number from {{ ref('type2_opt_out_status') }} as snapshot_rows
                    where snapshot_rows.dbt_valid_to is null and snapshot_rows.is_opted_out
                )
            ) as disagreements
        ) as failures
{% endmacro %}
