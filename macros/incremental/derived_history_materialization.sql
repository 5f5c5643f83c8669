{#- The derived history (docs/rules.md §7) is updated in place, only for what the new rows
    touch: 'incremental' (delete+insert by patient or by month) on engines that can delete
    rows of a table. Spark without Delta Lake cannot, so there it is rebuilt whole ('table'),
    from the same SQL (is_incremental() is then false). -#}
{% macro derived_history_materialization() -%}
    {{ return(adapter.dispatch('derived_history_materialization', 'opt_out_warehouse')()) }}
{%- endmacro %}

{% macro default__derived_history_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__derived_history_materialization() -%}
    {{ return('table') }}
{%- endmacro %}
