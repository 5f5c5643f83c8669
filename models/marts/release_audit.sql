-- SPEC §6: per release, rows in, rows out, rows and patients removed, rows without a
-- matchable NHS number, the as_of used and the exemption. Every release model must be
-- listed here (check_release_governance fails the build otherwise).
-- depends_on: {{ ref('published_current_opt_outs') }}, {{ ref('published_opt_out_periods') }}
{{ release_audit_rows([
    ref('release_hes_cancer_registration'),
    ref('release_hes_research_extract'),
    ref('release_hes_research_extract_2025_09_01'),
]) }}
