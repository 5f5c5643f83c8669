{#- A release's as_of must be a real calendar date written 'YYYY-MM-DD' (it is put into SQL). -#}
{% macro validated_as_of(as_of) %}
    {%- set text = as_of | string -%}
    {%- if not is_calendar_date(text) -%}
        {{ exceptions.raise_compiler_error("apply_opt_outs: as_of '" ~ text
            ~ "' is not a calendar date written 'YYYY-MM-DD': as_of must be a date such as 2025-02-28") }}
    {%- endif -%}
    {{- return(text) -}}
{% endmacro %}


{#- True when `text` is 'YYYY-MM-DD' and names a day of the (proleptic Gregorian) calendar,
    years 0001 to 9999 as Python's dates: the day within its month's length, 29 February
    only in a leap year (every 4th year, except centuries not divisible by 400). Jinja cannot
    catch the error a failed strptime raises, so the calendar is checked arithmetically. -#}
{% macro is_calendar_date(text) %}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text | string) -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set year, month, day = (text | string).split('-') | map('int') | list -%}
    {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
    {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
    {{- return(year >= 1 and 1 <= month <= 12 and 1 <= day <= month_days[month - 1]) -}}
{% endmacro %}
