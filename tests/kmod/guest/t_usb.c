// SPDX-License-Identifier: GPL-2.0
/*
 * t_usb TTY CHIPS CHIPID: the line discipline on a USB serial adapter
 * (QEMU's usb-serial, an FTDI FT232, wired to hbsim), then the adapter
 * unplugged (the host runs "device_del usbser" on QEMU's monitor when this
 * prints its request) while a reader blocks in read() and a poller in
 * poll(): the hangup contract, and the tty gone.
 */
#include "hbt.h"

int main(int argc, char **argv)
{
	struct hashboard_info info;
	struct hbt_hangup h;
	int ttyfd, idx, fd;

	hbt_prog = "t_usb";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4) {
		fprintf(stderr, "usage: t_usb TTY CHIPS CHIPID\n");
		return 2;
	}
	ttyfd = open(argv[1], O_RDWR | O_NOCTTY);
	if (ttyfd < 0)
		hbt_die("open tty");
	CHECK_OK(hbt_raw_termios(ttyfd, B115200), "tty raw 115200");
	idx = hbt_attach(ttyfd);
	if (idx < 0)
		hbt_die("TIOCSETD on the USB tty");
	printf("info: %s is /dev/hashboard%d\n", argv[1], idx);
	fd = hbt_open_dev(idx, O_RDWR);
	if (fd < 0)
		hbt_die("open dev");
	CHECK_OK(hbt_get_info(fd, &info), "GET_INFO");
	CHECK(info.transport == HASHBOARD_TRANSPORT_LDISC, "transport ldisc",
	      "%u", info.transport);
	hbt_enumerate(fd, atoi(argv[2]), strtoul(argv[3], NULL, 16),
		      "enumerate over the USB adapter");
	close(fd);

	if (hbt_hangup_start(&h, idx))
		hbt_die("hangup setup");
	printf("=== HOST: device_del usbser\n");
	fflush(stdout);
	hbt_hangup_check(&h, "USB unplug");
	close(ttyfd);
	for (int i = 0; i < 40 && access(argv[1], F_OK) == 0; i++)
		hbt_msleep(50);
	CHECK(access(argv[1], F_OK) != 0, "USB tty gone after its last close",
	      "%s still there", argv[1]);
	return hbt_done();
}
