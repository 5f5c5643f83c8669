{#- docs/rules.md §4, run at on-run-start: the build fails, naming the model, when a release neither
    applies opt-outs nor declares a valid exemption, says `applied` without calling
    apply_opt_outs, or has no no_opted_out_patients test. (Every release is audited by its
    post-hook, record_release_build: there is no list to forget.) -#}
{% macro check_release_governance() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set problems = [] -%}
    {%- set tested = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'test' and (node.test_metadata or {}).get('name') == 'no_opted_out_patients' -%}
            {%- do tested.append(node.attached_node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for node in release_nodes() -%}
        {%- set meta = node.config.meta or {} -%}
        {%- set where = "release model '" ~ node.name ~ "' (" ~ node.original_file_path ~ ")" -%}
        {%- set calls_macro = 'macro.' ~ project_name ~ '.apply_opt_outs' in node.depends_on.macros
            and meta.get('opt_out_release') is not none -%}
        {%- for key in ['purpose', 'recipient'] -%}
            {%- if not meta.get(key) -%}
                {%- do problems.append(where ~ " declares no meta." ~ key) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if meta.get('opt_outs') == 'applied' -%}
            {%- if not calls_macro -%}
                {%- do problems.append(where ~ " says opt_outs: applied but does not call apply_opt_outs") -%}
            {%- endif -%}
            {%- if node.unique_id not in tested -%}
                {%- do problems.append(where ~ " applies opt-outs but has no no_opted_out_patients test") -%}
            {%- endif -%}
        {%- elif meta.get('opt_outs') == 'exempt' -%}
            {%- if meta.get('exemption') not in release_exemptions() -%}
                {%- do problems.append(where ~ " is exempt on an unknown ground '" ~ meta.get('exemption')
                    ~ "' (one of: " ~ release_exemptions() | join(', ') ~ ")") -%}
            {%- endif -%}
            {%- if not meta.get('exemption_reason') -%}
                {%- do problems.append(where ~ " is exempt but gives no exemption_reason") -%}
            {%- endif -%}
        {%- else -%}
            {%- do problems.append(where ~ " must declare meta.opt_outs: applied (and call apply_opt_outs)"
                ~ " or exempt (with exemption and exemption_reason)") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("Release governance (docs/rules.md §4) failed:\n  - " ~ problems | join("\n  - ")) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
