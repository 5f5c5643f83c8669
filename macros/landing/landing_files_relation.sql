{#- The table of every landed file and its state this run (source `landing.files`),
    rebuilt at the start of every run by register_landing_readers. -#}
{% macro landing_files_relation() %}
    {{ return(api.Relation.create(database=target.get('database'), schema='landing', identifier='files')) }}
{% endmacro %}
