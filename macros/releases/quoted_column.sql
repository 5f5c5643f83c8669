{#- A column name from a release definition, checked and quoted, so that it cannot carry
    SQL into the release. -#}
{% macro quoted_column(name, context='apply_opt_outs') %}
    {%- if name is not string or not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_ ]{0,127}', name) -%}
        {{ exceptions.raise_compiler_error(context ~ ": '" ~ name ~ "' is not a plain column name") }}
    {%- endif -%}
    {{- return(adapter.quote(name)) -}}
{% endmacro %}
