{#- R15 on the built release: no row of a patient opted out as known at the release's
    as_of. Reads the arguments apply_opt_outs recorded; returns a count, never a number. -#}
{% test no_opted_out_patients(model) %}
    {%- set release = {'nhs_number_column': 'nhs_number', 'as_of': none} -%}
    {%- if execute -%}
        {%- for node in release_nodes() if node.alias == model.identifier and node.schema == model.schema -%}
            {%- do release.update(node.config.meta.get('opt_out_release') or {}) -%}
        {%- endfor -%}
    {%- endif %}
-- depends_on: {{ ref('published_current_opt_outs') }}, {{ ref('published_opt_out_periods') }}, {{ ref('published_nhs_number_links') }}
select count(*) as opted_out_rows
from {{ model }} as released
inner join ({{ opted_out_patients(release.as_of) }}) as opted_out
    on opted_out.nhs_number = {{ normalise_nhs_number('released.' ~ quoted_column(release.nhs_number_column)) }}
having count(*) > 0
{% endtest %}
