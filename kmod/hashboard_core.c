// SPDX-License-Identifier: GPL-2.0
/*
 * hashboard core: one character device per BM13xx chip chain.
 *
 * Userspace sees /dev/hashboardN: read() gives whole records (framed reply
 * frames or raw bytes), write() sends whole frames, poll() waits for records,
 * ioctl() controls the chain. Transports (hashboard.h) feed received bytes
 * through hashboard_receive() and never see a struct file.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cdev.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/kfifo.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "hashboard_core.h"

#define HASHBOARD_MINORS	32
#define HASHBOARD_FIFO_SIZE	16384
/* Less room than this wakes readers whatever the wake-up threshold. */
#define HASHBOARD_FIFO_LOW	(HASHBOARD_FIFO_SIZE / 4)

static_assert(HASHBOARD_WAKEUP_MAX_RECORDS * HASHBOARD_RECORD_SIZE(9) <=
	      HASHBOARD_FIFO_SIZE);

static DEFINE_IDA(hashboard_minors);
static dev_t hashboard_first;
static struct class *hashboard_class;

static const char *const hashboard_transport_names[] = {
	[HASHBOARD_TRANSPORT_LDISC] = "ldisc",
	[HASHBOARD_TRANSPORT_SERDEV] = "serdev",
	[HASHBOARD_TRANSPORT_SPI] = "spi",
};

static const char *hashboard_transport_name(u32 transport)
{
	if (transport < ARRAY_SIZE(hashboard_transport_names) &&
	    hashboard_transport_names[transport])
		return hashboard_transport_names[transport];
	return "unknown";
}

/* Called with rx_lock held: appends one whole record or counts an overrun. */
void hashboard_emit_record(struct hashboard_device *hdev, const u8 *data,
			   unsigned int len, u16 flags, u64 now_ns)
{
	u8 rec[HASHBOARD_RECORD_SIZE(HASHBOARD_MAX_RECORD)] __aligned(8);
	struct hashboard_record *hdr = (struct hashboard_record *)rec;
	unsigned int size = HASHBOARD_RECORD_SIZE(len);

	if (WARN_ON_ONCE(len > HASHBOARD_MAX_RECORD))
		return;
	if (kfifo_avail(&hdev->fifo) < size) {
		hdev->stats.overruns++;
		hdev->overrun = true;
		return;
	}
	memset(rec, 0, size);
	hdr->timestamp_ns = now_ns;
	hdr->len = len;
	hdr->flags = flags | (hdev->overrun ? HASHBOARD_REC_OVERRUN : 0);
	memcpy(rec + sizeof(*hdr), data, len);
	hdev->overrun = false;
	/* One kfifo_in: the reader sees the record whole or not at all. */
	kfifo_in(&hdev->fifo, rec, size);
	if (!hdev->records++)
		hdev->oldest_ns = now_ns;
}

/* rx_lock held: whether readers should run now (hashboard_wakeup). */
static bool hashboard_wake_due(struct hashboard_device *hdev, u64 now)
{
	if (!hdev->records)
		return false;
	return hdev->records >= hdev->wake_min ||
	       kfifo_avail(&hdev->fifo) < HASHBOARD_FIFO_LOW ||
	       now >= hdev->oldest_ns + hdev->wake_delay_ns;
}

/*
 * rx_lock held, after records came or went or the threshold changed: sets
 * ready and, while records wait below the threshold, arms wake_timer for
 * the oldest one's deadline (hrtimer_start() does not sleep; restarting an
 * armed timer moves it). Returns whether readers should be woken. With
 * wake_min 1 every queued record is due at once and the timer is never
 * armed.
 */
static bool hashboard_rx_update(struct hashboard_device *hdev, u64 now)
{
	u64 expiry;
	bool due = hashboard_wake_due(hdev, now);

	WRITE_ONCE(hdev->ready, due);
	if (due || !hdev->records)
		return due;
	expiry = hdev->oldest_ns + hdev->wake_delay_ns;
	if (hdev->timer_ns != expiry) {
		hdev->timer_ns = expiry;
		hrtimer_start(&hdev->wake_timer, ns_to_ktime(expiry),
			      HRTIMER_MODE_ABS);
	}
	return false;
}

/*
 * The oldest record's deadline (hard IRQ context). A timer that went stale
 * (the records it was armed for were read, the FIFO flushed) finds nothing
 * due and at most re-arms itself for the records now queued.
 */
