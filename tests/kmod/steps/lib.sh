# Sourced by the step scripts: PASS/FAIL lines in the guest test format.
rc=0
pass() { echo "PASS: ${STEP:-sh}: $*"; }
fail() { echo "FAIL: ${STEP:-sh}: $*"; rc=1; }
check() { what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
# The first /sys/class/hashboard device whose transport is $1 (name only).
hb_by_transport() {
	for d in /sys/class/hashboard/*; do
		[ -e "$d/transport" ] && [ "$(cat "$d/transport")" = "$1" ] &&
			{ echo "${d##*/}"; return 0; }
	done
	return 1
}
