/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/kmod/guest/b_frames.c: frames through /dev/hashboardN against the
 * same traffic read from the raw tty by a userspace loop (bench/kmod/run).
 *
 *   b_frames TTY FRAMES BAUD [WAKE_RECORDS WAKE_US]
 *
 * The far side of TTY is bench/kmod/sender.py: each pass starts when this
 * program writes a "go" command frame (a read of register MODE: 0 clean,
 * 1 with garbage between frames, 0xFF quit); the sender then sends FRAMES
 * 9-byte nonce replies counting up in the nonce and 8 end frames.
 *
 * Four passes in one run: kernel clean, tty clean, kernel garbage, tty
 * garbage. Kernel: the hashboard ldisc on TTY, /dev/hashboardN in framed
 * mode (reply_len 9), wake-up threshold WAKE_RECORDS records or WAKE_US
 * microseconds (HASHBOARD_IOC_SET_WAKEUP; default 1 and 0: every record),
 * blocking read() of records; the delay from a record's timestamp to the
 * read() that returned it is printed (mean, max). Tty: N_TTY raw (VMIN=1,
 * VTIME=0), blocking read(), frames found by a preamble + CRC5 parser here.
 * The sender paces the stream at BAUD (10 bits a byte).
 * A wake-up is a read() that returned data; also printed: the process's
 * voluntary context switches and, for the kernel, the driver's own count.
 * CPU: the process's user+sys (getrusage) and the whole guest's non-idle
 * time (/proc/stat: with the kworker that runs the ldisc or the framer).
 */
#include "hbt.h"

#include <signal.h>
#include <sys/resource.h>

#define END_COUNTER 0xffffffffu

/* A pass gives up after this: 10 s plus 3x the stream's time at the baud. */
static unsigned int pass_seconds = 12;

struct result {
	const char *path, *pass;
	uint32_t want, next;
	long frames, lost, dup, bad, overrun_recs, garbage, crc_bad;
	long reads, nvcsw;
	long long kwakeups;
	double secs, cpu_us, sys_us;
	double delay_sum_us, delay_max_us;
	long delay_n;
	int done;
};

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	timed_out = 1;
}

static double tv_us(const struct timeval *tv)
{
	return tv->tv_sec * 1e6 + tv->tv_usec;
}

/* Non-idle time of the whole guest in microseconds (/proc/stat, USER_HZ). */
static double busy_us(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	double hz = sysconf(_SC_CLK_TCK);

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		v[0] = v[1] = v[2] = v[5] = v[6] = v[7] = 0;
	fclose(f);
	return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1e6 / hz;
}

struct meter {
	struct rusage ru;
	uint64_t t;
	double busy;
};

static void meter_start(struct meter *m)
{
	getrusage(RUSAGE_SELF, &m->ru);
	m->busy = busy_us();
	m->t = hbt_now_ns();
}

static void meter_stop(const struct meter *m, struct result *r)
{
	struct rusage ru;
	uint64_t t = hbt_now_ns();

	getrusage(RUSAGE_SELF, &ru);
	r->secs = (t - m->t) / 1e9;
	r->cpu_us = tv_us(&ru.ru_utime) + tv_us(&ru.ru_stime) -
		    tv_us(&m->ru.ru_utime) - tv_us(&m->ru.ru_stime);
	r->sys_us = busy_us() - m->busy;
	r->nvcsw = ru.ru_nvcsw - m->ru.ru_nvcsw;
}

/* One checked 9-byte reply (preamble included). */
static void on_frame(struct result *r, const uint8_t *d)
{
	uint32_t c = (uint32_t)d[2] << 24 | d[3] << 16 | d[4] << 8 | d[5];

	if (c == END_COUNTER) {
		r->done = 1;
		return;
	}
	if (d[6] != 0x12 || d[7] != 0x34 || !(d[8] & 0x80) || c >= r->want) {
		r->bad++;
		return;
	}
	r->frames++;
	if (c == r->next) {
		r->next++;
	} else if (c > r->next) {
		r->lost += c - r->next;
		r->next = c + 1;
	} else {
		r->dup++;
	}
}

static void go(int fd, int mode)
{
	uint8_t cmd[16];
	size_t n = hbt_cmd_read_reg(cmd, (uint8_t)mode);

	if (hbt_full_write(fd, cmd, n))
		hbt_die("write go frame");
}

static void pass_begin(struct result *r, const char *path, const char *pass,
		       uint32_t frames)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->pass = pass;
	r->want = frames;
	timed_out = 0;
	alarm(pass_seconds);
}

static void pass_end(struct result *r)
{
	alarm(0);
	if (r->next < r->want)
		r->lost += r->want - r->next;
}

