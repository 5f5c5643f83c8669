-- docs/rules.md §5: the ICB CSV of the publication month (SPEC §9); see publication_area.
{{ publication_area('icb') }}
