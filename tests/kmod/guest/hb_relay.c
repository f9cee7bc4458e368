// SPDX-License-Identifier: GPL-2.0
/*
 * hb_relay A B: copies bytes both ways between two files (A is
 * /dev/hbspi_stub, B a tty) until killed. With a tty, it is put in raw mode
 * first. What comes from B is handed to A once B has been quiet for 2 ms,
 * as a bridge hands over what its receive FIFO gathered: the stub clocks
 * 0x00 when it has nothing, and a reply handed over in two pieces would get
 * filler in its middle.
 */
#include "hbt.h"

static int open_side(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY);

	if (fd >= 0 && isatty(fd))
		hbt_raw_termios(fd, B115200);
	return fd;
}

int main(int argc, char **argv)
{
	struct pollfd p[2];
	uint8_t buf[4096];
	int fd[2];

	if (argc != 3) {
		fprintf(stderr, "usage: hb_relay A B\n");
		return 2;
	}
	fd[0] = open_side(argv[1]);
	fd[1] = open_side(argv[2]);
	if (fd[0] < 0 || fd[1] < 0) {
		perror("hb_relay: open");
		return 1;
	}
	for (;;) {
		for (int i = 0; i < 2; i++)
			p[i] = (struct pollfd){ .fd = fd[i], .events = POLLIN };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (!(p[i].revents & POLLIN))
				continue;
			n = read(fd[i], buf, sizeof(buf));
			if (n <= 0)
				continue;
			while (i == 1 && n < (ssize_t)sizeof(buf)) {
				struct pollfd q = { .fd = fd[1], .events = POLLIN };
				ssize_t m;

				if (poll(&q, 1, 2) <= 0)
					break;
				m = read(fd[1], buf + n, sizeof(buf) - n);
				if (m <= 0)
					break;
				n += m;
			}
			if (hbt_full_write(fd[!i], buf, n))
				return 1;
		}
	}
}