static enum hrtimer_restart hashboard_wake_timer(struct hrtimer *timer)
{
	struct hashboard_device *hdev =
		container_of(timer, struct hashboard_device, wake_timer);
	unsigned long flags;
	bool wake = false;

	spin_lock_irqsave(&hdev->rx_lock, flags);
	hdev->timer_ns = 0;
	if (hdev->active && !hdev->ready)
		wake = hashboard_rx_update(hdev, ktime_get_ns());
	if (wake && wq_has_sleeper(&hdev->read_queue))
		hdev->stats.wakeups++;
	spin_unlock_irqrestore(&hdev->rx_lock, flags);

	if (wake)
		wake_up_interruptible(&hdev->read_queue);

	return HRTIMER_NORESTART;
}

/**
 * hashboard_receive() - hand bytes from the chain to the core
 * @hdev: the chain
 * @buf: bytes as received
 * @count: how many
 *
 * Any context. Bytes that arrive while no one has the device open are
 * dropped (and counted in rx_bytes).
 *
 * Return: the bytes taken. That is @count unless the transport has an
 * ->unthrottle op and the FIFO is full: then the core stops before the
 * record that does not fit, the transport keeps the rest and offers it again
 * once ->unthrottle has been called (hashboard_core.h).
 */
size_t hashboard_receive(struct hashboard_device *hdev, const u8 *buf,
			 size_t count)
{
	unsigned long flags;
	unsigned int before;
	size_t done;
	bool wake;
	u64 now;

	spin_lock_irqsave(&hdev->rx_lock, flags);
	if (!hdev->active) {
		hdev->stats.rx_bytes += count;
		spin_unlock_irqrestore(&hdev->rx_lock, flags);
		return count;
	}
	before = hdev->records;
	now = ktime_get_ns();
	done = hashboard_framer_feed(hdev, buf, count, now);
	hdev->stats.rx_bytes += done;
	if (done < count)
		hdev->throttled = true;
	/* New records wake readers once the wake-up threshold is reached. */
	wake = hdev->records != before && hashboard_rx_update(hdev, now);
	if (wake && wq_has_sleeper(&hdev->read_queue))
		hdev->stats.wakeups++;
	spin_unlock_irqrestore(&hdev->rx_lock, flags);

	if (wake)
		wake_up_interruptible(&hdev->read_queue);

	return done;
}
EXPORT_SYMBOL_GPL(hashboard_receive);

/*
 * Called with read_mutex held, after a read took records or a reset emptied
 * the FIFO: a transport that was refused bytes gets them offered again once
 * there is room for half a FIFO (one kick per burst, not per record; a
 * reader that empties the FIFO always crosses that). read_mutex keeps the
 * transport alive: deregister takes it before the transport goes.
 */
static void hashboard_rx_unthrottle(struct hashboard_device *hdev)
{
	bool kick;

	spin_lock_irq(&hdev->rx_lock);
	kick = hdev->throttled &&
	       kfifo_avail(&hdev->fifo) >= HASHBOARD_FIFO_SIZE / 2;
	if (kick)
		hdev->throttled = false;
	spin_unlock_irq(&hdev->rx_lock);

	if (kick && !READ_ONCE(hdev->disconnected))
		hdev->ops->unthrottle(hdev);
}

/*
 * Called with read_mutex held after a read took n records: the oldest
 * record is now the one at the FIFO's head, and what is left may be below
 * the wake-up threshold again.
 */
static void hashboard_rx_taken(struct hashboard_device *hdev, unsigned int n)
{
	struct hashboard_record hdr;

	spin_lock_irq(&hdev->rx_lock);
	hdev->records -= min(n, hdev->records);
	if (kfifo_is_empty(&hdev->fifo))
		hdev->records = 0;
	else if (kfifo_out_peek(&hdev->fifo, &hdr, sizeof(hdr)) == sizeof(hdr))
		hdev->oldest_ns = hdr.timestamp_ns;
	hashboard_rx_update(hdev, ktime_get_ns());
	spin_unlock_irq(&hdev->rx_lock);
}

/*
 * Takes read_mutex: only the reader side may move the FIFO's out index.
 * Once inactive (last close, deregister) nothing arms wake_timer again, so
 * it is cancelled here; an active reset (open, FLUSH) leaves it: records
 * may already be arriving, and a stale expiry finds nothing due.
 */
