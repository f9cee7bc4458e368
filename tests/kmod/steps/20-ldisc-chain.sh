# The line discipline on ttyS2, wired to hbsim (4 x bm1366) on the host.
STEP=ldisc-chain
. /steps/lib.sh
grep -q '^2: uart:16550A' /proc/tty/driver/serial && pass "ttyS2 is a 16550A" ||
	fail "ttyS2 is a 16550A: $(grep '^2:' /proc/tty/driver/serial)"
t_chain ldisc /dev/ttyS2 4 1366 || rc=1
exit $rc
