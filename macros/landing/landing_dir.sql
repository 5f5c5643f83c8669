{#- landing_dir as the file system reports it back (no ./, no doubled or trailing /),
    so source_file can be made relative to it. -#}
{% macro landing_dir() %}
    {%- set path = var('landing_dir') | string -%}
    {%- set path = modules.re.sub('/{2,}', '/', path) -%}
    {%- set path = modules.re.sub('^([.]/)+', '', path) -%}
    {%- set path = modules.re.sub('/([.]/)+', '/', path) -%}
    {{- return(path.rstrip('/') if path != '/' else path) -}}
{% endmacro %}
