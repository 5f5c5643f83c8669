{{ apply_opt_outs(ref('hospital_episodes'), as_of='2025-09-01') }}
