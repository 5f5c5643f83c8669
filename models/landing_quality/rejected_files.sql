-- docs/rules.md §1: a landed file that cannot be read with the expected header is reported here,
-- by name and reason, and none of its lines is used.
with

files as (
    select * from {{ ref('stg_landing__files') }}
),

rejected as (
    select
        feed,
        source_file,
        case
            when problem is not null then problem
            when not has_header_line then 'empty_file'
            else 'unexpected_header'
        end as reason,
        data_rows
    from files
    where not header_matches
)

select
    feed,
    source_file,
    reason,
    data_rows
from rejected
