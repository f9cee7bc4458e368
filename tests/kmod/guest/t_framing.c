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

	close(dev);
	CHECK_OK(hbt_detach(slave), "detach");
	close(slave);
	close(master);
	return hbt_done();
}
