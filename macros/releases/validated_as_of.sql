{#- A release's as_of must be a real date written 'YYYY-MM-DD' (it is put into SQL). -#}
{% macro validated_as_of(as_of) %}
    {%- set text = as_of | string -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {{ exceptions.raise_compiler_error("apply_opt_outs: as_of must be a date written 'YYYY-MM-DD', got '" ~ text ~ "'") }}
    {%- endif -%}
    {%- set parts = text.split('-') | map('int') | list -%}
    {%- if parts[1] < 1 or parts[1] > 12 or parts[2] < 1 or parts[2] > 31 -%}
        {{ exceptions.raise_compiler_error("apply_opt_outs: as_of '" ~ text ~ "' is not a calendar date") }}
    {%- endif -%}
    {{- return(text) -}}
{% endmacro %}