static void hashboard_rx_reset(struct hashboard_device *hdev, bool active)
{
	unsigned long flags;

	mutex_lock(&hdev->read_mutex);
	spin_lock_irqsave(&hdev->rx_lock, flags);
	hdev->active = active;
	hdev->overrun = false;
	hdev->framer.have = 0;
	kfifo_reset_out(&hdev->fifo);
	hdev->records = 0;
	WRITE_ONCE(hdev->ready, false);
	hdev->timer_ns = 0;	/* the next record (re)starts the timer */
	spin_unlock_irqrestore(&hdev->rx_lock, flags);
	if (!active)
		hrtimer_cancel(&hdev->wake_timer);
	/* Bytes held back go to the empty FIFO, or are dropped when closed. */
	hashboard_rx_unthrottle(hdev);
	mutex_unlock(&hdev->read_mutex);
}

/*
 * HASHBOARD_IOC_FLUSH, with rwsem held for reading: the bytes the transport
 * holds back go first, then the FIFO and the partial frame. The other way
 * round, held-back bytes could reach the emptied FIFO in between.
 */
static void hashboard_flush(struct hashboard_device *hdev)
{
	if (hdev->ops->flush_input)
		hdev->ops->flush_input(hdev);
	hashboard_rx_reset(hdev, true);
}

static int hashboard_open(struct inode *inode, struct file *file)
{
	struct hashboard_device *hdev;
	int ret = 0;

	hdev = container_of(inode->i_cdev, struct hashboard_device, cdev);

	get_device(&hdev->dev);
	stream_open(inode, file);
	file->private_data = hdev;

	down_write(&hdev->rwsem);
	if (hdev->disconnected) {
		ret = -ENODEV;
		goto unlock;
	}

	if (hdev->count++ == 0) {
		/* A new user starts with a reader woken by every record. */
		spin_lock_irq(&hdev->rx_lock);
		hdev->wake_min = 1;
		hdev->wake_delay_ns = 0;
		spin_unlock_irq(&hdev->rx_lock);
		hashboard_rx_reset(hdev, true);
		ret = hdev->ops->open(hdev);
		if (ret) {
			hashboard_rx_reset(hdev, false);
			hdev->count--;
		}
	}
unlock:
	up_write(&hdev->rwsem);

	if (ret)
		put_device(&hdev->dev);

	return ret;
}

static int hashboard_release(struct inode *inode, struct file *file)
{
	struct hashboard_device *hdev = file->private_data;

	down_write(&hdev->rwsem);
	if (hdev->disconnected)
		goto unlock;

	if (--hdev->count == 0) {
		hdev->ops->close(hdev);
		hashboard_rx_reset(hdev, false);
	}
unlock:
	up_write(&hdev->rwsem);

	put_device(&hdev->dev);

	return 0;
}

static bool hashboard_readable(struct hashboard_device *hdev)
{
	return READ_ONCE(hdev->ready) || READ_ONCE(hdev->disconnected);
}

static ssize_t hashboard_read(struct file *file, char __user *buf,
			      size_t count, loff_t *pos)
{
	struct hashboard_device *hdev = file->private_data;
	bool nonblock = file->f_flags & O_NONBLOCK;
	unsigned int copied, size, taken = 0;
	struct hashboard_record hdr;
	size_t done = 0;
	int ret;

	/*
	 * Sleep without read_mutex, so flush and a second reader never wait on
	 * us. A blocking read waits for the wake-up threshold (ready); a
	 * non-blocking one, or one after a disconnect, takes what is queued.
	 */
	for (;;) {
		if (mutex_lock_interruptible(&hdev->read_mutex))
			return -ERESTARTSYS;
		if (READ_ONCE(hdev->ready) ||
		    ((nonblock || READ_ONCE(hdev->disconnected)) &&
		     !kfifo_is_empty(&hdev->fifo)))
			break;
		mutex_unlock(&hdev->read_mutex);

		if (READ_ONCE(hdev->disconnected))
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(hdev->read_queue,
					     hashboard_readable(hdev)))
			return -ERESTARTSYS;
	}

	/* Whole records only, as many as fit. */
	while (kfifo_out_peek(&hdev->fifo, &hdr, sizeof(hdr)) == sizeof(hdr)) {
		size = HASHBOARD_RECORD_SIZE(hdr.len);
		if (size > count - done)
			break;
		ret = kfifo_to_user(&hdev->fifo, buf + done, size, &copied);
		if (ret)
			goto out;
		done += copied;
		taken++;
	}
	ret = done ? done : -EMSGSIZE;
out:
	if (taken)
		hashboard_rx_taken(hdev, taken);
	hashboard_rx_unthrottle(hdev);
	mutex_unlock(&hdev->read_mutex);

	return ret;
}

