{#- Where the `landing` source's reader of `name` is, on engines that cannot read files
    (a view in schema `landing`; on DuckDB a table macro, landing_<name>()). -#}
{% macro landing_reader_relation(name) %}
    {{ return(api.Relation.create(database=target.get('database'), schema='landing', identifier=name)) }}
{% endmacro %}
