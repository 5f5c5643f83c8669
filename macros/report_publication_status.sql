{#- Write-audit-publish, at on-run-end: say what this build published, what it did not, and
    what actually failed — by name (models, tests and hooks carry no patient data) — and
    which record is in force. Silent when the build did not select the published record. -#}
{% macro report_publication_status() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set outcome = {} -%}
    {%- set failed = [] -%}
    {%- for result in results -%}
        {%- do outcome.update({result.node.name: result.status}) -%}
        {%- if result.status in ['error', 'fail', 'runtime error'] -%}
            {%- do failed.append(result.node.resource_type ~ " " ~ result.node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set what_failed = ("failed: " ~ failed | join(', ')) if failed
        else "it was not built (a step it depends on was skipped)" -%}
    {%- if 'published_current_opt_outs' in outcome -%}
        {%- set relation = adapter.get_relation(database=target.get('database'), schema='published',
                                                identifier='published_current_opt_outs') -%}
        {%- set in_force = run_query('select max(published_at) from ' ~ relation).columns[0].values()[0]
            if relation is not none else none -%}
        {%- if outcome['published_current_opt_outs'] != 'success' -%}
            {{ log("OPT-OUT RECORD NOT PUBLISHED: " ~ what_failed ~ ". Releases, the release audit and "
                ~ "the Care Information Choices files still use "
                ~ ("the record published at " ~ in_force if in_force else "no record (none has been published yet)")
                ~ ". Fix what failed and build again.", info=True) }}
        {%- elif outcome.get('publication_files', 'success') != 'success' -%}
            {{ log("Opt-out record published at " ~ in_force ~ ". CARE INFORMATION CHOICES FILES NOT WRITTEN: "
                ~ what_failed ~ ". The files already in the publication folder are unchanged.", info=True) }}
        {%- elif outcome.get('publication_files') == 'success' -%}
            {%- set files = adapter.get_relation(database=target.get('database'), schema=target.schema,
                                                 identifier='publication_files') -%}
            {%- set written = run_query('select file_name from ' ~ files ~ ' order by file_name').columns[0].values()
                if files is not none else [] -%}
            {%- if written | length > 0 -%}
                {{ log("Care Information Choices files written to " ~ var('publication_dir') ~ "/: "
                    ~ written | join(', ') ~ ".", info=True) }}
            {%- endif -%}
            {%- if files is not none and written | length == 0 -%}
                {{ log("No Care Information Choices files were written: "
                    ~ ("the publication views hold another month than publication_month " ~ publication_month()
                       ~ " (build them with the files: dbt build --select publication publication_files)"
                       if publication_month() else "the warehouse has no figures yet") ~ ".", info=True) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- if outcome.get('published_current_opt_outs') == 'success' -%}
        {%- do report_record_in_force() -%}
    {%- endif -%}
    {%- do report_failing_reference_rows(results) -%}
    {%- do report_service_level(outcome.get('published_current_opt_outs') == 'success') -%}
    {{ return('') }}
{% endmacro %}

{#- On success, the record version in force, in one line (counts and dates only). -#}
{% macro report_record_in_force() %}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.published_record_versions') -%}
    {%- set versions = load_relation(api.Relation.create(database=node.database, schema=node.schema,
                                                         identifier=node.alias)) if node else none -%}
    {%- if versions is none -%}{{ return('') }}{%- endif -%}
    {%- set rows = run_query("select version_id, opted_out_patients, latest_received_date from " ~ versions
        ~ " order by published_at desc limit 1").rows -%}
    {%- if rows | length > 0 -%}
        {{ log("Opt-out record published: version " ~ rows[0][0] ~ ", " ~ rows[0][1] ~ " patients opted out,"
            ~ " known to the extracts received up to " ~ rows[0][2] ~ ". Releases apply it from now.", info=True) }}
    {%- endif -%}
{% endmacro %}
