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
            {%- if files is not none and run_query('select count(*) from ' ~ files).columns[0].values()[0] == 0 -%}
                {{ log("No Care Information Choices files were written: "
                    ~ ("the publication views hold another month than publication_month " ~ publication_month()
                       ~ " (build them with the files: dbt build --select publication publication_files)"
                       if publication_month() else "the warehouse has no figures yet") ~ ".", info=True) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- do report_failing_reference_rows(results) -%}
    {%- do report_service_level(outcome.get('published_current_opt_outs') == 'success') -%}
    {{ return('') }}
{% endmacro %}
