{#- One row per file of a landing feed: every file the folder holds (an empty file yields
    no lines but is still listed), its size and time, whether it was received before (and
    so not read), the problem that kept it from being read, and — for files read this
    run — whether it has a header line, whether that header is as expected, and how many
    data lines follow. -#}
{% macro summarise_landing_files(feed) %}
    select
        '{{ feed }}' as feed,
        files.source_file,
        files.size,
        files.last_modified,
        files.already_received,
        files.problem,
        -- Not read again when already received: the historic record has its figures.
        case when not files.already_received then coalesce(lines.has_header_line, false) end as has_header_line,
        case when not files.already_received then coalesce(lines.header_matches, false) end as header_matches,
        case when not files.already_received then coalesce(lines.data_rows, 0) end as data_rows
    from {{ source('landing', feed ~ '_files') }} as files
    left join (
        select
            source_file,
            bool_or(row_number = 0) as has_header_line,
            bool_and(header_matches) as header_matches,
            count(*) filter (where row_number > 0) as data_rows
        from {{ source('landing', feed) }}
        group by source_file
    ) as lines
        on files.source_file = lines.source_file
{% endmacro %}