static ssize_t hashboard_write(struct file *file, const char __user *buf,
			       size_t count, loff_t *pos)
{
	struct hashboard_device *hdev = file->private_data;
	size_t written = 0;
	int ret;

	if (count > HASHBOARD_MAX_WRITE)
		return -EMSGSIZE;
	if (!count)
		return 0;

	if (mutex_lock_interruptible(&hdev->write_mutex))
		return -ERESTARTSYS;

	if (copy_from_user(hdev->write_buf, buf, count)) {
		ret = -EFAULT;
		goto out_unlock;
	}

	down_read(&hdev->rwsem);
	while (written < count) {
		if (hdev->disconnected) {
			ret = -EIO;
			goto out_up;
		}
		ret = hdev->ops->write_raw(hdev, hdev->write_buf + written,
					   count - written);
		if (ret < 0)
			goto out_up;
		if (WARN_ON_ONCE(ret == 0)) {
			ret = -EIO;
			goto out_up;
		}
		written += ret;
	}
out_up:
	/* Bytes that went out are reported, whatever stopped the rest. */
	if (written)
		ret = written;
	spin_lock_irq(&hdev->rx_lock);
	hdev->stats.tx_bytes += written;
	spin_unlock_irq(&hdev->rx_lock);
	up_read(&hdev->rwsem);
out_unlock:
	mutex_unlock(&hdev->write_mutex);

	return ret;
}

static __poll_t hashboard_poll(struct file *file, poll_table *wait)
{
	struct hashboard_device *hdev = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &hdev->read_queue, wait);

	if (READ_ONCE(hdev->ready))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(hdev->disconnected))
		mask |= EPOLLHUP;
	else
		mask |= EPOLLOUT | EPOLLWRNORM;

	return mask;
}

/*
 * Copies a user structure whose first field is its size: sizes below
 * min_size are -EINVAL; the part beyond what the kernel knows must be zero.
 */
static int hashboard_copy_struct_from_user(void *dst, size_t ksize,
					   size_t min_size,
					   const void __user *src)
{
	u32 usize;
	int ret;

	if (get_user(usize, (const u32 __user *)src))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	ret = copy_struct_from_user(dst, ksize, src, usize);
	if (ret == -E2BIG)
		return -EINVAL;
	return ret;
}

/*
 * The other way: fills what both sides know, sets size to that, and zeroes
 * the part of a newer userspace's structure the kernel does not know.
 */
static int hashboard_copy_struct_to_user(void __user *dst, void *src,
					 size_t ksize, size_t min_size)
{
	u32 usize, n;

	if (get_user(usize, (u32 __user *)dst))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	n = min_t(u32, usize, ksize);
	*(u32 *)src = n;
	if (copy_to_user(dst, src, n))
		return -EFAULT;
	if (usize > n && clear_user(dst + n, usize - n))
		return -EFAULT;
	return 0;
}

static int hashboard_ioc_get_info(struct hashboard_device *hdev,
				  void __user *argp)
{
	struct hashboard_info info;

	memset(&info, 0, sizeof(info));
	info.abi_version = HASHBOARD_ABI_VERSION;
	info.transport = hdev->transport;
	info.caps = hdev->caps;
	info.baud = hdev->baud;
	info.chain_id = hdev->chain_id;
	spin_lock_irq(&hdev->rx_lock);
	info.mode = hdev->framer.mode;
	info.reply_len = hdev->framer.reply_len;
	spin_unlock_irq(&hdev->rx_lock);
	strscpy(info.family, hdev->family, sizeof(info.family));
	strscpy(info.driver_version, HASHBOARD_DRIVER_VERSION,
		sizeof(info.driver_version));

	return hashboard_copy_struct_to_user(argp, &info, sizeof(info),
					     sizeof(info));
}

static int hashboard_ioc_get_stats(struct hashboard_device *hdev,
				   void __user *argp)
{
	struct hashboard_stats stats;

	spin_lock_irq(&hdev->rx_lock);
	stats = hdev->stats;
	spin_unlock_irq(&hdev->rx_lock);
	stats.reserved = 0;

	return hashboard_copy_struct_to_user(argp, &stats, sizeof(stats),
					     sizeof(stats));
}

