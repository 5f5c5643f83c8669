{#- Post-hook of every model in models/releases/ (dbt_project.yml): right after a release is
    built, its audit row is appended to `manifest` (release_manifest). So every release is
    audited because it is a release — no list to keep — and each build leaves its own row. -#}
{% macro record_release_build(manifest) %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    insert into {{ manifest }} (
        release_name, built_at, version_id, purpose, recipient, opt_outs, exemption, as_of,
        rows_without_nhs_number_policy, rows_in, rows_out, rows_removed, patients_removed,
        rows_without_nhs_number
    )
    {{ release_audit_row(model, this) }}
{% endmacro %}
