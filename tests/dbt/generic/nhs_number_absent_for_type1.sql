{#- R4: a Type 1 row rejected from the Type 2 feed keeps no NHS number, raw or normalised.
    Returns only row identities, never the number itself. -#}
{% test nhs_number_absent_for_type1(model, reason_column) %}
select
    source_file,
    row_number
from {{ model }}
where
    ({{ reason_column }} = 'type1_not_collected' or opt_out_type = 1)
    and (nhs_number is not null or nhs_number_raw is not null)
{% endtest %}