static int hashboard_set_mode(struct hashboard_device *hdev, u32 mode,
			      u32 reply_len)
{
	if (mode != HASHBOARD_MODE_FRAMED && mode != HASHBOARD_MODE_RAW)
		return -EINVAL;
	if (reply_len != 9 && reply_len != 11)
		return -EINVAL;

	spin_lock_irq(&hdev->rx_lock);
	hashboard_framer_init(&hdev->framer, mode, reply_len);
	spin_unlock_irq(&hdev->rx_lock);

	return 0;
}

static int hashboard_ioc_set_mode(struct hashboard_device *hdev,
				  void __user *argp)
{
	struct hashboard_mode m;
	int ret;

	ret = hashboard_copy_struct_from_user(&m, sizeof(m), sizeof(m), argp);
	if (ret)
		return ret;
	if (m.reserved)
		return -EINVAL;

	return hashboard_set_mode(hdev, m.mode, m.reply_len);
}

static int hashboard_ioc_set_wakeup(struct hashboard_device *hdev,
				    void __user *argp)
{
	struct hashboard_wakeup w;
	bool wake;
	int ret;

	ret = hashboard_copy_struct_from_user(&w, sizeof(w), sizeof(w), argp);
	if (ret)
		return ret;
	if (w.reserved || w.min_records < 1 ||
	    w.min_records > HASHBOARD_WAKEUP_MAX_RECORDS ||
	    w.max_delay_us > HASHBOARD_WAKEUP_MAX_DELAY_US ||
	    (w.min_records > 1 && !w.max_delay_us))
		return -EINVAL;

	spin_lock_irq(&hdev->rx_lock);
	hdev->wake_min = w.min_records;
	hdev->wake_delay_ns = (u64)w.max_delay_us * NSEC_PER_USEC;
	hdev->timer_ns = 0;	/* re-armed for the new delay if records wait */
	wake = hashboard_rx_update(hdev, ktime_get_ns());
	if (wake && wq_has_sleeper(&hdev->read_queue))
		hdev->stats.wakeups++;
	spin_unlock_irq(&hdev->rx_lock);

	if (wake)
		wake_up_interruptible(&hdev->read_queue);

	return 0;
}

static int hashboard_ioc_get_wakeup(struct hashboard_device *hdev,
				    void __user *argp)
{
	struct hashboard_wakeup w;

	memset(&w, 0, sizeof(w));
	spin_lock_irq(&hdev->rx_lock);
	w.min_records = hdev->wake_min;
	w.max_delay_us = div_u64(hdev->wake_delay_ns, NSEC_PER_USEC);
	spin_unlock_irq(&hdev->rx_lock);

	return hashboard_copy_struct_to_user(argp, &w, sizeof(w), sizeof(w));
}

static long hashboard_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct hashboard_device *hdev = file->private_data;
	void __user *argp = (void __user *)arg;
	u32 val;
	int ret;

	if (_IOC_TYPE(cmd) != HASHBOARD_IOC_MAGIC)
		return -ENOTTY;

	down_read(&hdev->rwsem);
	if (hdev->disconnected) {
		ret = -ENODEV;
		goto out;
	}

	switch (cmd) {
	case HASHBOARD_IOC_GET_INFO:
		ret = hashboard_ioc_get_info(hdev, argp);
		break;
	case HASHBOARD_IOC_GET_STATS:
		ret = hashboard_ioc_get_stats(hdev, argp);
		break;
	case HASHBOARD_IOC_CLEAR_STATS:
		spin_lock_irq(&hdev->rx_lock);
		memset(&hdev->stats, 0, sizeof(hdev->stats));
		spin_unlock_irq(&hdev->rx_lock);
		ret = 0;
		break;
	case HASHBOARD_IOC_FLUSH:
		hashboard_flush(hdev);
		ret = 0;
		break;
	case HASHBOARD_IOC_SET_MODE:
		ret = hashboard_ioc_set_mode(hdev, argp);
		break;
	case HASHBOARD_IOC_SET_WAKEUP:
		ret = hashboard_ioc_set_wakeup(hdev, argp);
		break;
	case HASHBOARD_IOC_GET_WAKEUP:
		ret = hashboard_ioc_get_wakeup(hdev, argp);
		break;
	case HASHBOARD_IOC_SET_BAUD:
		ret = get_user(val, (u32 __user *)argp);
		if (ret)
			break;
		if (!hdev->ops->set_baud) {
			ret = -EOPNOTSUPP;
			break;
		}
		if (val < HASHBOARD_BAUD_MIN || val > HASHBOARD_BAUD_MAX) {
			ret = -EINVAL;
			break;
		}
		ret = hdev->ops->set_baud(hdev, val);
		if (!ret)
			hdev->baud = val;
		break;
	case HASHBOARD_IOC_RESET:
		ret = get_user(val, (u32 __user *)argp);
		if (ret)
			break;
		if (!hdev->ops->reset) {
			ret = -EOPNOTSUPP;
			break;
		}
		if (val < 1 || val > 1000) {
			ret = -EINVAL;
			break;
		}
		ret = hdev->ops->reset(hdev, val);
		break;
	case HASHBOARD_IOC_SET_POWER:
		ret = get_user(val, (u32 __user *)argp);
		if (ret)
			break;
		if (!hdev->ops->set_power) {
			ret = -EOPNOTSUPP;
			break;
		}
		if (val > 1) {
			ret = -EINVAL;
			break;
		}
		ret = hdev->ops->set_power(hdev, val);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
out:
	up_read(&hdev->rwsem);

	return ret;
}

