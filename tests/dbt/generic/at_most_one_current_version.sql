{#- A snapshot holds at most one current version per key (dbt_valid_to null). -#}
{% test at_most_one_current_version(model, unique_key) %}
select
    {{ unique_key }},
    count(*) as current_versions
from {{ model }}
where dbt_valid_to is null
group by {{ unique_key }}
having count(*) > 1
{% endtest %}
