// SPDX-License-Identifier: GPL-2.0
/*
 * t_framing: the receive framer, through the line discipline on a pty slave.
 * The test plays the chain on the pty master: crafted bytes in, records out
 * of /dev/hashboardN, counters checked after every case.
 */
#include "hbt.h"

#include <signal.h>

static int master, slave, dev, idx;

static const uint8_t body9[6] = { 0x13, 0x66, 0x00, 0x00, 0x00, 0x00 };
static const uint8_t body11[8] = { 0x12, 0x34, 0x56, 0x78, 0x01, 0x2a,
				   0x00, 0x05 };

static void stats(struct hashboard_stats *st)
{
	if (hbt_get_stats(dev, st))
		memset(st, 0xff, sizeof(*st));
}

static void clear(void)
{
	uint8_t buf[4096];

	ioctl(dev, HASHBOARD_IOC_FLUSH);
	ioctl(dev, HASHBOARD_IOC_CLEAR_STATS);
	while (hbt_drain(master, buf, sizeof(buf), 0) > 0)
		;
}

/* Master writes bytes (the chain talking), waits for the ldisc to see them. */
static void feed(const uint8_t *b, size_t n)
{
	hbt_full_write(master, b, n);
	hbt_msleep(30);
}

static int records(struct hbt_rec *r, int max, int want)
{
	return hbt_read_records(dev, r, max, want, 300);
}

#define STATS_IS(st, fr, crc, garb)                                           \
	((st).frames == (fr) && (st).crc_errors == (crc) &&                   \
	 (st).garbage_bytes == (garb))
#define STATS_ARGS(st)                                                        \
	(unsigned long long)(st).frames, (unsigned long long)(st).crc_errors, \
		(unsigned long long)(st).garbage_bytes

static void test_good_and_garbage(void)
{
	struct hashboard_stats st;
	struct hbt_rec r[8];
	uint8_t f[16], buf[32];
	int n;

	clear();
	hbt_reply(f, 9, body9, 0);
	buf[0] = 0x01;
	buf[1] = 0x02;
	buf[2] = 0x55;
	memcpy(buf + 3, f, 9);
	feed(buf, 12);
	n = records(r, 8, 1);
	stats(&st);
	CHECK(n == 1 && r[0].h.len == 9 && !memcmp(r[0].data, f, 9) &&
	      STATS_IS(st, 1, 0, 3), "garbage before sync: counted, frame kept",
	      "n %d frames %llu crc %llu garbage %llu", n, STATS_ARGS(st));

	/* AA AA 55 ...: the first AA is garbage, the second starts the frame. */
	clear();
	buf[0] = 0xaa;
	memcpy(buf + 1, f, 9);
	feed(buf, 10);
	n = records(r, 8, 1);
	stats(&st);
	CHECK(n == 1 && STATS_IS(st, 1, 0, 1), "AA AA 55: resync on second AA",
	      "n %d frames %llu crc %llu garbage %llu", n, STATS_ARGS(st));

	/* Idle 0x00 bytes on a UART are garbage (only SPI has an idle byte). */
	clear();
	memset(buf, 0, 5);
	feed(buf, 5);
	stats(&st);
	CHECK(STATS_IS(st, 0, 0, 5), "zeros between frames are garbage on a tty",
	      "frames %llu crc %llu garbage %llu", STATS_ARGS(st));
}

static void test_crc(void)
{
	struct hashboard_stats st;
	struct hbt_rec r[8];
	uint8_t f[16], g[16], buf[32];
	int n;

	clear();
	hbt_reply(f, 9, body9, 0);
	memcpy(g, f, 9);
	g[4] ^= 0x10;
	feed(g, 9);
	n = records(r, 8, 1);
	stats(&st);
	CHECK(n == 0 && st.crc_errors == 1 && st.frames == 0,
	      "bad CRC: counted, not delivered",
	      "n %d frames %llu crc %llu garbage %llu", n, STATS_ARGS(st));
	feed(f, 9);
	n = records(r, 8, 1);
	stats(&st);
	CHECK(n == 1 && st.frames == 1 && st.crc_errors == 1,
	      "good frame after a bad one",
	      "n %d frames %llu crc %llu garbage %llu", n, STATS_ARGS(st));

	/* A preamble inside a bad frame: the framer resyncs on it. */
	clear();
	buf[0] = 0xaa;
	buf[1] = 0x55;
	memcpy(buf + 2, f, 9);
	feed(buf, 11);
	n = records(r, 8, 1);
	stats(&st);
	CHECK(n == 1 && !memcmp(r[0].data, f, 9) && st.crc_errors == 1 &&
	      st.frames == 1, "resync inside a CRC-failed frame",
	      "n %d frames %llu crc %llu garbage %llu", n, STATS_ARGS(st));

	/* Nonce flag. */
	clear();
	hbt_reply(f, 9, body9, 1);
	feed(f, 9);
	n = records(r, 8, 1);
	CHECK(n == 1 && (r[0].h.flags & HASHBOARD_REC_NONCE),
	      "bit 7 of LAST: HASHBOARD_REC_NONCE", "n %d flags %#x", n,
	      n ? r[0].h.flags : 0);
}