static const struct file_operations hashboard_fops = {
	.owner		= THIS_MODULE,
	.open		= hashboard_open,
	.release	= hashboard_release,
	.read		= hashboard_read,
	.write		= hashboard_write,
	.poll		= hashboard_poll,
	.unlocked_ioctl	= hashboard_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static void hashboard_device_release(struct device *dev)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);

	/* Nothing armed it since the last reset; make sure nothing fires. */
	hrtimer_cancel(&hdev->wake_timer);
	kfree(hdev->write_buf);
	kfifo_free(&hdev->fifo);
	ida_free(&hashboard_minors, hdev->id);
	kfree(hdev);
}

/**
 * hashboard_allocate_device() - allocate a chain device
 * @parent: the transport's device
 *
 * Return: the device, to be registered, or NULL.
 */
struct hashboard_device *hashboard_allocate_device(struct device *parent)
{
	struct hashboard_device *hdev;
	struct device *dev;
	int id, ret;

	hdev = kzalloc(sizeof(*hdev), GFP_KERNEL);
	if (!hdev)
		return NULL;

	id = ida_alloc_max(&hashboard_minors, HASHBOARD_MINORS - 1, GFP_KERNEL);
	if (id < 0) {
		kfree(hdev);
		return NULL;
	}

	hdev->id = id;
	hdev->chain_id = id;
	hdev->baud = 115200;

	dev = &hdev->dev;
	device_initialize(dev);
	dev->devt = hashboard_first + id;
	dev->class = hashboard_class;
	dev->parent = parent;
	dev->release = hashboard_device_release;
	dev_set_drvdata(dev, hdev);
	dev_set_name(dev, "hashboard%d", id);

	init_rwsem(&hdev->rwsem);
	mutex_init(&hdev->read_mutex);
	mutex_init(&hdev->write_mutex);
	spin_lock_init(&hdev->rx_lock);
	init_waitqueue_head(&hdev->read_queue);
	hrtimer_init(&hdev->wake_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	hdev->wake_timer.function = hashboard_wake_timer;
	hdev->wake_min = 1;
	hashboard_framer_init(&hdev->framer, HASHBOARD_MODE_FRAMED, 9);
	hdev->framer.idle_byte = -1;

	ret = kfifo_alloc(&hdev->fifo, HASHBOARD_FIFO_SIZE, GFP_KERNEL);
	if (ret)
		goto err_put_device;

	hdev->write_buf = kzalloc(HASHBOARD_MAX_WRITE, GFP_KERNEL);
	if (!hdev->write_buf)
		goto err_put_device;

	cdev_init(&hdev->cdev, &hashboard_fops);
	hdev->cdev.owner = THIS_MODULE;

	return hdev;

err_put_device:
	put_device(dev);

	return NULL;
}
EXPORT_SYMBOL_GPL(hashboard_allocate_device);

/**
 * hashboard_register_device() - make the chain visible as /dev/hashboardN
 * @hdev: an allocated device whose ops and identity are set
 *
 * Return: 0 or a negative errno (then only hashboard_put_device()).
 */
int hashboard_register_device(struct hashboard_device *hdev)
{
	int ret;

	if (WARN_ON(!hdev->ops || !hdev->ops->open || !hdev->ops->close ||
		    !hdev->ops->write_raw))
		return -EINVAL;

	/* Set up before cdev_device_add() so a racing open sees a live chain. */
	hdev->disconnected = false;

	ret = cdev_device_add(&hdev->cdev, &hdev->dev);
	if (ret) {
		dev_err(&hdev->dev, "failed to add device: %d\n", ret);
		return ret;
	}

	return 0;
}
EXPORT_SYMBOL_GPL(hashboard_register_device);

/**
 * hashboard_deregister_device() - the chain is gone
 * @hdev: a registered device
 *
 * After this, open gives -ENODEV, read 0, write -EIO and poll EPOLLHUP; the
 * transport's ops are not called again and it must not call
 * hashboard_receive() any more.
 */
void hashboard_deregister_device(struct hashboard_device *hdev)
{
	down_write(&hdev->rwsem);
	hdev->disconnected = true;
	if (hdev->count) {
		hdev->ops->close(hdev);
		hashboard_rx_reset(hdev, false);
	}
	up_write(&hdev->rwsem);

	/* Readers blocked in read() or poll() wake up and see the hangup. */
	wake_up_interruptible_all(&hdev->read_queue);

	cdev_device_del(&hdev->cdev, &hdev->dev);
}
EXPORT_SYMBOL_GPL(hashboard_deregister_device);

/**
 * hashboard_put_device() - drop the transport's reference
 * @hdev: the device
 */
void hashboard_put_device(struct hashboard_device *hdev)
{
	put_device(&hdev->dev);
}
EXPORT_SYMBOL_GPL(hashboard_put_device);

/* ---- sysfs ------------------------------------------------------------ */

static ssize_t transport_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);

	return sysfs_emit(buf, "%s\n", hashboard_transport_name(hdev->transport));
}
static DEVICE_ATTR_RO(transport);

