-- One row per file in the landing area, with what reading it found (SPEC §2: no file is
-- silently skipped).
{{ config(materialized='table') }}
with

all_files as (
    {% for feed in landing_feeds() -%}
        {{ summarise_landing_files(feed) }}
        {%- if not loop.last %} union all {% endif %}
    {% endfor %}
)

select * from all_files
