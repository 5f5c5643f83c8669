{{ apply_opt_outs(ref('hospital_episodes')) }}
