#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# systemd-analyze verify on hashboardd's unit as make install writes it, with ExecStart
# pointed at the built binary (verify checks that it is executable). Any complaint
# (an unknown key, a bad value) fails, not only the errors verify exits non-zero on.
#   check_systemd_unit.sh <build-dir>
set -euo pipefail
build=$1
if ! command -v systemd-analyze >/dev/null; then
	echo "HB-SKIPPED: systemd-analyze is not installed (scripts/install-deps installs it)"
	exit 0
fi
dir=$(mktemp -d /tmp/hbunit-XXXXXX)
trap 'rm -rf "$dir"' EXIT
bin=$(grep -oP '^ExecStart=\K\S+' "$build/hashboardd.service")
sed "s#^ExecStart=$bin#ExecStart=$build/userspace/daemon/hashboardd#" \
	"$build/hashboardd.service" >"$dir/hashboardd.service"
grep -q "^ExecStart=$build/userspace/daemon/hashboardd " "$dir/hashboardd.service"
grep -q '^Type=notify' "$dir/hashboardd.service"
grep -q '^WatchdogSec=' "$dir/hashboardd.service"
out=$(systemd-analyze verify "$dir/hashboardd.service" 2>&1) || {
	echo "$out"
	exit 1
}
if [[ -n $out ]]; then
	echo "systemd-analyze verify complained:"
	echo "$out"
	exit 1
fi
echo "systemd-analyze verify: hashboardd.service clean"
