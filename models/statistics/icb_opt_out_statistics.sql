-- R13 on today's geography (SPEC §9): ICB figures per month; see area_opt_out_statistics.
{{ area_opt_out_statistics('icb') }}
