{#- The combination of `columns` identifies one row (a primary-key test on several columns).
    Columns are quoted, so upper-case names (the publication's headers) work on every engine. -#}
{% test unique_combination(model, columns) %}
    {%- set quoted = [] -%}
    {%- for column in columns -%}{%- do quoted.append(adapter.quote(column)) -%}{%- endfor %}
select
    {{ quoted | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ quoted | join(', ') }}
having count(*) > 1
{% endtest %}
