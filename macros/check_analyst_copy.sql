{#- README, For analysts; run at on-run-start. The analyst copy (models/exports/analyst_copy.py)
    holds every public mart (`access: public`) and every reference seed (`meta.reference_data`),
    by rule: a build stops, naming what to change, when analyst_copy.py refers to one too few
    or to anything else. dbt needs literal refs in a Python model, hence the check rather than
    a generated list. -#}
{% macro check_analyst_copy() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set copy_node = graph.nodes.get('model.' ~ project_name ~ '.analyst_copy') -%}
    {%- if copy_node is none or not copy_node.config.enabled -%}{{ return('') }}{%- endif -%}
    {%- set expected = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if (node.resource_type == 'model' and node.access == 'public')
            or (node.resource_type == 'seed' and (node.config.meta or {}).get('reference_data')) -%}
            {%- do expected.append(node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set refs = copy_node.depends_on.nodes -%}
    {%- set missing = [] -%}
    {%- for unique_id in expected if unique_id not in refs -%}
        {%- do missing.append(unique_id.split('.')[-1]) -%}
    {%- endfor -%}
    {%- set extra = [] -%}
    {%- for unique_id in refs if unique_id not in expected -%}
        {%- do extra.append(unique_id.split('.')[-1]) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error("The analyst copy does not refer to " ~ missing | sort | join(', ')
            ~ ": add dbt.ref('<name>') for each to models/exports/analyst_copy.py (every public mart and"
            ~ " reference seed is copied).") }}
    {%- endif -%}
    {%- if extra -%}
        {{ exceptions.raise_compiler_error("The analyst copy refers to " ~ extra | sort | join(', ')
            ~ ", which is neither a public mart (access: public) nor a reference seed (meta.reference_data):"
            ~ " mark it so or remove it from models/exports/analyst_copy.py.") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
