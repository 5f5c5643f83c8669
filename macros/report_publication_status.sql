{#- Write-audit-publish, at on-run-end: when the checked record could not be published
    (a check failed, so dbt skipped or failed the published_* models), say so plainly:
    releases, the release audit and the publication still use the last good record. -#}
{% macro report_publication_status() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set held_back = [] -%}
    {%- for result in results -%}
        {%- if result.node.name in ['published_current_opt_outs', 'published_opt_out_periods', 'publication_files']
            and result.status in ['skipped', 'error'] -%}
            {%- do held_back.append(result.node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if held_back -%}
        {%- set relation = adapter.get_relation(database=target.get('database'), schema='published',
                                                identifier='published_current_opt_outs') -%}
        {%- set since = run_query('select max(published_at) from ' ~ relation).columns[0].values()[0]
            if relation is not none else none -%}
        {{ log("OPT-OUT RECORD NOT PUBLISHED: a check failed, so " ~ held_back | join(', ')
            ~ " did not run. Releases, the release audit and the Care Information Choices files still use the record"
            ~ (" published at " ~ since if since else " of the last good build (none yet)")
            ~ ". Fix the failing checks and build again.", info=True) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
