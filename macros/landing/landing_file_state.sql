{#- docs/rules.md §1 and the historic record: the state of every landed file this run, in one query
    — the listing joined to the files already received (`received_files`, the ledger
    int_landing_files_received; none before the first build). A file is received once, by
    its content (SHA-256 of its bytes):
    * already received: its bytes are in the ledger, under any name, path or modification
      time (a restore from backup, cp, rsync, a new landing folder) — not read again; or
      the same bytes are read this run under another name (the first name in path order);
      `received_as` names the file whose lines hold them;
    * changed_after_receipt: the path is in the ledger with other bytes, whatever its size
      and times (a rewrite with the same size and time included): refused, never skipped;
      corrections land under a new name;
    * otherwise new (received_as = itself), unless the listing found a problem.
    Ledger rows from before content hashes were kept are matched on path, size and time. -#}
{% macro landing_file_state(received_files) %}
    {%- set ledger_exists = received_files is not none and load_relation(received_files) is not none -%}
    {%- set ledger_has_hash = ledger_exists and relation_has_column(received_files, 'content_hash') -%}
with

listing as (
    {{ landing_file_listing() }}
),

received as (
    {%- if ledger_exists %}
    select
        feed,
        source_file,
        size,
        modified_at,
        {{ 'content_hash' if ledger_has_hash else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as content_hash
    from {{ received_files }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as feed,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_bigint() }}) as size,
        cast(null as timestamp) as modified_at,
        cast(null as {{ dbt.type_string() }}) as content_hash
    where 1 = 0
    {%- endif %}
),

-- Where each content was first received.
received_contents as (
    select
        feed,
        content_hash,
        min(source_file) as received_as
    from received
    where content_hash is not null
    group by feed, content_hash
),

by_path as (
    select
        listing.source_file,
        count(received.source_file) > 0 as path_received,
        coalesce(max(
            case
                when received.content_hash is null and received.size = listing.size
                    and received.modified_at = listing.modified_at then 1
                else 0
            end
        ), 0) = 1 as legacy_version_received
    from listing
    left join received
        on listing.feed = received.feed and listing.source_file = received.source_file
    group by listing.source_file
),

state as (
    select
        listing.feed,
        listing.path,
        listing.source_file,
        listing.size,
        listing.modified_at,
        listing.content_hash,
        listing.problem,
        by_path.path_received,
        case
            when listing.problem is not null then null
            when received_contents.received_as is not null then received_contents.received_as
            when by_path.legacy_version_received then listing.source_file
        end as earlier_receipt
    from listing
    inner join by_path on listing.source_file = by_path.source_file
    left join received_contents
        on listing.feed = received_contents.feed and listing.content_hash = received_contents.content_hash
),

decided as (
    select
        *,
        case
            when problem is not null then problem
            when earlier_receipt is null and path_received then 'changed_after_receipt'
        end as file_problem
    from state
),

-- The first name of each new content among the files to read this run, in the feeds with
-- a historic record (the GP-level feeds are read whole every run: nothing is received once).
new_contents as (
    select
        feed,
        content_hash,
        min(source_file) as received_as
    from decided
    where
        file_problem is null
        and earlier_receipt is null
        and feed in {{ received_once_feeds_sql() }}
    group by feed, content_hash
)

select
    decided.feed,
    decided.path,
    decided.source_file,
    decided.size,
    decided.modified_at,
    decided.content_hash,
    coalesce(
        decided.earlier_receipt is not null or new_contents.received_as <> decided.source_file, false
    ) as already_received,
    case
        when decided.file_problem is null
            then coalesce(decided.earlier_receipt, new_contents.received_as, decided.source_file)
    end as received_as,
    decided.file_problem as problem
from decided
left join new_contents
    on decided.feed = new_contents.feed and decided.content_hash = new_contents.content_hash
{% endmacro %}
