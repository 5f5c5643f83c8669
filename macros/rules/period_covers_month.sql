{#- R13: a reference-data row [valid_from, valid_to) is valid on the first day of `month`. -#}
{% macro period_covers_month(rows, month) -%}
    (
        {{ rows }}.valid_from <= {{ month }}
        and ({{ rows }}.valid_to is null or {{ rows }}.valid_to > {{ month }})
    )
{%- endmacro %}
