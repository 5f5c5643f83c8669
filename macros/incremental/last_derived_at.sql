{#- When this incremental model last wrote rows (its watermark): rows of the historic record
    received, or upstream rows derived, after it are the increment. Written only inside
    {% if is_incremental() %}, so the table exists. A build that writes nothing leaves the
    watermark where it was: the next build looks at those rows again, which is safe (every
    derivation is idempotent) and cheap. -#}
{% macro last_derived_at() -%}
    (select coalesce(max(derived_at), cast('1900-01-01 00:00:00' as timestamp)) from {{ this }})
{%- endmacro %}
