# rmmod after everything: no chain left behind, nothing held.
STEP=rmmod
. /steps/lib.sh
ls /sys/class/hashboard/
check "rmmod hashboard after use" rmmod hashboard
check "no hashboard nodes left" sh -c '! ls /dev/hashboard* 2>/dev/null'
exit $rc
