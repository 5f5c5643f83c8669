{#- R1/R2: the characters a value is cleaned of, as a SQL text expression (one place, used by
    normalise_nhs_number, normalise_code and the Python reference's copy in tests).
    * whitespace: every Unicode White_Space character — tab, line feed, vertical tab, form
      feed, carriage return, space, next line, no-break space, ogham space, the en/em/thin/
      hair spaces U+2000–U+200A, the zero-width space, non-joiner and joiner, the direction marks, line and paragraph separators, narrow no-break space, medium
      mathematical space, ideographic space — and the invisible ones spreadsheets and
      editors leave behind: the information separators U+001C–U+001F, Mongolian vowel
      separator, zero-width space/non-joiner/joiner, word joiner and the byte-order mark;
    * hyphens (R1 only): the hyphen-minus and the dashes a word processor substitutes for it. -#}
{% macro whitespace_code_points() %}
    {{ return([9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760, 6158]
              + range(8192, 8208) | list
              + [8232, 8233, 8239, 8287, 8288, 12288, 65279]) }}
{% endmacro %}

{#- R1: the hyphen-minus and the dashes a word processor substitutes for it, as code points. -#}
{% macro hyphen_code_points() %}
    {{ return([45, 8208, 8209, 8210, 8211, 8212, 8213, 8722, 65112, 65123, 65293]) }}
{% endmacro %}

{#- The characters of `code_points` as one SQL text value. -#}
{% macro characters_text(code_points) %}
    {{- return(adapter.dispatch('characters_text')(code_points)) -}}
{% endmacro %}

{#- DuckDB and PostgreSQL: chr() takes a Unicode code point; the expression is a constant. -#}
{% macro default__characters_text(code_points) -%}
    ({% for point in code_points %}chr({{ point }}){{ ' || ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- Spark's chr() only knows 0–255; its string literals read \uXXXX escapes. -#}
{% macro spark__characters_text(code_points) -%}
    '{% for point in code_points %}\u{{ '%04X' % point }}{% endfor %}'
{%- endmacro %}
