{#- Pre-hook of a statistics model updated by month (docs/rules.md §7): delete the months
    it is about to derive again, so a month that loses every row is not left stale. -#}
{% macro clear_reporting_months(months) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ reporting_month_in(months) }}
    {%- endif -%}
{%- endmacro %}

{#- A filter on `column` for a list of 'YYYY-MM-DD' month starts (false when empty). -#}
{% macro reporting_month_in(months, column='reporting_month') -%}
    {%- if months | length == 0 -%}
        1 = 0
    {%- else -%}
        {{ column }} in (
            {%- for month in months -%}
                cast('{{ month }}' as date){{ ', ' if not loop.last }}
            {%- endfor -%}
        )
    {%- endif -%}
{%- endmacro %}
