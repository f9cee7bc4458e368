/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hashboard: BM13xx chip chains as character devices (/dev/hashboardN).
 *
 * read() returns whole records: a struct hashboard_record header followed by
 * len payload bytes, the next record starting at the next 8-byte boundary.
 * A read buffer too small for the next record gives -EMSGSIZE.
 * In framed mode a record is one reply frame whose CRC5 checked (preamble
 * 0xAA 0x55 included); in raw mode it is a run of bytes as received.
 * write() takes whole command or job frames, at most HASHBOARD_MAX_WRITE
 * bytes per call. A write that stops early (the chain took no bytes for a
 * second, a signal, a hangup) returns the bytes that went out; it fails
 * only when none did.
 */
#ifndef _UAPI_LINUX_HASHBOARD_H
#define _UAPI_LINUX_HASHBOARD_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* 2: HASHBOARD_IOC_SET_WAKEUP / GET_WAKEUP */
#define HASHBOARD_ABI_VERSION	2
#define HASHBOARD_MAX_WRITE	4096
#define HASHBOARD_MAX_RECORD	64	/* payload bytes in one record */

/* struct hashboard_record.flags */
#define HASHBOARD_REC_RAW	0x0001	/* raw bytes, not a checked frame */
#define HASHBOARD_REC_NONCE	0x0002	/* reply frame with bit 7 of LAST set */
#define HASHBOARD_REC_OVERRUN	0x0004	/* records were dropped before this one */

struct hashboard_record {
	__u64 timestamp_ns;	/* CLOCK_MONOTONIC when the last byte arrived */
	__u16 len;		/* payload bytes that follow */
	__u16 flags;		/* HASHBOARD_REC_* */
	__u32 reserved;		/* 0 */
};

#define HASHBOARD_RECORD_ALIGN	8
#define HASHBOARD_RECORD_SIZE(len) \
	((sizeof(struct hashboard_record) + (len) + HASHBOARD_RECORD_ALIGN - 1) & \
	 ~(HASHBOARD_RECORD_ALIGN - 1))

/* struct hashboard_info.transport */
#define HASHBOARD_TRANSPORT_LDISC	1
#define HASHBOARD_TRANSPORT_SERDEV	2
#define HASHBOARD_TRANSPORT_SPI		3

/* struct hashboard_info.caps */
#define HASHBOARD_CAP_RESET	0x0001	/* has a reset line */
#define HASHBOARD_CAP_POWER	0x0002	/* has a power-enable line */
#define HASHBOARD_CAP_BAUD	0x0004	/* baud can be set */

/*
 * Every structure starts with size: userspace sets it to sizeof() as it knows
 * the structure; the kernel rejects sizes smaller than version 1's with
 * -EINVAL and fills or reads only the fields both sides know.
 */
struct hashboard_info {
	__u32 size;
	__u32 abi_version;	/* out: HASHBOARD_ABI_VERSION */
	__u32 transport;	/* out: HASHBOARD_TRANSPORT_* */
	__u32 caps;		/* out: HASHBOARD_CAP_* */
	__u32 baud;		/* out: current host baud (0 on SPI without one) */
	__u32 chain_id;		/* out */
	__u32 mode;		/* out: HASHBOARD_MODE_* */
	__u32 reply_len;	/* out: 9 or 11 */
	char family[16];	/* out: "bm1366", NUL-terminated, "" if unknown */
	char driver_version[16];/* out: NUL-terminated */
};

struct hashboard_stats {
	__u32 size;
	__u32 reserved;
	__u64 rx_bytes;		/* bytes received from the chain */
	__u64 tx_bytes;		/* bytes written to the chain */
	__u64 frames;		/* good reply frames delivered */
	__u64 crc_errors;	/* frames with a preamble whose CRC5 failed */
	__u64 garbage_bytes;	/* bytes outside any frame */
	__u64 overruns;		/* records dropped: FIFO full (serdev, SPI) */
	__u64 wakeups;		/* reader wake-ups */
};

#define HASHBOARD_MODE_FRAMED	0
#define HASHBOARD_MODE_RAW	1

