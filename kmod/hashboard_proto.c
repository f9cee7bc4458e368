// SPDX-License-Identifier: GPL-2.0
/*
 * BM13xx receive framing, shared by every hashboard transport.
 *
 * A chip reply is 0xAA 0x55, then reply_len - 2 bytes whose CRC5 (poly 0x05,
 * init 0x1f, MSB first, no reflection, no final xor) over all of them, the
 * last byte included, is zero. Bit 7 of the last byte marks a nonce reply.
 * Bytes outside a frame are garbage; a frame whose CRC fails is a CRC error
 * and the search for the next preamble resumes inside it.
 */

#include <linux/kernel.h>
#include <linux/string.h>

#include "hashboard_core.h"

#define BM13XX_PREAMBLE0	0xaa
#define BM13XX_PREAMBLE1	0x55
#define BM13XX_LAST_NONCE	0x80

u8 hashboard_crc5(const u8 *buf, size_t len)
{
	u8 crc = 0x1f;
	size_t i;
	int bit;

	for (i = 0; i < len; i++) {
		for (bit = 7; bit >= 0; bit--) {
			u8 feedback = ((crc >> 4) ^ (buf[i] >> bit)) & 1;

			crc = (crc << 1) & 0x1f;
			if (feedback)
				crc ^= 0x05;
		}
	}

	return crc;
}

void hashboard_framer_init(struct hashboard_framer *f, unsigned int mode,
			   unsigned int reply_len)
{
	f->mode = mode;
	f->reply_len = reply_len;
	f->have = 0;
}

/* Drops the frame in f->buf and keeps what follows its first byte from the next preamble on. */
static void hashboard_framer_resync(struct hashboard_framer *f)
{
	unsigned int i;

	for (i = 1; i < f->have; i++) {
		if (f->buf[i] != BM13XX_PREAMBLE0)
			continue;
		if (i + 1 < f->have && f->buf[i + 1] != BM13XX_PREAMBLE1)
			continue;
		break;
	}
	f->have -= i;
	memmove(f->buf, f->buf + i, f->have);
}

static void hashboard_framer_byte(struct hashboard_device *hdev, u8 b,
				  u64 now_ns)
{
	struct hashboard_framer *f = &hdev->framer;
	u16 flags = 0;

	switch (f->have) {
	case 0:
		if (b == BM13XX_PREAMBLE0)
			f->buf[f->have++] = b;
		else if (f->idle_byte < 0 || b != f->idle_byte)
			hdev->stats.garbage_bytes++;
		return;
	case 1:
		if (b == BM13XX_PREAMBLE1) {
			f->buf[f->have++] = b;
			return;
		}
		hdev->stats.garbage_bytes++;
		f->have = 0;
		hashboard_framer_byte(hdev, b, now_ns);
		return;
	default:
		f->buf[f->have++] = b;
		break;
	}

	if (f->have < f->reply_len)
		return;

	if (hashboard_crc5(f->buf + 2, f->reply_len - 2)) {
		hdev->stats.crc_errors++;
		hashboard_framer_resync(f);
		return;
	}

	if (f->buf[f->reply_len - 1] & BM13XX_LAST_NONCE)
		flags |= HASHBOARD_REC_NONCE;
	hdev->stats.frames++;
	hashboard_emit_record(hdev, f->buf, f->reply_len, flags, now_ns);
	f->have = 0;
}

/* The next byte would finish a frame (and may emit a record). */
static bool hashboard_framer_completes(const struct hashboard_framer *f)
{
	return f->have >= 2 && f->have + 1 >= f->reply_len;
}

/*
 * Called with hdev->rx_lock held. Returns the bytes taken: all of them,
 * unless the transport holds back (->unthrottle set) and the FIFO has no
 * room for the record the next byte would make; that byte and the ones
 * after it are left to the transport, a partial frame stays in f->buf.
 */
size_t hashboard_framer_feed(struct hashboard_device *hdev, const u8 *buf,
			     size_t count, u64 now_ns)
{
	struct hashboard_framer *f = &hdev->framer;
	bool hold = !!hdev->ops->unthrottle;
	unsigned int avail;
	size_t i, n;

	if (f->mode == HASHBOARD_MODE_RAW) {
		for (i = 0; i < count; i += n) {
			n = min_t(size_t, count - i, HASHBOARD_MAX_RECORD);
			if (hold) {
				avail = kfifo_avail(&hdev->fifo);
				if (avail < HASHBOARD_RECORD_SIZE(1))
					return i;
				n = min_t(size_t, n, avail -
					  sizeof(struct hashboard_record));
			}
			hashboard_emit_record(hdev, buf + i, n,
					      HASHBOARD_REC_RAW, now_ns);
		}
		return count;
	}

	for (i = 0; i < count; i++) {
		if (hold && hashboard_framer_completes(f) &&
		    kfifo_avail(&hdev->fifo) < HASHBOARD_RECORD_SIZE(f->reply_len))
			return i;
		hashboard_framer_byte(hdev, buf[i], now_ns);
	}

	return count;
}
