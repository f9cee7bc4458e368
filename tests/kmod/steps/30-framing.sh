STEP=framing
t_framing