static void test_split(void)
{
	struct hashboard_stats st;
	struct hbt_rec r[8];
	uint8_t f[16], two[32];
	uint64_t t0;
	int n;

	clear();
	hbt_reply(f, 9, body9, 0);
	t0 = hbt_now_ns();
	for (int i = 0; i < 9; i++) {
		hbt_full_write(master, f + i, 1);
		hbt_msleep(15);
		if (i == 7) {
			n = records(r, 8, 1);
			CHECK(n == 0, "no record before the last byte", "n %d",
			      n);
		}
	}
	n = records(r, 8, 1);
	stats(&st);
	CHECK(n == 1 && !memcmp(r[0].data, f, 9) && STATS_IS(st, 1, 0, 0) &&
	      r[0].h.timestamp_ns > t0 + 100000000ull,
	      "frame split over nine writes, timestamp of the last byte",
	      "n %d frames %llu crc %llu garbage %llu", n, STATS_ARGS(st));

	/* Two frames in one write, the second split 4/5 with the next. */
	clear();
	memcpy(two, f, 9);
	memcpy(two + 9, f, 4);
	feed(two, 13);
	feed(f + 4, 5);
	n = records(r, 8, 2);
	stats(&st);
	CHECK(n == 2 && STATS_IS(st, 2, 0, 0), "frame split across writes",
	      "n %d frames %llu crc %llu garbage %llu", n, STATS_ARGS(st));
}

static void test_11(void)
{
	struct hashboard_stats st;
	struct hbt_rec r[8];
	uint8_t f[16], f9[16];
	int n;

	clear();
	CHECK_OK(hbt_set_mode(dev, HASHBOARD_MODE_FRAMED, 11), "reply_len 11");
	hbt_reply(f, 11, body11, 1);
	feed(f, 11);
	n = records(r, 8, 1);
	stats(&st);
	CHECK(n == 1 && r[0].h.len == 11 && !memcmp(r[0].data, f, 11) &&
	      (r[0].h.flags & HASHBOARD_REC_NONCE) && STATS_IS(st, 1, 0, 0),
	      "11-byte reply delivered whole",
	      "n %d len %u frames %llu crc %llu garbage %llu", n,
	      n ? r[0].h.len : 0, STATS_ARGS(st));
	/* A 9-byte reply in 11-byte mode is not a good frame. */
	clear();
	hbt_reply(f9, 9, body9, 0);
	feed(f9, 9);
	feed(f9, 9);
	n = records(r, 8, 1);
	stats(&st);
	CHECK(n == 0 && st.frames == 0 && st.crc_errors >= 1,
	      "9-byte replies in 11-byte mode are not delivered",
	      "n %d frames %llu crc %llu garbage %llu", n, STATS_ARGS(st));
	CHECK(hbt_sysfs_num(idx, "reply_len") == 11, "sysfs reply_len 11",
	      "%lld", hbt_sysfs_num(idx, "reply_len"));
	CHECK_OK(hbt_sysfs_write(idx, "reply_len", "9"), "sysfs reply_len := 9");
	CHECK_OK(hbt_set_mode(dev, HASHBOARD_MODE_FRAMED, 9), "reply_len 9");
}

