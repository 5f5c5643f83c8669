{#- The tables python -m opt_out_io load-landing fills on engines that cannot read files: `files`
    (the listing) and one table of parsed lines per feed. -#}
{% macro landing_raw_relation(name) %}
    {{ return(api.Relation.create(database=target.get('database'), schema='landing_raw', identifier=name)) }}
{% endmacro %}
