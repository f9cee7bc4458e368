// SPDX-License-Identifier: GPL-2.0
/*
 * hb_attach TTY [BAUD [BAUD_BASE]]: sets the hashboard line discipline on a
 * tty, prints the /dev/hashboardN it made, and holds the tty open (the chain
 * lives as long as the ldisc) until SIGTERM/SIGINT/SIGHUP. The stand-in for
 * "hbctl attach" in the guest and a model for the udev helper.
 */
#include "hbt.h"

#include <signal.h>

static speed_t to_speed(long baud)
{
	switch (baud) {
	case 9600: return B9600;
	case 57600: return B57600;
	case 115200: return B115200;
	case 230400: return B230400;
	case 460800: return B460800;
	case 921600: return B921600;
	case 1000000: return B1000000;
	case 1500000: return B1500000;
	case 3000000: return B3000000;
	default: return B115200;
	}
}

int main(int argc, char **argv)
{
	long baud = argc > 2 ? atol(argv[2]) : 115200;
	int fd, idx, sig;
	sigset_t set;

	if (argc < 2) {
		fprintf(stderr, "usage: hb_attach TTY [BAUD [BAUD_BASE]]\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_NOCTTY);
	if (fd < 0) {
		perror("hb_attach: open");
		return 1;
	}
	if (argc > 3 && hbt_set_baud_base(fd, atoi(argv[3])))
		perror("hb_attach: TIOCSSERIAL (ignored)");
	if (hbt_raw_termios(fd, to_speed(baud))) {
		perror("hb_attach: termios");
		return 1;
	}
	idx = hbt_attach(fd);
	if (idx < 0) {
		perror("hb_attach: TIOCSETD");
		return 1;
	}
	printf("/dev/hashboard%d\n", idx);
	fflush(stdout);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
	hbt_detach(fd);
	close(fd);
	return 0;
}
