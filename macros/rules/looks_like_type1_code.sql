{#- R4, the one "looks like Type 1" decision: true when the text `value` looks like the code
    of `type1_code` (an alias of a code-list row of opt_out_type 1, with columns `code` and
    `description`) though it is not that code exactly:
    * folded — case, whitespace, punctuation and quotes ignored — it contains the code
      (`xaz89`, `9Nu0 .`, `'9Nu0'`, `9Nu0 Dissent…`) or the code's description;
    * or it is a number within 0.1 % of a numeric (SNOMED CT) code, as a spreadsheet writes
      it in decimal or exponent form (`827241000000103.0`, `8.27241E+14`).
    Used as a join condition against the (few) Type 1 codes. When in doubt, keep no number:
    a row with such a value keeps no NHS number (int_opt_out_code_rows_classified). -#}
{% macro looks_like_type1_code(value, type1_code) -%}
    (
        (
            {{ folded_text(type1_code ~ '.code') }} <> ''
            and {{ contains_text(folded_text(value), folded_text(type1_code ~ '.code')) }}
        )
        or (
            {{ folded_text(type1_code ~ '.description') }} <> ''
            and {{ contains_text(folded_text(value), folded_text(type1_code ~ '.description')) }}
        )
        or abs({{ decimal_number(value) }} - {{ decimal_number(type1_code ~ '.code') }})
        <= 0.001 * {{ decimal_number(type1_code ~ '.code') }}
    )
{%- endmacro %}

{#- True when any of the text `values` looks like the code of `type1_code` (see above). -#}
{% macro any_looks_like_type1_code(values, type1_code) -%}
    (
        {%- for value in values %}
        {{ 'or ' if not loop.first }}{{ looks_like_type1_code(value, type1_code) }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Lower-case ASCII letters and digits only. -#}
{% macro folded_text(expression) -%}
    lower({{ regexp_remove_all('coalesce(' ~ expression ~ ", '')", '[^A-Za-z0-9]') }})
{%- endmacro %}

{#- A plain, decimal or exponent-form number written in `expression` (whitespace and quotes
    ignored), as a double; null for anything else. Digits and exponent are bounded so the
    value always fits a double (PostgreSQL refuses an out-of-range cast: a 400-digit code
    must not stop the build). -#}
{% macro decimal_number(expression) -%}
    {%- set bare = 'translate(' ~ expression ~ ', ' ~ characters_text(whitespace_code_points() + [34, 39]) ~ ", '')" -%}
    case
        when {{ regexp_full_match(bare, '[+]?[0-9]{1,30}([.][0-9]{0,30})?([eE][+]?[0-9]{1,2})?') }}
            then cast({{ bare }} as {{ type_double() }})
    end
{%- endmacro %}

{#- R4 for a landing feed's staged lines (`staged`, a relation or CTE name with source_file,
    row_number and each of `columns` as sent, named `<column>_raw`): a select of the lines
    any of whose values looks like a Type 1 code of the code list. Such a line keeps no
    values. -#}
{% macro type1_lookalike_lines(staged, columns) -%}
    {%- set values = [] -%}
    {%- for column in columns -%}{%- do values.append('lines.' ~ column ~ '_raw') -%}{%- endfor -%}
    select distinct
        lines.source_file,
        lines.row_number
    from {{ staged }} as lines
    inner join (
        select
            code,
            description
        from {{ ref('opt_out_code_list') }}
        where opt_out_type = 1
    ) as type1_codes
        on {{ any_looks_like_type1_code(values, 'type1_codes') }}
{%- endmacro %}
