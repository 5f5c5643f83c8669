{#- The landing file formats of docs/rules.md §1: folder under landing_dir -> header columns,
    in order. The one place the formats are written down. `received_once`: the feed has a
    historic record, so a file already received (same path, size and modification time)
    is not read again. -#}
{% macro landing_feeds() %}
    {{ return({
        'opt_out_codes': {
            'folder': 'opt_out_codes',
            'received_once': true,
            'columns': ['extract_date', 'practice_code', 'nhs_number', 'code', 'recorded_date'],
        },
        'practice_counts': {
            'folder': 'practice_counts',
            'received_once': true,
            'columns': ['extract_date', 'practice_code', 'registered_patients', 'type1_opt_outs'],
        },
        'patient_demographics': {
            'folder': 'patient_demographics',
            'received_once': true,
            'columns': ['extract_date', 'nhs_number', 'year_of_birth', 'gender', 'date_of_death'],
        },
        'nhs_number_changes': {
            'folder': 'nhs_number_changes',
            'received_once': true,
            'columns': ['extract_date', 'superseded_nhs_number', 'nhs_number', 'effective_date'],
        },
        'gp_level_data_patients': {
            'folder': 'gp_level_data/patients',
            'columns': ['collection_date', 'practice_code', 'nhs_number', 'usual_gp_code'],
        },
        'gp_level_data_opt_out_codes': {
            'folder': 'gp_level_data/opt_out_codes',
            'columns': ['extract_date', 'practice_code', 'nhs_number', 'code', 'recorded_date'],
        },
    }) }}
{% endmacro %}

{#- The feeds with a historic record (`received_once`), as a SQL list of names: `('a', 'b')`. -#}
{% macro received_once_feeds_sql() %}
    {%- set names = [] -%}
    {%- for feed, spec in landing_feeds().items() if spec.get('received_once') -%}
        {%- do names.append("'" ~ feed ~ "'") -%}
    {%- endfor -%}
    {{- return('(' ~ names | join(', ') ~ ')') -}}
{% endmacro %}
