// SPDX-License-Identifier: GPL-2.0
/*
 * t_spi_overrun: where the transport cannot hold bytes back, a full FIFO
 * still drops whole records and counts them. SPI is host-clocked: what the
 * chain shifts out comes in with every poll, so the core takes it all.
 * The test plays the chain through the SPI stub (/dev/hbspi_stub: what is
 * written there is clocked back as MISO) while /dev/hashboardN is open and
 * not read.
 */
#include "hbt.h"

static void reply(uint8_t *out, uint32_t i)
{
	uint8_t body[6] = { 0x13, 0x66, (uint8_t)(i >> 24), (uint8_t)(i >> 16),
			    (uint8_t)(i >> 8), (uint8_t)i };

	hbt_reply(out, 9, body, 0);
}

/* Writes n bytes into the stub's MISO FIFO, waiting while it is full. */
static int miso(int stub, const uint8_t *b, size_t n)
{
	for (int tries = 0; n && tries < 2000;) {
		ssize_t k = write(stub, b, n);

		if (k < 0 && errno == EAGAIN) {
			hbt_msleep(5);
			tries++;
			continue;
		}
		if (k <= 0)
			return -1;
		b += k;
		n -= k;
	}
	return n ? -1 : 0;
}

static long long frames_after(int idx, long long want)
{
	long long v = -1;

	for (int i = 0; i < 200; i++) {
		v = hbt_sysfs_num(idx, "statistics/frames");
		if (v >= want)
			break;
		hbt_msleep(50);
	}
	return v;
}

int main(void)
{
	enum { N = 600, FIFO_RECS = 512 };
	static uint8_t many[9 * N];
	static struct hbt_rec r[1024];
	struct hashboard_stats st;
	uint8_t f[16];
	int idx, dev, stub, n;

	hbt_prog = "t_spi_overrun";
	setvbuf(stdout, NULL, _IOLBF, 0);
	idx = hbt_find_transport("spi");
	if (idx < 0)
		hbt_die("no SPI chain");
	stub = open("/dev/hbspi_stub", O_RDWR);
	dev = hbt_open_dev(idx, O_RDWR);
	if (stub < 0 || dev < 0)
		hbt_die("open");
	hbt_msleep(50);
	ioctl(dev, HASHBOARD_IOC_FLUSH);
	ioctl(dev, HASHBOARD_IOC_CLEAR_STATS);

	/* 600 records of 32 bytes into the 16 KiB FIFO: 512 fit. */
	for (int i = 0; i < N; i++)
		reply(many + 9 * i, i);
	CHECK_OK(miso(stub, many, sizeof(many)), "600 replies clocked in");
	frames_after(idx, N);
	hbt_get_stats(dev, &st);
	CHECK(st.frames == N && st.overruns == N - FIFO_RECS,
	      "spi: a full FIFO drops records and counts them",
	      "frames %llu overruns %llu", (unsigned long long)st.frames,
	      (unsigned long long)st.overruns);
	n = hbt_read_records(dev, r, 1024, N, 300);
	CHECK(n == FIFO_RECS && r[0].data[7] == 0 &&
	      r[FIFO_RECS - 1].data[7] == (uint8_t)(FIFO_RECS - 1),
	      "the FIFO kept the first 512 whole", "n %d", n);
	reply(f, N);
	CHECK_OK(miso(stub, f, 9), "one more reply");
	n = hbt_read_records(dev, r, 8, 1, 2000);
	CHECK(n == 1 && (r[0].h.flags & HASHBOARD_REC_OVERRUN),
	      "the next record carries HASHBOARD_REC_OVERRUN", "n %d flags %#x",
	      n, n ? r[0].h.flags : 0);
	reply(f, N + 1);
	CHECK_OK(miso(stub, f, 9), "and another");
	n = hbt_read_records(dev, r, 8, 1, 2000);
	CHECK(n == 1 && !(r[0].h.flags & HASHBOARD_REC_OVERRUN),
	      "and only that one", "n %d flags %#x", n, n ? r[0].h.flags : 0);

	close(dev);
	close(stub);
	return hbt_done();
}
