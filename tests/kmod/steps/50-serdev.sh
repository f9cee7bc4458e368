# serdev on COM2 (ttyS1) from the SSDT, wired to a second hbsim.
STEP=serdev
. /steps/lib.sh
check "ttyS1 owned by serdev (no tty node)" test ! -e /dev/ttyS1
t_chain serdev - 4 1366 || rc=1
t_unbind serdev 4 1366 || rc=1
exit $rc
