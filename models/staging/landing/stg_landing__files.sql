-- One row per file in the landing area, with what reading it found: whether it has the
-- expected header and how many data rows it holds (SPEC §2: no file silently skipped).
with

{% for feed in landing_feeds() %}
{{ feed }}_files as (
    select source_file from {{ source('landing', feed ~ '_files') }}
),

{{ feed }}_lines as (
    select
        source_file,
        bool_or(row_number = 0) as has_header_line,
        bool_and(header_matches) as header_matches,
        count(*) filter (where row_number > 0) as data_rows
    from {{ source('landing', feed) }}
    group by source_file
),

{{ feed }}_summary as (
    select
        '{{ feed }}' as feed,
        {{ feed }}_files.source_file,
        coalesce({{ feed }}_lines.has_header_line, false) as has_header_line,
        coalesce({{ feed }}_lines.header_matches, false) as header_matches,
        coalesce({{ feed }}_lines.data_rows, 0) as data_rows
    from {{ feed }}_files
    left join {{ feed }}_lines on {{ feed }}_files.source_file = {{ feed }}_lines.source_file
),

{% endfor %}
all_files as (
    {% for feed in landing_feeds() %}
    select * from {{ feed }}_summary
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from all_files