static void test_raw(void)
{
	struct hbt_rec r[64];
	uint8_t buf[200], got[400];
	int n, total = 0, ok = 1;
	char mode[16];

	clear();
	CHECK_OK(hbt_sysfs_write(idx, "mode", "raw"), "sysfs mode := raw");
	CHECK(!hbt_sysfs(idx, "mode", mode, sizeof(mode)) &&
	      !strcmp(mode, "raw"), "sysfs mode reads raw", "'%s'", mode);
	for (int i = 0; i < 200; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	feed(buf, 200);
	n = hbt_read_records(dev, r, 64, 64, 300);
	for (int i = 0; i < n; i++) {
		if (!(r[i].h.flags & HASHBOARD_REC_RAW) || r[i].h.len == 0 ||
		    r[i].h.len > HASHBOARD_MAX_RECORD || total + r[i].h.len > 400)
			ok = 0;
		else
			memcpy(got + total, r[i].data, r[i].h.len);
		total += r[i].h.len;
	}
	CHECK(ok && total == 200 && !memcmp(got, buf, 200),
	      "raw mode: bytes as sent, records of at most 64",
	      "ok %d total %d records %d", ok, total, n);
	CHECK_OK(hbt_sysfs_write(idx, "mode", "framed"),
		 "sysfs mode := framed");
	CHECK(hbt_sysfs_write(idx, "mode", "bogus") < 0 && errno == EINVAL,
	      "sysfs mode bogus -> EINVAL", "errno %d", errno);
}

/* The FIFO's capacity in 9-byte reply records (32 bytes each, 16 KiB). */
#define FIFO_RECS 512

/* Reply i of a burst: a counter in the body, good CRC. */
static void counted(uint8_t *out, uint32_t i)
{
	uint8_t body[6] = { 0x13, 0x66, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
			    (uint8_t)(i >> 8), (uint8_t)i };

	hbt_reply(out, 9, body, 0);
}

static uint32_t counter_of(const struct hbt_rec *r)
{
	return (uint32_t)r->data[4] << 24 | (uint32_t)r->data[5] << 16 |
	       (uint32_t)r->data[6] << 8 | r->data[7];
}

/* n records numbered from first, in order, no overrun flag. */
static int in_order(const struct hbt_rec *r, int n, uint32_t first)
{
	for (int i = 0; i < n; i++)
		if (r[i].h.len != 9 || counter_of(&r[i]) != first + i ||
		    (r[i].h.flags & HASHBOARD_REC_OVERRUN))
			return 0;
	return 1;
}

static void test_flush(void)
{
	uint8_t f[16], b[64];

	clear();
	hbt_reply(f, 9, body9, 0);
	feed(f, 9);
	CHECK_OK(ioctl(dev, HASHBOARD_IOC_FLUSH), "FLUSH");
	ioctl(dev, HASHBOARD_IOC_CLEAR_STATS);
	fcntl(dev, F_SETFL, O_NONBLOCK);
	CHECK_ERR(read(dev, b, sizeof(b)), EAGAIN, "nothing left after FLUSH");
	fcntl(dev, F_SETFL, 0);
}

/*
 * A burst bigger than the FIFO with a reader that has not read yet: the line
 * discipline takes what fits and leaves the rest in the tty's flip buffer
 * (receive_buf2 back-pressure), so nothing is lost; the reader then gets
 * every frame in order.
 */
static void test_backpressure(void)
{
	enum { N = 1500 };
	static uint8_t many[9 * N];
	static struct hbt_rec r[N + 16];
	struct hashboard_stats st;
	int n;

	clear();
	for (int i = 0; i < N; i++)
		counted(many + 9 * i, i);
	hbt_full_write(master, many, sizeof(many));
	hbt_msleep(300);
	stats(&st);
	CHECK(st.frames == FIFO_RECS && st.overruns == 0 &&
	      st.rx_bytes == 9 * FIFO_RECS + 8,
	      "burst of 1500 into a 512-record FIFO: it fills, the rest is held back (a partial frame kept), no overrun",
	      "frames %llu overruns %llu rx_bytes %llu",
	      (unsigned long long)st.frames, (unsigned long long)st.overruns,
	      (unsigned long long)st.rx_bytes);
	n = hbt_read_records(dev, r, N + 16, N, 1000);
	stats(&st);
	CHECK(n == N && in_order(r, n, 0),
	      "the reader gets all 1500 frames in order, none flagged overrun",
	      "n %d first %u last %u", n, n ? counter_of(&r[0]) : 0,
	      n ? counter_of(&r[n - 1]) : 0);
	CHECK(st.frames == N && st.overruns == 0 && st.rx_bytes == sizeof(many) &&
	      st.garbage_bytes == 0 && st.crc_errors == 0,
	      "every byte taken once: frames 1500, overruns 0",
	      "frames %llu overruns %llu rx %llu garbage %llu crc %llu",
	      (unsigned long long)st.frames, (unsigned long long)st.overruns,
	      (unsigned long long)st.rx_bytes,
	      (unsigned long long)st.garbage_bytes,
	      (unsigned long long)st.crc_errors);

	/* The same in raw mode: records up to 64 bytes, bytes as sent. */
	clear();
	CHECK_OK(hbt_set_mode(dev, HASHBOARD_MODE_RAW, 9), "raw mode");
	hbt_full_write(master, many, sizeof(many));
	{
		static uint8_t got[sizeof(many)];
		size_t total = 0;
		int ok = 1;

		hbt_msleep(300);
		stats(&st);
		CHECK(st.overruns == 0 && st.rx_bytes < sizeof(many),
		      "raw mode: a full FIFO holds bytes back too",
		      "overruns %llu rx_bytes %llu",
		      (unsigned long long)st.overruns,
		      (unsigned long long)st.rx_bytes);
		for (;;) {
			n = hbt_read_records(dev, r, N + 16, N + 16, 300);
			if (n <= 0)
				break;
			for (int i = 0; i < n && ok; i++) {
				if (!(r[i].h.flags & HASHBOARD_REC_RAW) ||
				    total + r[i].h.len > sizeof(got))
					ok = 0;
				else
					memcpy(got + total, r[i].data, r[i].h.len);
				total += r[i].h.len;
			}
		}
		stats(&st);
		CHECK(ok && total == sizeof(many) && !memcmp(got, many, total) &&
		      st.overruns == 0, "raw mode: every byte arrives, in order",
		      "ok %d total %zu overruns %llu", ok, total,
		      (unsigned long long)st.overruns);
	}
	CHECK_OK(hbt_set_mode(dev, HASHBOARD_MODE_FRAMED, 9), "framed mode");

	/*
	 * FLUSH drops the FIFO, the partial frame and the bytes the tty layer
	 * still holds back (the ldisc's flush_input: tty_ldisc_flush()).
	 */
	clear();
	hbt_full_write(master, many, sizeof(many));
	hbt_msleep(300);
	stats(&st);
	CHECK(st.frames == FIFO_RECS && st.rx_bytes == 9 * FIFO_RECS + 8,
	      "before FLUSH: the FIFO is full and the rest is held back",
	      "frames %llu rx_bytes %llu", (unsigned long long)st.frames,
	      (unsigned long long)st.rx_bytes);
	CHECK_OK(ioctl(dev, HASHBOARD_IOC_FLUSH), "FLUSH with bytes held back");
	n = hbt_read_records(dev, r, N + 16, N, 500);
	stats(&st);
	CHECK(n == 0 && st.frames == FIFO_RECS &&
	      st.rx_bytes == 9 * FIFO_RECS + 8 && st.overruns == 0,
	      "after FLUSH the held-back frames are gone (none arrive, none taken)",
	      "n %d first %u frames %llu rx_bytes %llu overruns %llu", n,
	      n > 0 ? counter_of(&r[0]) : 0, (unsigned long long)st.frames,
	      (unsigned long long)st.rx_bytes, (unsigned long long)st.overruns);
	for (int i = 0; i < 4; i++)
		counted(many + 9 * i, 7000 + i);
	feed(many, 9 * 4);
	n = records(r, N + 16, 4);
	CHECK(n == 4 && in_order(r, n, 7000),
	      "frames sent after the FLUSH arrive whole, in order",
	      "n %d first %u", n, n > 0 ? counter_of(&r[0]) : 0);
}

/*
 * A reader that never reads: the FIFO fills, then the tty layer's flip
 * buffer up to its limit (8 KiB for a pty, 640 KiB for other ttys); a pty's
 * writer then gets EAGAIN or blocks, nothing is dropped or counted as an
 * overrun. Closing the device lets the line discipline take (and drop) the
 * backlog and wakes the writer.
 */
static void test_stalled_reader(void)
{
	static uint8_t chunk[9 * 500];
	struct hashboard_stats st;
	long long total = 0, rx = -1;
	int eagain = 0, exited = 0, status = 0, fl;
	pid_t pid;

	clear();
	for (int i = 0; i < 500; i++)
		counted(chunk + 9 * i, i);
	fl = fcntl(master, F_GETFL);
	fcntl(master, F_SETFL, fl | O_NONBLOCK);
	while (total < 8 << 20) {
		ssize_t k = write(master, chunk, sizeof(chunk));

		if (k < 0 && errno == EAGAIN) {
			/* The ldisc may still be filling the FIFO. */
			hbt_msleep(100);
			k = write(master, chunk, sizeof(chunk));
			if (k < 0 && errno == EAGAIN) {
				eagain = 1;
				break;
			}
		}
		if (k < 0)
			break;
		total += k;
	}
	stats(&st);
	CHECK(eagain && total > 9 * FIFO_RECS && total < 8 << 20,
	      "a reader that never reads: the pty writer gets EAGAIN once the tty buffer is full",
	      "eagain %d after %lld bytes (errno %d)", eagain, total, errno);
	CHECK(st.frames == FIFO_RECS && st.overruns == 0,
	      "the FIFO holds 512 records, no overrun, the rest waits in the tty",
	      "frames %llu overruns %llu", (unsigned long long)st.frames,
	      (unsigned long long)st.overruns);

	/* A blocking writer waits for room at the tty level. */
	fcntl(master, F_SETFL, fl);
	pid = fork();
	if (pid == 0) {
		close(dev);	/* the parent's close below must be the last */
		_exit(write(master, chunk, sizeof(chunk)) == sizeof(chunk) ? 0 : 1);
	}
	hbt_msleep(300);
	CHECK(waitpid(pid, &status, WNOHANG) == 0,
	      "a blocking pty writer waits while the reader stalls", "status %#x",
	      status);

	/* Last close: the backlog is taken and dropped, the writer goes on. */
	close(dev);
	for (int i = 0; i < 100 && !exited; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			exited = 1;
		else
			hbt_msleep(50);
	}
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	CHECK(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the last close lets the ldisc take the backlog and wakes the writer",
	      "exited %d status %#x", exited, status);
	total += sizeof(chunk);
	for (int i = 0; i < 100; i++) {
		rx = hbt_sysfs_num(idx, "statistics/rx_bytes");
		if (rx == total)
			break;
		hbt_msleep(50);
	}
	CHECK(rx == total, "every byte taken (and dropped: no reader)",
	      "rx_bytes %lld of %lld", rx, total);
	fcntl(master, F_SETFL, fl);
	dev = hbt_open_dev(idx, O_RDWR);
	CHECK(dev >= 0, "open again", "errno %d", errno);
	hbt_msleep(100);
	clear();
}

static void test_write_path(void)
{
	struct hashboard_stats st;
	uint8_t cmd[64], got[256], big[4096];
	size_t n = hbt_cmd_read_reg(cmd, 0x00);
	ssize_t k;
	int i;

	clear();
	CHECK(write(dev, cmd, n) == (ssize_t)n, "write a command", "errno %d",
	      errno);
	k = hbt_drain(master, got, sizeof(got), 300);
	CHECK(k == (ssize_t)n && !memcmp(got, cmd, n),
	      "the command reaches the wire unchanged", "got %zd bytes", k);

	/* 4096 bytes: more than the pty takes at once, the write waits. */
	for (i = 0; i < 4096; i++)
		big[i] = (uint8_t)i;
	{
		static uint8_t sink[8192];
		pid_t pid = fork();

		if (pid == 0) {
			ssize_t t = 0;

			hbt_msleep(200);
			while (t < 4096) {
				ssize_t r = hbt_drain(master, sink + t,
						      sizeof(sink) - t, 1000);
				if (r <= 0)
					break;
				t += r;
			}
			_exit(t == 4096 && !memcmp(sink, big, 4096) ? 0 : 1);
		}
		k = write(dev, big, sizeof(big));
		{
			int status = -1;

			waitpid(pid, &status, 0);
			CHECK(k == 4096 && WIFEXITED(status) &&
			      WEXITSTATUS(status) == 0,
			      "4 KiB write waits for room, arrives whole",
			      "k %zd status %#x", k, status);
		}
	}
	stats(&st);
	CHECK(st.tx_bytes == n + 4096, "tx_bytes counted", "%llu",
	      (unsigned long long)st.tx_bytes);
}

static int set_wakeup(uint32_t min, uint32_t us)
{
	struct hashboard_wakeup w = { .size = sizeof(w), .min_records = min,
				      .max_delay_us = us };

	return ioctl(dev, HASHBOARD_IOC_SET_WAKEUP, &w);
}

static int get_wakeup(struct hashboard_wakeup *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	return ioctl(dev, HASHBOARD_IOC_GET_WAKEUP, w);
}

static int wakeup_is(uint32_t min, uint32_t us)
{
	struct hashboard_wakeup w;

	return !get_wakeup(&w) && w.size == sizeof(w) && w.min_records == min &&
	       w.max_delay_us == us && w.reserved == 0 &&
	       hbt_sysfs_num(idx, "wake_records") == min &&
	       hbt_sysfs_num(idx, "wake_delay_us") == us;
}

/* poll() for POLLIN up to ms; returns 1 when readable. */
static int readable(int ms)
{
	struct pollfd p = { .fd = dev, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* One read() of whatever is there; returns the records parsed. */
static int read_once(struct hbt_rec *r, int max)
{
	static uint8_t buf[65536];
	ssize_t k = read(dev, buf, sizeof(buf));

	return k > 0 ? hbt_parse(buf, k, r, max) : -1;
}

/* A child plays the chain: n counted frames from first, one every ms. */
static pid_t trickle(uint32_t first, int n, int ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		uint8_t f[9];

		close(dev);
		for (int i = 0; i < n; i++) {
			counted(f, first + i);
			hbt_full_write(master, f, 9);
			hbt_msleep(ms);
		}
		_exit(0);
	}
	return pid;
}

/* HASHBOARD_IOC_SET_WAKEUP / GET_WAKEUP: records per wake-up, time bound. */
static void test_wakeup(void)
{
	struct {
		struct hashboard_wakeup w;
		uint32_t tail[2];
	} big;
	static struct hbt_rec r[600];
	static uint8_t f[9 * 500];
	struct hashboard_wakeup w;
	int n, reads, per[4], status;
	uint64_t t0, t1;
	pid_t pid;

	clear();
	CHECK(wakeup_is(1, 0),
	      "GET_WAKEUP and sysfs: min_records 1, max_delay_us 0 by default",
	      "errno %d", errno);

	/* Every bad argument. */
	CHECK_ERR(set_wakeup(0, 1000), EINVAL, "SET_WAKEUP 0 records -> EINVAL");
	CHECK_ERR(set_wakeup(HASHBOARD_WAKEUP_MAX_RECORDS + 1, 1000), EINVAL,
		  "SET_WAKEUP 513 records (more than the FIFO holds) -> EINVAL");
	CHECK_ERR(set_wakeup(8, HASHBOARD_WAKEUP_MAX_DELAY_US + 1), EINVAL,
		  "SET_WAKEUP max_delay_us over 1 s -> EINVAL");
	CHECK_ERR(set_wakeup(8, 0), EINVAL,
		  "SET_WAKEUP 8 records without a time bound -> EINVAL");
	w = (struct hashboard_wakeup){ sizeof(w), 8, 1000, 1 };
	CHECK_ERR(ioctl(dev, HASHBOARD_IOC_SET_WAKEUP, &w), EINVAL,
		  "SET_WAKEUP reserved != 0 -> EINVAL");
	w = (struct hashboard_wakeup){ 8, 8, 1000, 0 };
	CHECK_ERR(ioctl(dev, HASHBOARD_IOC_SET_WAKEUP, &w), EINVAL,
		  "SET_WAKEUP size 8 -> EINVAL");
	CHECK_ERR(ioctl(dev, HASHBOARD_IOC_SET_WAKEUP, NULL), EFAULT,
		  "SET_WAKEUP NULL -> EFAULT");
	memset(&w, 0, sizeof(w));
	w.size = 8;
	CHECK_ERR(ioctl(dev, HASHBOARD_IOC_GET_WAKEUP, &w), EINVAL,
		  "GET_WAKEUP size 8 -> EINVAL");
	CHECK_ERR(ioctl(dev, HASHBOARD_IOC_GET_WAKEUP, NULL), EFAULT,
		  "GET_WAKEUP NULL -> EFAULT");
	CHECK(wakeup_is(1, 0), "refused SET_WAKEUPs leave the setting",
	      "errno %d", errno);
	memset(&big, 0, sizeof(big));
	big.w = (struct hashboard_wakeup){ sizeof(big), 4, 3000, 0 };
	CHECK_OK(ioctl(dev, HASHBOARD_IOC_SET_WAKEUP, &big),
		 "SET_WAKEUP bigger struct, zero tail");
	big.tail[1] = 1;
	big.w.min_records = 5;
	CHECK_ERR(ioctl(dev, HASHBOARD_IOC_SET_WAKEUP, &big), EINVAL,
		  "SET_WAKEUP bigger struct, non-zero tail -> EINVAL");
	memset(&big, 0xff, sizeof(big));
	big.w.size = sizeof(big);
	CHECK(!ioctl(dev, HASHBOARD_IOC_GET_WAKEUP, &big) &&
	      big.w.size == sizeof(w) && big.w.min_records == 4 &&
	      big.w.max_delay_us == 3000 && big.w.reserved == 0 &&
	      !big.tail[0] && !big.tail[1],
	      "GET_WAKEUP bigger struct: size is v1's, tail zeroed",
	      "size %u min %u us %u", big.w.size, big.w.min_records,
	      big.w.max_delay_us);
	CHECK_OK(set_wakeup(HASHBOARD_WAKEUP_MAX_RECORDS,
			    HASHBOARD_WAKEUP_MAX_DELAY_US),
		 "SET_WAKEUP at the limits (512 records, 1 s)");
	CHECK(wakeup_is(512, 1000000), "GET_WAKEUP and sysfs: 512, 1000000",
	      "errno %d", errno);

	/* min_records 8: poll and read wait for the 8th record. */
	CHECK_OK(set_wakeup(8, 1000000), "SET_WAKEUP 8 records, 1 s");
	for (int i = 0; i < 8; i++)
		counted(f + 9 * i, 100 + i);
	feed(f, 9 * 7);
	CHECK(!readable(200), "7 records queued: poll not ready (8 needed)",
	      "errno %d", errno);
	feed(f + 9 * 7, 9);
	CHECK(readable(0), "the 8th record makes it readable", "errno %d",
	      errno);
	n = read_once(r, 600);
	CHECK(n == 8 && in_order(r, n, 100), "one read returns the 8",
	      "n %d", n);

	/* A blocking reader, frames 40 ms apart: woken per 8, not per frame. */
	pid = trickle(200, 32, 40);
	reads = 0;
	n = 0;
	while (n < 32 && reads < 4) {
		int k = read_once(r + n, 600 - n);

		if (k <= 0)
			break;
		per[reads++] = k;
		n += k;
	}
	waitpid(pid, &status, 0);
	CHECK(n == 32 && reads == 4 && per[0] == 8 && per[1] == 8 &&
	      per[2] == 8 && per[3] == 8 && in_order(r, n, 200),
	      "32 frames 40 ms apart: 4 blocking reads of 8",
	      "n %d reads %d: %d %d %d %d", n, reads, reads > 0 ? per[0] : 0,
	      reads > 1 ? per[1] : 0, reads > 2 ? per[2] : 0,
	      reads > 3 ? per[3] : 0);

	/* O_NONBLOCK: whatever is queued, below the threshold or not. */
	feed(f, 9 * 3);
	CHECK(!readable(100), "3 records queued: not ready", "errno %d", errno);
	fcntl(dev, F_SETFL, O_NONBLOCK);
	n = read_once(r, 600);
	CHECK(n == 3 && in_order(r, n, 100),
	      "a non-blocking read returns the 3 queued anyway", "n %d", n);
	CHECK_ERR(read(dev, f, sizeof(f)), EAGAIN,
		  "then a non-blocking read of nothing -> EAGAIN");
	fcntl(dev, F_SETFL, 0);

	/* One record alone arrives after max_delay_us, not before. */
	CHECK_OK(set_wakeup(8, 50000), "SET_WAKEUP 8 records, 50 ms");
	counted(f, 300);
	t0 = hbt_now_ns();
	hbt_full_write(master, f, 9);
	n = readable(2000) ? read_once(r, 600) : -1;
	t1 = hbt_now_ns();
	CHECK(n == 1 && t1 - r[0].h.timestamp_ns >= 50000000ull &&
	      t1 - t0 < 50000000ull + 400000000ull,
	      "poll: a single record is readable 50 ms after it arrived (not before, not much later)",
	      "n %d: %.1f ms after its timestamp, %.1f ms after the write", n,
	      n == 1 ? (t1 - r[0].h.timestamp_ns) / 1e6 : 0, (t1 - t0) / 1e6);
	printf("info: 50 ms bound through poll: %.1f ms after the record's timestamp, %.1f ms after the write\n",
	       n == 1 ? (t1 - r[0].h.timestamp_ns) / 1e6 : 0, (t1 - t0) / 1e6);
	counted(f, 301);
	t0 = hbt_now_ns();
	hbt_full_write(master, f, 9);
	n = read_once(r, 600);
	t1 = hbt_now_ns();
	CHECK(n == 1 && counter_of(&r[0]) == 301 &&
	      t1 - r[0].h.timestamp_ns >= 50000000ull &&
	      t1 - t0 < 50000000ull + 400000000ull,
	      "blocking read: a single record returns 50 ms after it arrived",
	      "n %d: %.1f ms after its timestamp, %.1f ms after the write", n,
	      n == 1 ? (t1 - r[0].h.timestamp_ns) / 1e6 : 0, (t1 - t0) / 1e6);
	printf("info: 50 ms bound through read: %.1f ms after the record's timestamp, %.1f ms after the write\n",
	       n == 1 ? (t1 - r[0].h.timestamp_ns) / 1e6 : 0, (t1 - t0) / 1e6);

	/* Lowering the threshold while records wait makes them readable. */
	CHECK_OK(set_wakeup(8, 1000000), "SET_WAKEUP 8 records, 1 s");
	feed(f, 9 * 2);
	CHECK(!readable(100), "2 records below the threshold: not ready",
	      "errno %d", errno);
	CHECK_OK(set_wakeup(1, 0), "SET_WAKEUP back to 1 record");
	CHECK(readable(0) && read_once(r, 600) == 2,
	      "lowering the threshold wakes the waiting records at once",
	      "errno %d", errno);

	/* A FIFO three-quarters full wakes whatever the threshold. */
	CHECK_OK(set_wakeup(512, 1000000), "SET_WAKEUP 512 records, 1 s");
	for (int i = 0; i < 450; i++)
		counted(f + 9 * i, 1000 + i);
	t0 = hbt_now_ns();
	hbt_full_write(master, f, 9 * 450);
	n = readable(2000) ? read_once(r, 600) : -1;
	t1 = hbt_now_ns();
	CHECK(n >= 385 && n <= 450 && t1 - t0 < 800000000ull,
	      "a FIFO three-quarters full (385 of 512 records) wakes before the 1 s bound",
	      "n %d after %.1f ms", n, (t1 - t0) / 1e6);
	CHECK_OK(set_wakeup(1, 0), "SET_WAKEUP 1 record");
	if (n < 0)
		n = 0;
	n += hbt_read_records(dev, r + n, 600 - n, 450 - n, 300);
	CHECK(n == 450 && in_order(r, n, 1000), "then the rest: 450 in order",
	      "n %d", n);

	/* The first open of the device starts with the default again. */
	CHECK_OK(set_wakeup(16, 2000), "SET_WAKEUP 16 records, 2 ms");
	close(dev);
	dev = hbt_open_dev(idx, O_RDWR);
	CHECK(dev >= 0 && wakeup_is(1, 0),
	      "reopened: min_records 1, max_delay_us 0 again", "errno %d",
	      errno);
	clear();
}

/* A detach while readers wait below the threshold wakes them at once. */
static void test_wakeup_hangup(void)
{
	struct hbt_hangup h;
	uint8_t f[9];
	uint64_t t0, t1;

	CHECK_OK(set_wakeup(8, 1000000), "SET_WAKEUP 8 records, 1 s");
	counted(f, 0);
	feed(f, 9);
	CHECK(hbt_hangup_start(&h, idx) == 0,
	      "a reader and a poller wait with one record below the threshold",
	      "errno %d", errno);
	t0 = hbt_now_ns();
	CHECK_OK(hbt_detach(slave), "detach while they wait");
	for (int i = 0; i < 200 && !(h.rdone && h.pdone); i++)
		hbt_msleep(2);
	t1 = hbt_now_ns();
	CHECK(h.rdone && h.pdone && t1 - t0 < 500000000ull,
	      "the detach wakes both at once, not at the 1 s bound",
	      "rdone %d pdone %d after %.1f ms", h.rdone, h.pdone,
	      (t1 - t0) / 1e6);
	hbt_hangup_check(&h, "detach below the wake-up threshold");
}

int main(void)
{
	uint8_t b;

	hbt_prog = "t_framing";
	setvbuf(stdout, NULL, _IOLBF, 0);
	master = hbt_open_pty(&slave);
	if (master < 0)
		hbt_die("pty");
	idx = hbt_attach(slave);
	if (idx < 0)
		hbt_die("attach on pty");
	printf("info: pty slave is /dev/hashboard%d\n", idx);
	dev = hbt_open_dev(idx, O_RDWR);
	if (dev < 0)
		hbt_die("open dev");
	CHECK_ERR(read(slave, &b, 1), EBUSY, "tty read while attached -> EBUSY");

	test_good_and_garbage();
	test_crc();
	test_split();
	test_11();
	test_raw();
	test_flush();
	test_backpressure();
	test_stalled_reader();
	test_write_path();
	test_wakeup();
	test_wakeup_hangup();

	close(dev);
	close(slave);
	close(master);
	return hbt_done();
}
