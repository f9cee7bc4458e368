/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the guest test programs (static, run under /init in
 * the QEMU guest). Every check prints one "PASS: prog: what" or
 * "FAIL: prog: what: detail" line; main ends with hbt_done(), which prints
 * "DONE: prog pass=N fail=M" (tests/kmod/run wants one DONE per program and
 * no FAIL).
 */
#ifndef HBT_H
#define HBT_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/serial.h>
#include <linux/tty.h>

#include <linux/hashboard.h>

/* hashboard_ldisc.c: on the tty, which /dev/hashboardN the ldisc made. */
#define HB_LDISC HASHBOARD_LDISC

static const char *hbt_prog = "?";
static int hbt_pass, hbt_fail;
static pthread_mutex_t hbt_lock = PTHREAD_MUTEX_INITIALIZER;

static void hbt_check(int ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void hbt_check(int ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&hbt_lock);
	if (ok) {
		hbt_pass++;
		printf("PASS: %s: %s\n", hbt_prog, what);
	} else {
		hbt_fail++;
		printf("FAIL: %s: %s: ", hbt_prog, what);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
	pthread_mutex_unlock(&hbt_lock);
}

#define CHECK(cond, what, ...) hbt_check(!!(cond), what, __VA_ARGS__)
/* An ioctl/syscall that must fail with errno e. */
#define CHECK_ERR(expr, e, what)                                              \
	do {                                                                  \
		errno = 0;                                                    \
		long r_ = (long)(expr);                                       \
		int e_ = errno;                                               \
		hbt_check(r_ < 0 && e_ == (e), what,                          \
			  "got %ld errno %d (%s), want %s", r_, e_,           \
			  strerror(e_), #e);                                  \
	} while (0)
#define CHECK_OK(expr, what)                                                  \
	do {                                                                  \
		errno = 0;                                                    \
		long r_ = (long)(expr);                                       \
		int e_ = errno;                                               \
		hbt_check(r_ >= 0, what, "got %ld errno %d (%s)", r_, e_,     \
			  strerror(e_));                                      \
	} while (0)

static int hbt_done(void)
{
	printf("DONE: %s pass=%d fail=%d\n", hbt_prog, hbt_pass, hbt_fail);
	fflush(stdout);
	return hbt_fail ? 1 : 0;
}

static void hbt_die(const char *what)
{
	printf("FAIL: %s: %s: %s (giving up)\n", hbt_prog, what, strerror(errno));
	printf("DONE: %s pass=%d fail=%d\n", hbt_prog, hbt_pass, hbt_fail + 1);
	fflush(stdout);
	exit(1);
}

static uint64_t hbt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void hbt_msleep(unsigned int ms)
{
	usleep(ms * 1000);
}

/* CRC5 of the BM13xx protocol: poly 0x05, init 0x1f, MSB first, no xor. */
static uint8_t hbt_crc5(const uint8_t *buf, size_t len)
{
	uint8_t crc = 0x1f;

	for (size_t i = 0; i < len; i++)
		for (int bit = 7; bit >= 0; bit--) {
			unsigned int fb = ((crc >> 4) ^ (buf[i] >> bit)) & 1;

			crc = (crc << 1) & 0x1f;
			if (fb)
				crc ^= 0x05;
		}
	return crc;
}

/* A command: 55 AA hdr len data... crc5(hdr..data). */
static size_t hbt_cmd(uint8_t *out, uint8_t hdr, const uint8_t *data,
		      size_t n)
{
	out[0] = 0x55;
	out[1] = 0xaa;
	out[2] = hdr;
	out[3] = (uint8_t)(n + 3); /* hdr, len, data, crc */
	memcpy(out + 4, data, n);
	out[4 + n] = hbt_crc5(out + 2, n + 2);
	return n + 5; /* with the preamble */
}

/* Broadcast read of register reg: 55 AA 52 05 00 reg crc. */
static size_t hbt_cmd_read_reg(uint8_t *out, uint8_t reg)
{
	const uint8_t d[2] = { 0x00, reg };

	return hbt_cmd(out, 0x52, d, 2);
}

/*
 * A reply of len bytes (9 or 11): AA 55 body[len-3], then the last byte:
 * three flag bits (bit 7 nonce) over five CRC bits such that the CRC5 over
 * everything after the preamble is zero.
 */
static void hbt_reply(uint8_t *out, size_t len, const uint8_t *body,
		      int nonce)
{
	out[0] = 0xaa;
	out[1] = 0x55;
	memcpy(out + 2, body, len - 3);
	for (int c = 0; c < 32; c++) {
		out[len - 1] = (nonce ? 0x80 : 0) | c;
		if (!hbt_crc5(out + 2, len - 2))
			return;
	}
	fprintf(stderr, "hbt_reply: no CRC found\n");
	abort();
}

static int hbt_full_write(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= r;
	}
	return 0;
}

/* A parsed record from read() of /dev/hashboardN. */
struct hbt_rec {
	struct hashboard_record h;
	uint8_t data[HASHBOARD_MAX_RECORD];
};

/*
 * Splits a read() buffer into records; returns how many, or -1 if the
 * buffer is not a whole number of well-formed records.
 */
static int hbt_parse(const uint8_t *buf, size_t n, struct hbt_rec *out,
		     int max)
{
	size_t off = 0;
	int k = 0;

	while (off < n) {
		struct hashboard_record h;
		size_t size;

		if (n - off < sizeof(h))
			return -1;
		memcpy(&h, buf + off, sizeof(h));
		if (h.len > HASHBOARD_MAX_RECORD || h.reserved)
			return -1;
		size = HASHBOARD_RECORD_SIZE(h.len);
		if (n - off < size)
			return -1;
		if (k < max) {
			out[k].h = h;
			memcpy(out[k].data, buf + off + sizeof(h), h.len);
		}
		k++;
		off += size;
	}
	return k;
}

/*
 * Reads records until want arrived or timeout_ms passed without any;
 * returns how many (-1 on a malformed read).
 */
static int hbt_read_records(int fd, struct hbt_rec *out, int max, int want,
			    int timeout_ms)
{
	static uint8_t buf[65536];
	int got = 0;

	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		int k;

		if (poll(&p, 1, timeout_ms) <= 0)
			break;
		if (!(p.revents & POLLIN))
			break;
		r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		k = hbt_parse(buf, r, out + got, max - got);
		if (k < 0)
			return -1;
		got += k;
	}
	return got;
}

