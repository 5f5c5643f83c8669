-- docs/rules.md §5: the NHS England region CSV of the publication month (SPEC §9); see publication_area.
{{ publication_area('region') }}