static ssize_t family_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);

	return sysfs_emit(buf, "%s\n", hdev->family);
}
static DEVICE_ATTR_RO(family);

static ssize_t chain_id_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);

	return sysfs_emit(buf, "%u\n", hdev->chain_id);
}
static DEVICE_ATTR_RO(chain_id);

static ssize_t baud_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(hdev->baud));
}
static DEVICE_ATTR_RO(baud);

static ssize_t mode_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);

	return sysfs_emit(buf, "%s\n", READ_ONCE(hdev->framer.mode) ==
			  HASHBOARD_MODE_RAW ? "raw" : "framed");
}

static ssize_t mode_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);
	u32 mode;
	int ret;

	if (sysfs_streq(buf, "raw"))
		mode = HASHBOARD_MODE_RAW;
	else if (sysfs_streq(buf, "framed"))
		mode = HASHBOARD_MODE_FRAMED;
	else
		return -EINVAL;

	ret = hashboard_set_mode(hdev, mode, READ_ONCE(hdev->framer.reply_len));

	return ret ? ret : count;
}
static DEVICE_ATTR_RW(mode);

static ssize_t reply_len_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(hdev->framer.reply_len));
}

static ssize_t reply_len_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t count)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);
	u32 len;
	int ret;

	ret = kstrtou32(buf, 0, &len);
	if (ret)
		return ret;
	ret = hashboard_set_mode(hdev, READ_ONCE(hdev->framer.mode), len);

	return ret ? ret : count;
}
static DEVICE_ATTR_RW(reply_len);

static ssize_t wake_records_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(hdev->wake_min));
}
static DEVICE_ATTR_RO(wake_records);

static ssize_t wake_delay_us_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);
	u64 ns;

	spin_lock_irq(&hdev->rx_lock);
	ns = hdev->wake_delay_ns;
	spin_unlock_irq(&hdev->rx_lock);

	return sysfs_emit(buf, "%llu\n", div_u64(ns, NSEC_PER_USEC));
}
static DEVICE_ATTR_RO(wake_delay_us);

static ssize_t hashboard_stat_show(struct device *dev, char *buf,
				   size_t offset)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);
	u64 v;

	spin_lock_irq(&hdev->rx_lock);
	v = *(u64 *)((u8 *)&hdev->stats + offset);
	spin_unlock_irq(&hdev->rx_lock);

	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t rx_bytes_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return hashboard_stat_show(dev, buf,
				   offsetof(struct hashboard_stats, rx_bytes));
}
static DEVICE_ATTR_RO(rx_bytes);

static ssize_t tx_bytes_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return hashboard_stat_show(dev, buf,
				   offsetof(struct hashboard_stats, tx_bytes));
}
static DEVICE_ATTR_RO(tx_bytes);

static ssize_t frames_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return hashboard_stat_show(dev, buf,
				   offsetof(struct hashboard_stats, frames));
}
static DEVICE_ATTR_RO(frames);