static void run_kernel(int tty, uint32_t frames, uint32_t baud, int mode,
		       const struct hashboard_wakeup *wake, struct result *r)
{
	static uint8_t buf[65536];
	struct hashboard_wakeup w = *wake;
	struct hashboard_stats st;
	struct hashboard_info info;
	struct meter m;
	int idx, fd;

	pass_begin(r, "kernel", mode ? "garbage" : "clean", frames);
	idx = hbt_attach(tty);
	if (idx < 0)
		hbt_die("TIOCSETD hashboard");
	fd = hbt_open_dev(idx, O_RDWR);
	if (fd < 0)
		hbt_die("open /dev/hashboardN");
	if (hbt_set_mode(fd, HASHBOARD_MODE_FRAMED, 9))
		hbt_die("SET_MODE framed 9");
	if (ioctl(fd, HASHBOARD_IOC_SET_BAUD, &baud))
		hbt_die("SET_BAUD");
	if (hbt_get_info(fd, &info))
		hbt_die("GET_INFO");
	if (ioctl(fd, HASHBOARD_IOC_SET_WAKEUP, &w))
		hbt_die("SET_WAKEUP");
	memset(&w, 0, sizeof(w));
	w.size = sizeof(w);
	if (ioctl(fd, HASHBOARD_IOC_GET_WAKEUP, &w))
		hbt_die("GET_WAKEUP");
	if (ioctl(fd, HASHBOARD_IOC_FLUSH) || ioctl(fd, HASHBOARD_IOC_CLEAR_STATS))
		hbt_die("FLUSH/CLEAR_STATS");
	printf("info: kernel pass: /dev/hashboard%d, baud %u, framed, reply_len %u, wake-up min_records %u max_delay_us %u\n",
	       idx, info.baud, info.reply_len, w.min_records, w.max_delay_us);
	fflush(stdout);

	meter_start(&m);
	go(fd, mode);
	while (!r->done && !timed_out) {
		ssize_t n = read(fd, buf, sizeof(buf));
		uint64_t now = hbt_now_ns();
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			hbt_die("read /dev/hashboardN");
		if (n == 0)
			break;
		r->reads++;
		while (off + sizeof(struct hashboard_record) <= (size_t)n) {
			struct hashboard_record h;
			double d;

			memcpy(&h, buf + off, sizeof(h));
			d = (now - h.timestamp_ns) / 1e3;
			r->delay_sum_us += d;
			r->delay_n++;
			if (d > r->delay_max_us)
				r->delay_max_us = d;
			if (h.flags & HASHBOARD_REC_OVERRUN)
				r->overrun_recs++;
			if (h.len == 9)
				on_frame(r, buf + off + sizeof(h));
			else
				r->bad++;
			off += HASHBOARD_RECORD_SIZE(h.len);
		}
	}
	meter_stop(&m, r);
	pass_end(r);
	if (hbt_get_stats(fd, &st))
		hbt_die("GET_STATS");
	r->kwakeups = st.wakeups;
	r->garbage = st.garbage_bytes;
	r->crc_bad = st.crc_errors;
	printf("info: kernel stats: frames %llu crc_errors %llu garbage %llu overruns %llu wakeups %llu rx_bytes %llu\n",
	       (unsigned long long)st.frames, (unsigned long long)st.crc_errors,
	       (unsigned long long)st.garbage_bytes,
	       (unsigned long long)st.overruns, (unsigned long long)st.wakeups,
	       (unsigned long long)st.rx_bytes);
	close(fd);
	if (hbt_detach(tty))
		hbt_die("TIOCSETD N_TTY");
}

static void run_tty(int tty, uint32_t frames, speed_t speed, int mode,
		    struct result *r)
{
	static uint8_t buf[4096 + 16];
	struct termios t;
	struct meter m;
	size_t have = 0;

	pass_begin(r, "tty", mode ? "garbage" : "clean", frames);
	if (hbt_raw_termios(tty, speed) || tcgetattr(tty, &t))
		hbt_die("raw termios");
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(tty, TCSANOW, &t))
		hbt_die("VMIN/VTIME");
	tcflush(tty, TCIFLUSH);

	meter_start(&m);
	go(tty, mode);
	while (!r->done && !timed_out) {
		ssize_t n = read(tty, buf + have, 4096);
		size_t i = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			hbt_die("read tty");
		if (n == 0)
			break;
		r->reads++;
		have += n;
		/* Sync on AA 55; a 9-byte frame whose CRC5 over the 7 bytes after
		 * the preamble is zero; otherwise resync one byte on. */
		while (i < have && !r->done) {
			if (buf[i] != 0xaa) {
				r->garbage++;
				i++;
				continue;
			}
			if (have - i < 2)
				break;
			if (buf[i + 1] != 0x55) {
				r->garbage++;
				i++;
				continue;
			}
			if (have - i < 9)
				break;
			if (!hbt_crc5(buf + i + 2, 7)) {
				on_frame(r, buf + i);
				i += 9;
			} else {
				r->crc_bad++;
				i++;
			}
		}
		memmove(buf, buf + i, have - i);
		have -= i;
	}
	meter_stop(&m, r);
	pass_end(r);
}

