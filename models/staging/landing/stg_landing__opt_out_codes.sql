-- Lines of opt_out_codes/ files, typed and normalised (R1, R2, R5 parsing, R6).
-- The rules are applied in int_opt_out_code_rows_classified.
{{ stage_opt_out_code_lines(source('landing', 'opt_out_codes'), 'opt_out_codes') }}