static int hbt_get_info(int fd, struct hashboard_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(fd, HASHBOARD_IOC_GET_INFO, info);
}

static int hbt_get_stats(int fd, struct hashboard_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(fd, HASHBOARD_IOC_GET_STATS, st);
}

static int hbt_set_mode(int fd, uint32_t mode, uint32_t reply_len)
{
	struct hashboard_mode m = {
		.size = sizeof(m), .mode = mode, .reply_len = reply_len,
	};

	return ioctl(fd, HASHBOARD_IOC_SET_MODE, &m);
}

static int hbt_raw_termios(int fd, speed_t speed)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -1;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	cfsetispeed(&t, speed);
	cfsetospeed(&t, speed);
	return tcsetattr(fd, TCSANOW, &t);
}

/* Raises a 16550's base rate so bauds above 115200 are accepted. */
static int hbt_set_baud_base(int fd, int baud_base)
{
	struct serial_struct ss;

	if (ioctl(fd, TIOCGSERIAL, &ss))
		return -1;
	ss.baud_base = baud_base;
	return ioctl(fd, TIOCSSERIAL, &ss);
}

/* Sets the hashboard ldisc on tty fd; returns N of /dev/hashboardN or -1. */
static int hbt_attach(int fd)
{
	int ldisc = HB_LDISC;
	__u32 idx;

	if (ioctl(fd, TIOCSETD, &ldisc))
		return -1;
	if (ioctl(fd, HASHBOARD_LDISC_IOC_INDEX, &idx))
		return -1;
	return (int)idx;
}

static int hbt_detach(int fd)
{
	int ldisc = N_TTY;

	return ioctl(fd, TIOCSETD, &ldisc);
}

static int hbt_open_dev(int idx, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/hashboard%d", idx);
	return open(path, flags);
}