static void print_result(const struct result *r, uint32_t baud)
{
	double f = r->frames ? r->frames : 1;

	printf("BENCH: %-6s %-7s frames %ld/%u lost %ld dup %ld bad %ld overrun-records %ld garbage %ld crc %ld | %.3f s %.0f frames/s | process CPU %.2f us/frame, guest busy %.2f us/frame | wake-ups (read returns) %ld = %.4f/frame, voluntary switches %ld = %.4f/frame",
	       r->path, r->pass, r->frames, r->want, r->lost, r->dup, r->bad,
	       r->overrun_recs, r->garbage, r->crc_bad, r->secs,
	       r->secs > 0 ? r->frames / r->secs : 0, r->cpu_us / f,
	       r->sys_us / f, r->reads, r->reads / f, r->nvcsw, r->nvcsw / f);
	if (!strcmp(r->path, "kernel"))
		printf(", driver wake-ups %lld | record to read() %.0f us mean, %.0f us max",
		       r->kwakeups, r->delay_n ? r->delay_sum_us / r->delay_n : 0,
		       r->delay_max_us);
	printf("%s\n", r->done ? "" : " (no end frame: timed out)");
	(void)baud;
	fflush(stdout);
}

static int compare(const struct result *k, const struct result *t)
{
	double ratio = k->reads ? (double)t->reads / k->reads : 0;
	int met = ratio >= 3.0 && k->lost == 0 && k->frames == k->want;

	printf("BENCH: %-7s wake-ups tty/kernel %.2fx; lost kernel %ld tty %ld; target (0 lost through the kernel, >= 3x fewer wake-ups): %s\n",
	       k->pass, ratio, k->lost, t->lost, met ? "met" : "missed");
	fflush(stdout);
	return met;
}

static speed_t to_speed(uint32_t baud)
{
	switch (baud) {
	case 115200: return B115200;
	case 230400: return B230400;
	case 460800: return B460800;
	case 500000: return B500000;
	case 921600: return B921600;
	case 1000000: return B1000000;
	case 1500000: return B1500000;
	case 2000000: return B2000000;
	case 3000000: return B3000000;
	case 4000000: return B4000000;
	default: return 0;
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct hashboard_wakeup wake = { .size = sizeof(wake), .min_records = 1 };
	struct result r[4];
	uint32_t frames, baud;
	speed_t speed;
	int tty, met;

	hbt_prog = "b_frames";
	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: b_frames TTY FRAMES BAUD [WAKE_RECORDS WAKE_US]\n");
		return 2;
	}
	frames = strtoul(argv[2], NULL, 0);
	baud = strtoul(argv[3], NULL, 0);
	if (argc == 6) {
		wake.min_records = strtoul(argv[4], NULL, 0);
		wake.max_delay_us = strtoul(argv[5], NULL, 0);
	}
	speed = to_speed(baud);
	if (!frames || !speed) {
		fprintf(stderr, "b_frames: bad frame count or baud (one of the Bnnn rates)\n");
		return 2;
	}
	/* 9 bytes a frame (garbage pass: about 10), 10 bits a byte. */
	pass_seconds = 10 + 3 * (unsigned int)(frames * 100ull / baud + 1);
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: read() gets EINTR */

	tty = open(argv[1], O_RDWR | O_NOCTTY);
	if (tty < 0)
		hbt_die("open tty");
	if (hbt_set_baud_base(tty, baud))
		hbt_die("TIOCSSERIAL baud_base");
	if (hbt_raw_termios(tty, speed))
		hbt_die("termios");
	printf("info: %s at %u Bd (16550 baud_base %u), %u frames of 9 bytes per pass; the wire carries %u frames/s at that baud (10 bits a byte), and the sender paces the stream at it (QEMU itself does not); a pass gives up after %u s\n",
	       argv[1], baud, baud, frames, baud / 90, pass_seconds);
	fflush(stdout);

	run_kernel(tty, frames, baud, 0, &wake, &r[0]);
	print_result(&r[0], baud);
	run_tty(tty, frames, speed, 0, &r[1]);
	print_result(&r[1], baud);
	run_kernel(tty, frames, baud, 1, &wake, &r[2]);
	print_result(&r[2], baud);
	run_tty(tty, frames, speed, 1, &r[3]);
	print_result(&r[3], baud);
	go(tty, 0xff);

	met = compare(&r[0], &r[1]);
	met &= compare(&r[2], &r[3]);
	printf("BENCH: target %s\n", met ? "met" : "missed");
	/* A missed target is a result, not a failure; a pass that got nothing is. */
	for (int i = 0; i < 4; i++)
		CHECK(r[i].frames > 0, "frames arrived",
		      "%s %s: no frames", r[i].path, r[i].pass);
	close(tty);
	return hbt_done();
}
