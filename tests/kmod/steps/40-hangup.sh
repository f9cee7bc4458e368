STEP=hangup
t_hangup 3
