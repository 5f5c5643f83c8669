{#- docs/rules.md §1 and the historic record: the state of every landed file this run, in one query
    — the listing joined to the files already received (`received_files`, the ledger
    int_landing_files_received; none before the first build). A file is
    * already received: the same path, size and modification time are in the ledger (its
      lines are in the history, so it is not read again);
    * changed_after_receipt: the path is in the ledger with another size or time (its lines
      would be merged line by line into the old ones: corrections land under a new name);
    * otherwise new, unless the listing found a problem. -#}
{% macro landing_file_state(received_files) %}
    {%- set ledger_exists = received_files is not none and load_relation(received_files) is not none -%}
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
        modified_at
    from {{ received_files }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as feed,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_bigint() }}) as size,
        cast(null as timestamp) as modified_at
    where 1 = 0
    {%- endif %}
),

matched as (
    select
        listing.source_file,
        count(received.source_file) > 0 as path_received,
        coalesce(max(case when received.size = listing.size and received.modified_at = listing.modified_at
            then 1 else 0 end), 0) = 1 as version_received
    from listing
    left join received
        on listing.feed = received.feed and listing.source_file = received.source_file
    group by listing.source_file
)

select
    listing.feed,
    listing.path,
    listing.source_file,
    listing.size,
    listing.modified_at,
    matched.version_received as already_received,
    case
        when listing.problem is not null then listing.problem
        when matched.path_received and not matched.version_received then 'changed_after_receipt'
    end as problem
from listing
inner join matched on listing.source_file = matched.source_file
{% endmacro %}
