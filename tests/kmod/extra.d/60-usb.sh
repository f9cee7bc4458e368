# Sourced by tests/kmod/run: the USB unplug case. The USB host and USB serial
# modules come from the same linux-image package as the kernel (cached in
# usbmods by run); the guest step loads them, attaches the line discipline to
# QEMU's usb-serial (wired to a fourth hbsim) and asks the host to unplug it.
if [[ ${KMOD_USB:-1} == 1 && -f $usbmods/ohci-pci.ko ]]; then
	mkdir -p "$rootfs/lib/hb/usb"
	cp "$usbmods"/*.ko "$rootfs/lib/hb/usb/"
	cp "$here/extra.d/65-usb.guest" "$rootfs/steps/65-usb.sh"
fi
