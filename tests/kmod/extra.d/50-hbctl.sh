# Sourced by tests/kmod/run with rootfs, BUILD and here set: when the tree's hbctl
# has the kdev: transport, copy it with its shared libraries and the dynamic
# loader into the guest and add the guest step that drives /dev/hashboardN
# with it (hbctl scan and mine against hbsim over the line discipline).
hbctl_bin=$BUILD/tools/hbctl
conformance_bin=$BUILD/tests/test_transport_conformance
if [[ -x $hbctl_bin ]] && grep -q 'kdev: needs a device path' "$hbctl_bin"; then
	cp "$hbctl_bin" "$rootfs/bin/hbctl"
	# The transport conformance suite's kdev checks run against the device too.
	bins=("$hbctl_bin")
	if [[ -x $conformance_bin ]]; then
		cp "$conformance_bin" "$rootfs/bin/test_transport_conformance"
		bins+=("$conformance_bin")
	fi
	ldd "${bins[@]}" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | sort -u |
		while read -r lib; do
			mkdir -p "$rootfs$(dirname "$lib")"
			cp -L "$lib" "$rootfs$lib"
		done
	cp "$here/extra.d/55-hbctl.guest" "$rootfs/steps/55-hbctl.sh"
	echo "kmod-run: with hbctl from $hbctl_bin (kdev transport)"
else
	echo "kmod-run: no kdev-capable hbctl in $BUILD/tools: hbctl guest step skipped"
fi
