{#- The build's identity (docs/rules.md §7, the clock). Every build that runs its hooks takes
    the next number in the build ledger (landing.build_ledger) and a start time that is
    never earlier than one second after the previous build's, whatever the machine's clock
    says: started_at = max(the clock, previous started_at + 1 s). So every stamp the
    warehouse writes — received_at, derived_at, published_at, the record version id — grows
    with each build even when the clock is set back (a restore, another host, an NTP step),
    and two builds in the same second still differ. Nothing kept depends on the clock
    running forward (SPEC §2).

    start_build runs first at on-run-start; it keeps the stamp in this run's `graph` (one
    dictionary shared by every node of the run), so build_started_at() costs no query.
    Commands that run no hooks (dbt compile, docs, lint) fall back to the clock. -#}
{% macro start_build() %}
    {%- if not runs_build_hooks() -%}{{ return('') }}{%- endif -%}
    {%- set ledger = build_ledger_relation() -%}
    {%- do adapter.create_schema(ledger) -%}
    {%- do run_query("create table if not exists " ~ ledger
        ~ " (build_number bigint, started_at timestamp, clock_started_at timestamp)") -%}
    {%- set clock = run_started_at.replace(tzinfo=none, microsecond=0) -%}
    {%- set previous = run_query("select max(build_number), max(started_at) from " ~ ledger).rows[0] -%}
    {%- set latest = previous[1] if previous[1] is not none else latest_stamp_before_the_ledger() -%}
    {%- set started = clock -%}
    {%- if latest is not none and latest + modules.datetime.timedelta(seconds=1) > clock -%}
        {%- set started = (latest + modules.datetime.timedelta(seconds=1)).replace(microsecond=0) -%}
    {%- endif -%}
    {%- set number = (previous[0] or 0) + 1 -%}
    {%- do run_query("insert into " ~ ledger ~ " (build_number, started_at, clock_started_at) values ("
        ~ number ~ ", cast('" ~ started.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp), cast('"
        ~ clock.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp))") -%}
    {%- do run_query("create table if not exists " ~ checked_builds_relation()
        ~ " (build_number bigint, started_at timestamp)") -%}
    {%- set last_checked = run_query("select max(started_at) from " ~ checked_builds_relation()).columns[0].values()[0] -%}
    {%- do graph.update({'opt_out_build': {'number': number, 'started_at': started, 'last_checked': last_checked}}) -%}
    {{ return('') }}
{% endmacro %}

{#- The build ledger (landing.build_ledger): one row per build, its number and start time (start_build). -#}
{% macro build_ledger_relation() %}
    {{ return(api.Relation.create(database=target.get('database'), schema='landing', identifier='build_ledger')) }}
{% endmacro %}

{#- The builds whose every model, snapshot and check passed (record_checked_build): tests
    check every row derived since the latest of them (get_where_subquery). -#}
{% macro checked_builds_relation() %}
    {{ return(api.Relation.create(database=target.get('database'), schema='landing', identifier='checked_builds')) }}
{% endmacro %}

{#- The start of the latest build whose every check passed, as a timestamp literal
    (1900-01-01 when none has: every row is tested). -#}
{% macro last_checked_build_started_at() -%}
    {%- set build = graph.get('opt_out_build') if execute else none -%}
    {%- set value = build.last_checked if build else none -%}
    {%- set text = value.strftime('%Y-%m-%d %H:%M:%S') if value is not none and value is not string
        else (value or '1900-01-01 00:00:00') -%}
    cast('{{ text }}' as timestamp)
{%- endmacro %}

{#- on-run-end: a `dbt build` of the whole project (no --select, --exclude or selector; unit
    tests may be left out, they check no data) in which every node passed is a checked
    build. Anything less — a failure, a skip, a selection, a build stopped half way (no
    on-run-end at all) — leaves the rows it wrote to be tested again by the next build. -#}
{% macro record_checked_build() %}
    {%- if not execute or flags.WHICH != 'build' -%}{{ return('') }}{%- endif -%}
    {%- set build = graph.get('opt_out_build') -%}
    {%- set args = invocation_args_dict -%}
    {%- set whole_project = not (args.get('select') or args.get('exclude') or args.get('selector')
        or args.get('resource_types') or (args.get('exclude_resource_types') or []) | reject('equalto', 'unit_test') | list) -%}
    {%- set passed = results | map(attribute='status') | reject('in', ['success', 'pass', 'warn', 'no-op']) | list | length == 0 -%}
    {%- if build and whole_project and passed -%}
        {%- do run_query("insert into " ~ checked_builds_relation() ~ " (build_number, started_at) values ("
            ~ build.number ~ ", cast('" ~ build.started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp))") -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#- A warehouse built before the ledger existed: its latest stamp, from the received-files
    ledger and the published record versions (small tables). -#}
{% macro latest_stamp_before_the_ledger() %}
    {%- set stamps = [] -%}
    {%- for name, column in [['int_landing_files_received', 'received_at'], ['published_record_versions', 'published_at']] -%}
        {%- set relation = node_relation(name) -%}
        {%- set existing = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
        {%- if existing is not none -%}
            {%- set value = run_query('select max(' ~ column ~ ') from ' ~ existing).columns[0].values()[0] -%}
            {%- if value is not none -%}{%- do stamps.append(value) -%}{%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(stamps | max if stamps else none) }}
{% endmacro %}

{#- This build's start (see start_build), as a Python datetime (UTC, whole seconds). -#}
{% macro build_started_at_value() %}
    {%- set build = graph.get('opt_out_build') if execute else none -%}
    {{ return(build.started_at if build else run_started_at.replace(tzinfo=none, microsecond=0)) }}
{% endmacro %}

{#- This build's start as a timestamp literal: the one clock of the historic record
    (received_at), the derived history (derived_at) and the publications (published_at,
    built_at), so "since the last build" is a comparison of two values written by the same
    expression. -#}
{% macro build_started_at() -%}
    cast('{{ build_started_at_value().strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp)
{%- endmacro %}

{#- The day the warehouse receives what this build reads, in England (Europe/London): an
    extract dated later is not trusted (SPEC §2, invalid_extract_date). As a date literal. -#}
{% macro received_on() -%}
    {%- set utc = modules.pytz.utc.localize(build_started_at_value()) -%}
    cast('{{ utc.astimezone(modules.pytz.timezone("Europe/London")).strftime("%Y-%m-%d") }}' as date)
{%- endmacro %}

{#- Whether this command builds or reads the landing area (build, run, test, seed, snapshot, retry,
    source freshness): only then do the hooks that
    write (start_build, register_landing_readers_for_build) act. dbt compile and dbt docs generate render
    the hooks too, and must neither write the warehouse nor wait for a running build's lock. -#}
{% macro runs_build_hooks() %}
    {{ return(execute and flags.WHICH in ('build', 'run', 'test', 'seed', 'snapshot', 'retry', 'freshness', 'source')) }}
{% endmacro %}
