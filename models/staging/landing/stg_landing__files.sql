-- docs/rules.md §1: one row per entry in the landing area (every feed, and anything outside the
-- feed folders), with its state this run (landing.files, landing_file_state: received once,
-- by content; received_as names the file whose lines hold its bytes) and — for
-- files read this run — whether it has a header line, whether that header is as expected,
-- and how many data lines follow. No file is silently skipped.
{{ config(materialized='table') }}
with

files as (
    select * from {{ source('landing', 'files') }}
),

lines as (
    {%- for feed in landing_feeds() %}
        select
            '{{ feed }}' as feed,
            source_file,
            bool_or(row_number = 0) as has_header_line,
            bool_and(header_matches) as header_matches,
            count(case when row_number > 0 then 1 end) as data_rows
        from {{ source('landing', feed) }}
        group by source_file
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

summarised as (
    select
        files.feed,
        files.source_file,
        files.size,
        files.modified_at,
        files.content_hash,
        files.already_received,
        files.received_as,
        files.problem,
        -- Not read again when already received: the historic record has its figures.
        case when not files.already_received then coalesce(lines.has_header_line, false) end as has_header_line,
        case when not files.already_received then coalesce(lines.header_matches, false) end as header_matches,
        case when not files.already_received then coalesce(lines.data_rows, 0) end as data_rows
    from files
    left join lines
        on files.feed = lines.feed and files.source_file = lines.source_file
)

select * from summarised
