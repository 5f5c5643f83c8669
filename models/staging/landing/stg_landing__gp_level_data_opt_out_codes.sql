-- Lines of gp_level_data/opt_out_codes/ files, typed and normalised like the Type 2 feed.
-- A view, never a table: these are the numbers of patients who may be excluded (R14).
{{ config(materialized='view') }}
{{ stage_opt_out_code_lines(source('landing', 'gp_level_data_opt_out_codes'), 'gp_level_data_opt_out_codes') }}
