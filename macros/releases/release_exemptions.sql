{#- docs/rules.md §4: the grounds on which a release may be exempt from opt-outs. -#}
{% macro release_exemptions() %}
    {{ return([
        'direct_care', 'explicit_consent', 'not_personal_confidential', 'anonymised',
        'legal_requirement', 'overriding_public_interest', 'national_cancer_registration',
        'congenital_anomalies_rare_diseases', 'assuring_transformation',
    ]) }}
{% endmacro %}