/* Reads /sys/class/hashboard/hashboardN/attr into buf (newline removed). */
static int hbt_sysfs(int idx, const char *attr, char *buf, size_t n)
{
	char path[128];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/hashboard/hashboard%d/%s", idx,
		 attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	if (r && buf[r - 1] == '\n')
		buf[r - 1] = 0;
	return 0;
}

static long long hbt_sysfs_num(int idx, const char *attr)
{
	char buf[64];

	if (hbt_sysfs(idx, attr, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 0);
}

static int hbt_sysfs_write(int idx, const char *attr, const char *val)
{
	char path[128];
	ssize_t r;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/hashboard/hashboard%d/%s", idx,
		 attr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	r = write(fd, val, strlen(val));
	close(fd);
	return r < 0 ? -1 : 0;
}

/* The first hashboardN whose transport attribute is name, or -1. */
static int hbt_find_transport(const char *name)
{
	char buf[32];

	for (int i = 0; i < 32; i++)
		if (!hbt_sysfs(i, "transport", buf, sizeof(buf)) &&
		    !strcmp(buf, name))
			return i;
	return -1;
}

/* Opens a pty pair; *slave gets the slave fd. Both raw. */
static int hbt_open_pty(int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 || grantpt(m) || unlockpt(m))
		return -1;
	*slave = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (*slave < 0)
		return -1;
	hbt_raw_termios(m, B115200);
	hbt_raw_termios(*slave, B115200);
	return m;
}

/* Drains whatever a fd has now (non-blocking), up to n bytes; returns count. */
static ssize_t hbt_drain(int fd, uint8_t *buf, size_t n, int timeout_ms)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, timeout_ms) <= 0 || !(p.revents & POLLIN))
			break;
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += r;
	}
	return got;
}


/*
 * Broadcast chip-id read: want replies of 9 bytes carrying chip_id, one per
 * chip. Returns how many good records came.
 */
static int hbt_enumerate(int fd, int chips, unsigned int chip_id,
			 const char *what)
{
	struct hbt_rec recs[64];
	uint8_t cmd[16];
	size_t n = hbt_cmd_read_reg(cmd, 0x00);
	uint64_t t0 = hbt_now_ns(), t1;
	int got, good = 0;

	if (write(fd, cmd, n) != (ssize_t)n) {
		hbt_check(0, what, "write: %s", strerror(errno));
		return 0;
	}
	got = hbt_read_records(fd, recs, 64, chips, 3000);
	t1 = hbt_now_ns();
	for (int i = 0; i < got && i < 64; i++) {
		const struct hbt_rec *r = &recs[i];
		const uint8_t *d = r->data;

		good += r->h.len == 9 && r->h.flags == 0 &&
			r->h.reserved == 0 && d[0] == 0xaa && d[1] == 0x55 &&
			d[2] == (chip_id >> 8) && d[3] == (chip_id & 0xff) &&
			hbt_crc5(d + 2, 7) == 0 && r->h.timestamp_ns >= t0 &&
			r->h.timestamp_ns <= t1;
	}
	hbt_check(got == chips && good == chips, what,
		  "got %d records, %d good, want %d", got, good, chips);
	return good;
}

/* A reader blocked in read() and a poller in poll() while the chain goes. */
struct hbt_hangup {
	int idx, rfd, pfd;
	pthread_t rt, pt;
	volatile ssize_t rret;
	volatile int rerr, pret, rdone, pdone;
	volatile short prevents;
};

static void *hbt_hang_reader(void *p)
{
	struct hbt_hangup *h = p;
	static uint8_t buf[4096];

	h->rret = read(h->rfd, buf, sizeof(buf));
	h->rerr = errno;
	h->rdone = 1;
	return NULL;
}

static void *hbt_hang_poller(void *p)
{
	struct hbt_hangup *h = p;
	struct pollfd pf = { .fd = h->pfd, .events = POLLIN };

	h->pret = poll(&pf, 1, 10000);
	h->prevents = pf.revents;
	h->pdone = 1;
	return NULL;
}

