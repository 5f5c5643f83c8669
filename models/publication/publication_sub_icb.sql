-- docs/rules.md §5: the sub-ICB location CSV of the publication month (SPEC §9); see publication_area.
{{ publication_area('sub_icb') }}