static ssize_t crc_errors_show(struct device *dev, struct device_attribute *attr,
			       char *buf)
{
	return hashboard_stat_show(dev, buf,
				   offsetof(struct hashboard_stats, crc_errors));
}
static DEVICE_ATTR_RO(crc_errors);

static ssize_t garbage_bytes_show(struct device *dev, struct device_attribute *attr,
				  char *buf)
{
	return hashboard_stat_show(dev, buf,
				   offsetof(struct hashboard_stats, garbage_bytes));
}
static DEVICE_ATTR_RO(garbage_bytes);

static ssize_t overruns_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return hashboard_stat_show(dev, buf,
				   offsetof(struct hashboard_stats, overruns));
}
static DEVICE_ATTR_RO(overruns);

static ssize_t wakeups_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return hashboard_stat_show(dev, buf,
				   offsetof(struct hashboard_stats, wakeups));
}
static DEVICE_ATTR_RO(wakeups);

static struct attribute *hashboard_attrs[] = {
	&dev_attr_transport.attr,
	&dev_attr_family.attr,
	&dev_attr_chain_id.attr,
	&dev_attr_baud.attr,
	&dev_attr_mode.attr,
	&dev_attr_reply_len.attr,
	&dev_attr_wake_records.attr,
	&dev_attr_wake_delay_us.attr,
	NULL
};

static const struct attribute_group hashboard_group = {
	.attrs = hashboard_attrs,
};

static struct attribute *hashboard_stats_attrs[] = {
	&dev_attr_rx_bytes.attr,
	&dev_attr_tx_bytes.attr,
	&dev_attr_frames.attr,
	&dev_attr_crc_errors.attr,
	&dev_attr_garbage_bytes.attr,
	&dev_attr_overruns.attr,
	&dev_attr_wakeups.attr,
	NULL
};

static const struct attribute_group hashboard_stats_group = {
	.name = "statistics",
	.attrs = hashboard_stats_attrs,
};

static const struct attribute_group *hashboard_groups[] = {
	&hashboard_group,
	&hashboard_stats_group,
	NULL
};

static int hashboard_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	struct hashboard_device *hdev = to_hashboard_device(dev);
	int ret;

	ret = add_uevent_var(env, "HASHBOARD_TRANSPORT=%s",
			     hashboard_transport_name(hdev->transport));
	if (ret)
		return ret;
	ret = add_uevent_var(env, "HASHBOARD_CHAIN=%u", hdev->chain_id);
	if (ret)
		return ret;
	if (hdev->family[0])
		return add_uevent_var(env, "HASHBOARD_FAMILY=%s", hdev->family);

	return 0;
}

static int __init hashboard_module_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&hashboard_first, 0, HASHBOARD_MINORS,
				  "hashboard");
	if (ret < 0) {
		pr_err("failed to allocate device numbers: %d\n", ret);
		return ret;
	}

	hashboard_class = class_create(THIS_MODULE, "hashboard");
	if (IS_ERR(hashboard_class)) {
		ret = PTR_ERR(hashboard_class);
		pr_err("failed to create class: %d\n", ret);
		goto err_unregister_chrdev;
	}
	hashboard_class->dev_groups = hashboard_groups;
	hashboard_class->dev_uevent = hashboard_uevent;

	ret = hashboard_ldisc_init();
	if (ret)
		goto err_destroy_class;
	ret = hashboard_serdev_init();
	if (ret)
		goto err_ldisc_exit;
	ret = hashboard_spi_init();
	if (ret)
		goto err_serdev_exit;

	return 0;

err_serdev_exit:
	hashboard_serdev_exit();
err_ldisc_exit:
	hashboard_ldisc_exit();
err_destroy_class:
	class_destroy(hashboard_class);
err_unregister_chrdev:
	unregister_chrdev_region(hashboard_first, HASHBOARD_MINORS);

	return ret;
}
module_init(hashboard_module_init);

static void __exit hashboard_module_exit(void)
{
	hashboard_spi_exit();
	hashboard_serdev_exit();
	hashboard_ldisc_exit();
	class_destroy(hashboard_class);
	unregister_chrdev_region(hashboard_first, HASHBOARD_MINORS);
	ida_destroy(&hashboard_minors);
}
module_exit(hashboard_module_exit);

MODULE_AUTHOR("The hashboard project");
MODULE_DESCRIPTION("BM13xx hashboard chip chains as character devices");
MODULE_LICENSE("GPL");
MODULE_VERSION(HASHBOARD_DRIVER_VERSION);