static int hbt_hangup_start(struct hbt_hangup *h, int idx)
{
	memset(h, 0, sizeof(*h));
	h->idx = idx;
	h->rfd = hbt_open_dev(idx, O_RDWR);
	h->pfd = hbt_open_dev(idx, O_RDWR);
	if (h->rfd < 0 || h->pfd < 0)
		return -1;
	pthread_create(&h->rt, NULL, hbt_hang_reader, h);
	pthread_create(&h->pt, NULL, hbt_hang_poller, h);
	hbt_msleep(300);
	if (h->rdone || h->pdone) {
		printf("info: reader/poller returned before the hangup\n");
		return -1;
	}
	return 0;
}

/* After the chain went away: the hangup contract of hashboard_core.h. */
static void hbt_hangup_check(struct hbt_hangup *h, const char *what)
{
	struct hashboard_info info;
	struct pollfd pf;
	char name[160], path[64];
	uint8_t cmd[16];
	size_t n = hbt_cmd_read_reg(cmd, 0);
	int fd;

	for (int i = 0; i < 500 && !(h->rdone && h->pdone); i++)
		hbt_msleep(10);
	snprintf(name, sizeof(name), "%s: blocked read returns 0", what);
	CHECK(h->rdone && h->rret == 0, name, "done %d ret %zd errno %d",
	      h->rdone, (ssize_t)h->rret, h->rerr);
	snprintf(name, sizeof(name), "%s: blocked poll wakes with POLLHUP", what);
	CHECK(h->pdone && h->pret == 1 && (h->prevents & POLLHUP), name,
	      "done %d ret %d revents %#x", h->pdone, h->pret, h->prevents);
	if (!h->rdone)
		pthread_cancel(h->rt);
	if (!h->pdone)
		pthread_cancel(h->pt);
	pthread_join(h->rt, NULL);
	pthread_join(h->pt, NULL);

	snprintf(name, sizeof(name), "%s: write -> EIO", what);
	CHECK_ERR(write(h->rfd, cmd, n), EIO, name);
	snprintf(name, sizeof(name), "%s: read -> 0", what);
	CHECK(read(h->rfd, path, sizeof(path)) == 0, name, "errno %d", errno);
	snprintf(name, sizeof(name), "%s: ioctl -> ENODEV", what);
	CHECK_ERR(hbt_get_info(h->rfd, &info), ENODEV, name);
	pf = (struct pollfd){ .fd = h->pfd, .events = POLLIN | POLLOUT };
	snprintf(name, sizeof(name), "%s: poll -> POLLHUP, not POLLOUT", what);
	CHECK(poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP) &&
	      !(pf.revents & POLLOUT), name, "revents %#x", pf.revents);
	snprintf(path, sizeof(path), "/dev/hashboard%d", h->idx);
	errno = 0;
	fd = open(path, O_RDWR);
	snprintf(name, sizeof(name), "%s: open again fails", what);
	CHECK(fd < 0 && (errno == ENODEV || errno == ENOENT || errno == ENXIO),
	      name, "fd %d errno %d", fd, errno);
	if (fd < 0)
		printf("info: %s: open %s: %s\n", what, path, strerror(errno));
	else
		close(fd);
	close(h->rfd);
	close(h->pfd);
}

/* The driver directory and device name behind /dev/hashboardN. */
static int hbt_bus_device(int idx, char *drv, size_t dn, char *dev, size_t n)
{
	char path[128], link[256];
	ssize_t r;
	char *b;

	snprintf(path, sizeof(path), "/sys/class/hashboard/hashboard%d/device",
		 idx);
	r = readlink(path, link, sizeof(link) - 1);
	if (r < 0)
		return -1;
	link[r] = 0;
	b = strrchr(link, '/');
	snprintf(dev, n, "%s", b ? b + 1 : link);
	snprintf(path, sizeof(path),
		 "/sys/class/hashboard/hashboard%d/device/driver", idx);
	if (!realpath(path, link))
		return -1;
	snprintf(drv, dn, "%s", link);
	return 0;
}

static int hbt_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = write(fd, val, strlen(val));
	close(fd);
	return r < 0 ? -1 : 0;
}

#endif /* HBT_H */
