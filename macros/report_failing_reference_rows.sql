{#- At on-run-end: for a failed test that says `meta: {show_failing_rows: true}` — only
    tests of reference data, which hold no patient data — log its first rows, so that a
    mistake in a seed is named (practice and dates), not only counted. -#}
{% macro report_failing_reference_rows(results) %}
    {%- for result in results
        if result.node.resource_type == 'test' and result.status in ['fail', 'error']
        and (result.node.config.meta or {}).get('show_failing_rows') and result.node.compiled_code -%}
        {%- set rows = run_query('select * from (' ~ result.node.compiled_code ~ ') as failing limit 20') -%}
        {%- set lines = [] -%}
        {%- for row in rows.rows -%}
            {%- set values = [] -%}
            {%- for name in rows.column_names -%}{%- do values.append(name ~ '=' ~ row[name]) -%}{%- endfor -%}
            {%- do lines.append('  ' ~ values | join(', ')) -%}
        {%- endfor -%}
        {{ log("Reference data check " ~ result.node.name ~ " failed on:\n" ~ lines | join('\n'), info=True) }}
    {%- endfor -%}
{% endmacro %}
