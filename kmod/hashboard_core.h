/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hashboard core: the contract between the core and its transports.
 *
 * A transport (tty line discipline, serdev, SPI) calls, in order:
 *   hashboard_allocate_device(parent)  -> hdev, or NULL
 *   fill in hdev->ops, ->transport, ->caps, ->baud, ->chain_id, ->family, ->priv
 *   hashboard_register_device(hdev)    -> /dev/hashboardN appears
 *   ... hashboard_receive() for every byte the chain sends ...
 *   hashboard_deregister_device(hdev)  -> the chain is gone for userspace
 *   hashboard_put_device(hdev)         -> memory goes after the last close
 * A failed register is followed by hashboard_put_device() only.
 *
 * What the core guarantees a transport:
 * - ops are called in process context, never concurrently with each other,
 *   and never after hashboard_deregister_device() has returned; ->open is
 *   called on the first open of the device node and ->close on the last
 *   release (or at deregister when the node is still open).
 * - ->write_raw may sleep; it returns the number of bytes taken (at least 1)
 *   or a negative errno.
 *
 * - ->unthrottle (optional) is called from process context, also from a
 *   reader concurrently with the other ops, while the device is registered;
 *   it may sleep.
 *
 * What a transport guarantees the core:
 * - hashboard_receive() may be called from any context, including hard IRQ,
 *   concurrently with anything but itself on the same device and not after
 *   hashboard_deregister_device() has returned. (It wakes readers per the
 *   device's wake-up threshold and may arm the core's hrtimer for it; that
 *   needs nothing from the transport.)
 *
 * Receive back-pressure: a transport that can leave bytes with its sender
 * (a tty's flip buffer) sets ->unthrottle. hashboard_receive() then stops
 * before a record the FIFO has no room for and returns the bytes it took;
 * the transport keeps the rest and offers them again after the core calls
 * ->unthrottle (a reader freed room, or the device was flushed or closed).
 * Without ->unthrottle every byte is taken and records that do not fit are
 * dropped and counted as overruns (SPI: the host clocks, the chain does not
 * wait; serdev: 6.1's serdev core has no call that restarts its receive).
 *
 * - ->flush_input (optional; a transport with ->unthrottle needs it) drops
 *   the received bytes the transport still holds back, so that
 *   HASHBOARD_IOC_FLUSH leaves nothing of the old stream. The core calls it
 *   from the FLUSH ioctl in process context, before it empties its FIFO and
 *   framer, with no core lock held but rwsem for reading; it may sleep and
 *   may run concurrently with the other ops and with hashboard_receive(),
 *   and must not call back into the core. Bytes that arrive after it
 *   started may be dropped with the rest (FLUSH races the line, as
 *   tcflush() does). serdev and SPI hold nothing back and leave it unset
 *   (serdev_device_write_flush() is for the output side only).
 */
#ifndef _HASHBOARD_CORE_H
#define _HASHBOARD_CORE_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/hrtimer.h>
#include <linux/kfifo.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <uapi/linux/hashboard.h>

#define HASHBOARD_DRIVER_VERSION "1.0"
#define HASHBOARD_FAMILY_LEN 16

struct hashboard_device;

struct hashboard_ops {
	int (*open)(struct hashboard_device *hdev);
	void (*close)(struct hashboard_device *hdev);
	int (*write_raw)(struct hashboard_device *hdev, const u8 *buf,
			 size_t count);
	int (*set_baud)(struct hashboard_device *hdev, u32 baud);	/* optional */
	int (*reset)(struct hashboard_device *hdev, u32 msecs);	/* optional */
	int (*set_power)(struct hashboard_device *hdev, bool on);	/* optional */
	void (*unthrottle)(struct hashboard_device *hdev);	/* optional */
	void (*flush_input)(struct hashboard_device *hdev);	/* optional */
};

/* BM13xx receive framing, one per device (hashboard_proto.c). */
struct hashboard_framer {
	u8 buf[HASHBOARD_MAX_RECORD];
	unsigned int have;
	unsigned int reply_len;
	unsigned int mode;
	int idle_byte;		/* < 0: none; else not garbage between frames */
};

struct hashboard_device {
	struct device dev;
	struct cdev cdev;
	int id;

	/* Set by the transport before register; baud changes under rwsem. */
	const struct hashboard_ops *ops;
	u32 transport;
	u32 caps;
	u32 baud;
	u32 chain_id;
	char family[HASHBOARD_FAMILY_LEN];
	void *priv;

	/* rwsem: ops, count, disconnected. Writers: open, release, deregister. */
	struct rw_semaphore rwsem;
	unsigned int count;
	bool disconnected;

	struct mutex read_mutex;	/* one reader drains the FIFO at a time */
	struct mutex write_mutex;	/* whole writes do not interleave */
	u8 *write_buf;

	/*
	 * rx_lock: framer, fifo producer side, stats, active, throttled, the
	 * wake-up state below.
	 */
	spinlock_t rx_lock;
	bool active;
	bool overrun;
	bool throttled;		/* hashboard_receive() left bytes with the transport */
	struct hashboard_framer framer;
	struct kfifo fifo;
	wait_queue_head_t read_queue;
	struct hashboard_stats stats;

	/*
	 * Wake-up coalescing (HASHBOARD_IOC_SET_WAKEUP): readers wait for
	 * ready, which is set once wake_min records are queued, the oldest
	 * is wake_delay_ns old (wake_timer) or the FIFO is nearly full.
	 */
	unsigned int records;	/* records in the FIFO */
	bool ready;
	u32 wake_min;
	u64 wake_delay_ns;
	u64 oldest_ns;		/* timestamp of the oldest record, if records */
	u64 timer_ns;		/* wake_timer's expiry while armed, else 0 */
	struct hrtimer wake_timer;
};

struct hashboard_device *hashboard_allocate_device(struct device *parent);
int hashboard_register_device(struct hashboard_device *hdev);
void hashboard_deregister_device(struct hashboard_device *hdev);
void hashboard_put_device(struct hashboard_device *hdev);
size_t hashboard_receive(struct hashboard_device *hdev, const u8 *buf,
			 size_t count);

#define to_hashboard_device(d) container_of(d, struct hashboard_device, dev)

static inline void *hashboard_get_drvdata(struct hashboard_device *hdev)
{
	return hdev->priv;
}

/* hashboard_proto.c: called with rx_lock held. */
void hashboard_framer_init(struct hashboard_framer *f, unsigned int mode,
			   unsigned int reply_len);
size_t hashboard_framer_feed(struct hashboard_device *hdev, const u8 *buf,
			     size_t count, u64 now_ns);
u8 hashboard_crc5(const u8 *buf, size_t len);
/* hashboard_core.c: called with rx_lock held. */
void hashboard_emit_record(struct hashboard_device *hdev, const u8 *data,
			   unsigned int len, u16 flags, u64 now_ns);

/* hashboard_lines.c: a firmware-described chain's lines and properties. */
struct gpio_desc;
struct hashboard_lines {
	struct gpio_desc *reset;	/* optional */
	struct gpio_desc *power;	/* optional */
};

int hashboard_lines_probe(struct device *dev, struct hashboard_device *hdev,
			  struct hashboard_lines *lines);
int hashboard_lines_reset(struct hashboard_lines *lines, u32 msecs);
int hashboard_lines_set_power(struct hashboard_lines *lines, bool on);

/* Transport registration, one pair per transport file. */
int hashboard_ldisc_init(void);
void hashboard_ldisc_exit(void);
int hashboard_serdev_init(void);
void hashboard_serdev_exit(void);
int hashboard_spi_init(void);
void hashboard_spi_exit(void);

#endif /* _HASHBOARD_CORE_H */
