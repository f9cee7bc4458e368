# insmod and rmmod cleanly, twice; the ldisc is registered; the serdev chain
# from the SSDT appears at insmod and goes at rmmod.
STEP=module
. /steps/lib.sh
check "insmod" insmod /lib/hb/hashboard.ko
check "ldisc 29 registered" grep -q '^hashboard *29$' /proc/tty/ldiscs
check "class exists" test -d /sys/class/hashboard
sleep 0.3
d=$(hb_by_transport serdev) && pass "serdev chain from ACPI: $d" ||
	fail "serdev chain from ACPI"
[ -n "$d" ] && check "/dev/$d node" test -c "/dev/$d"
[ -n "$d" ] && {
	ue=$(cat /sys/class/hashboard/$d/uevent | tr '\n' ' ')
	echo "info: uevent: $ue"
	case "$ue" in *HASHBOARD_CHAIN=7*HASHBOARD_FAMILY=bm1366*) pass "uevent chain and family";;
	*) fail "uevent chain and family";; esac
}
check "rmmod" rmmod hashboard
check "class gone after rmmod" test ! -e /sys/class/hashboard
check "ldisc gone after rmmod" sh -c '! grep -q "^hashboard" /proc/tty/ldiscs'
check "insmod again" insmod /lib/hb/hashboard.ko
sleep 0.3
exit $rc
