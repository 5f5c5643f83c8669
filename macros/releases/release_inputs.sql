{#- The one model or seed a release `node` reads (besides the published opt-out record),
    as a one-item list of relations; a release reading more or fewer fails, naming it. -#}
{% macro release_inputs(node) %}
    {%- set opt_out_record = ['published_current_opt_outs', 'published_opt_out_periods', 'published_nhs_number_links',
                              'release_manifest'] -%}
    {%- set inputs = [] -%}
    {%- for upstream_id in node.depends_on.nodes -%}
        {%- set upstream = graph.nodes.get(upstream_id) -%}
        {%- if upstream is not none and upstream.name not in opt_out_record -%}
            {%- do inputs.append(api.Relation.create(
                database=upstream.database, schema=upstream.schema, identifier=upstream.alias)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if inputs | length != 1 -%}
        {{ exceptions.raise_compiler_error("release model '" ~ node.name
            ~ "' must read exactly one model or seed, it reads " ~ inputs | length) }}
    {%- endif -%}
    {{ return(inputs) }}
{% endmacro %}