struct hashboard_mode {
	__u32 size;
	__u32 mode;		/* HASHBOARD_MODE_* */
	__u32 reply_len;	/* 9 or 11; ignored in raw mode but checked */
	__u32 reserved;		/* 0 */
};

/*
 * Reader wake-up coalescing, like VMIN/VTIME on a tty but in records: a
 * blocking read() returns, and poll() reports EPOLLIN, once min_records
 * records are queued or the oldest queued record (by its timestamp_ns) is
 * max_delay_us old, whichever comes first; a FIFO three-quarters full, a
 * hangup or a disconnect wakes at once. A read() then takes every record
 * that fits, not only min_records. O_NONBLOCK read() returns whatever is
 * queued regardless (-EAGAIN only when nothing is). One setting per device,
 * shared by all its descriptors; the first open of the device resets it to
 * min_records 1, max_delay_us 0: a reader woken by every record, as
 * without this ioctl. min_records is 1..HASHBOARD_WAKEUP_MAX_RECORDS (the
 * FIFO holds 512 framed records); max_delay_us is 0..
 * HASHBOARD_WAKEUP_MAX_DELAY_US and must be non-zero when min_records > 1
 * (no unbounded wait); reserved must be 0. Anything else is -EINVAL.
 */
#define HASHBOARD_WAKEUP_MAX_RECORDS	512
#define HASHBOARD_WAKEUP_MAX_DELAY_US	1000000

struct hashboard_wakeup {
	__u32 size;
	__u32 min_records;	/* wake when this many records are queued */
	__u32 max_delay_us;	/* or when the oldest is this old */
	__u32 reserved;		/* 0 */
};

#define HASHBOARD_IOC_MAGIC	0xB7

#define HASHBOARD_IOC_GET_INFO	_IOR(HASHBOARD_IOC_MAGIC, 0x00, struct hashboard_info)
#define HASHBOARD_IOC_SET_BAUD	_IOW(HASHBOARD_IOC_MAGIC, 0x01, __u32)
/* Asserts reset for the given milliseconds (1..1000), then releases it. */
#define HASHBOARD_IOC_RESET	_IOW(HASHBOARD_IOC_MAGIC, 0x02, __u32)
/* 0: power off, 1: power on. */
#define HASHBOARD_IOC_SET_POWER	_IOW(HASHBOARD_IOC_MAGIC, 0x03, __u32)
#define HASHBOARD_IOC_GET_STATS	_IOR(HASHBOARD_IOC_MAGIC, 0x04, struct hashboard_stats)
#define HASHBOARD_IOC_CLEAR_STATS _IO(HASHBOARD_IOC_MAGIC, 0x05)
/*
 * Drops received records, any partial frame and, on the line discipline,
 * the bytes the tty still holds back because the FIFO was full (as
 * tcflush(TCIFLUSH) on the tty would). Bytes that arrive after it are kept.
 */
#define HASHBOARD_IOC_FLUSH	_IO(HASHBOARD_IOC_MAGIC, 0x06)
#define HASHBOARD_IOC_SET_MODE	_IOW(HASHBOARD_IOC_MAGIC, 0x07, struct hashboard_mode)
/* struct hashboard_wakeup above; GET fills it (size set as for GET_INFO). */
#define HASHBOARD_IOC_SET_WAKEUP _IOW(HASHBOARD_IOC_MAGIC, 0x08, struct hashboard_wakeup)
#define HASHBOARD_IOC_GET_WAKEUP _IOR(HASHBOARD_IOC_MAGIC, 0x09, struct hashboard_wakeup)

/*
 * The line discipline: TIOCSETD with HASHBOARD_LDISC on a tty makes a chain
 * device of it (N_DEVELOPMENT, the number the kernel leaves for out-of-tree
 * line disciplines); HASHBOARD_LDISC_IOC_INDEX on the tty then gives N of
 * /dev/hashboardN. The chain lives while the tty stays open.
 */
#define HASHBOARD_LDISC		29
#define HASHBOARD_LDISC_IOC_INDEX _IOR(HASHBOARD_IOC_MAGIC, 0x40, __u32)

#define HASHBOARD_BAUD_MIN	9600
#define HASHBOARD_BAUD_MAX	12000000

#endif /* _UAPI_LINUX_HASHBOARD_H */
