{#- docs/rules.md §5: the published figure columns below England level — list size as it is,
    opt-out counts and rates under disclosure control — from the columns of a statistics
    mart read through `alias`. One place for practice and CCG files alike. -#}
{% macro published_figures(alias) -%}
    cast({{ alias }}.registered_patients as {{ dbt.type_string() }}) as {{ adapter.quote("REGISTERED_PATIENTS") }},
        {{ disclose_count(alias ~ '.type1_opt_outs') }} as {{ adapter.quote("TYPE_1_OPT_OUTS") }},
        {{ disclose_rate(alias ~ '.type1_rate', alias ~ '.type1_opt_outs') }} as {{ adapter.quote("TYPE_1_OPT_OUT_RATE") }},
        {{ disclose_count(alias ~ '.type2_opt_outs') }} as {{ adapter.quote("TYPE_2_OPT_OUTS") }},
        {{ disclose_rate(alias ~ '.type2_rate', alias ~ '.type2_opt_outs') }} as {{ adapter.quote("TYPE_2_OPT_OUT_RATE") }}
{%- endmacro %}
