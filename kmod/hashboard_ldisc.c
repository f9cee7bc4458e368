// SPDX-License-Identifier: GPL-2.0
/*
 * hashboard line discipline: any tty (a UART, a USB serial adapter) becomes
 * /dev/hashboardN once userspace sets this line discipline on it
 * (TIOCSETD N_DEVELOPMENT, e.g. "hbctl attach /dev/ttyUSB0"). The chain lives
 * as long as the line discipline: a hangup or a change of line discipline
 * deregisters it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/tty_ldisc.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "hashboard_core.h"

/* The uapi header names the number; it must stay N_DEVELOPMENT's. */
static_assert(HASHBOARD_LDISC == N_DEVELOPMENT);

static char *ldisc_family = "";
module_param(ldisc_family, charp, 0444);
MODULE_PARM_DESC(ldisc_family,
		 "chip family reported for line-discipline chains (e.g. bm1366)");

struct hashboard_ldisc {
	struct tty_struct *tty;
	struct hashboard_device *hdev;
	wait_queue_head_t write_wait;
	bool closing;
};

static int hashboard_ldisc_dev_open(struct hashboard_device *hdev)
{
	return 0;
}

static void hashboard_ldisc_dev_close(struct hashboard_device *hdev)
{
}

static bool hashboard_ldisc_can_write(struct hashboard_ldisc *hl)
{
	return READ_ONCE(hl->closing) || tty_write_room(hl->tty) > 0 ||
	       test_bit(TTY_IO_ERROR, &hl->tty->flags);
}

static int hashboard_ldisc_write_raw(struct hashboard_device *hdev,
				     const u8 *buf, size_t count)
{
	struct hashboard_ldisc *hl = hashboard_get_drvdata(hdev);
	struct tty_struct *tty = hl->tty;
	long left;
	int ret;

	for (;;) {
		if (READ_ONCE(hl->closing) || test_bit(TTY_IO_ERROR, &tty->flags))
			return -EIO;
		set_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
		ret = tty->ops->write(tty, buf, count);
		if (ret)
			return ret;
		left = msecs_to_jiffies(1000);
		left = wait_event_interruptible_timeout(hl->write_wait,
							hashboard_ldisc_can_write(hl),
							left);
		if (left < 0)
			return -ERESTARTSYS;
		if (!left)
			return -ETIMEDOUT;
	}
}

static int hashboard_ldisc_set_baud(struct hashboard_device *hdev, u32 baud)
{
	struct hashboard_ldisc *hl = hashboard_get_drvdata(hdev);
	struct ktermios kt;

	kt = hl->tty->termios;
	tty_termios_encode_baud_rate(&kt, baud, baud);
	tty_set_termios(hl->tty, &kt);
	if (tty_get_baud_rate(hl->tty) != baud)
		return -EINVAL;

	return 0;
}

/*
 * The core has room again after receive_buf2 took less than it was offered.
 * The tty layer's flip buffer work stopped there and keeps the rest; start
 * it again, as N_TTY's reader does with tty_buffer_restart_work() (not
 * exported; this is its body). Safe while the line discipline is attached:
 * the work item lives in the tty's port, and a halted line discipline makes
 * the work return at once.
 */
static void hashboard_ldisc_unthrottle(struct hashboard_device *hdev)
{
	struct hashboard_ldisc *hl = hashboard_get_drvdata(hdev);

	queue_work(system_unbound_wq, &hl->tty->port->buf.work);
}

/*
 * HASHBOARD_IOC_FLUSH: drop what the tty layer holds back (the flip buffer
 * receive_buf2 left bytes in), as tcflush(TCIFLUSH) on the tty does.
 * tty_ldisc_flush() empties the port's buffer under its buf->lock, which
 * flush_to_ldisc holds around receive_buf2, so a receive in progress ends
 * first; it then calls the line discipline's ->flush_buffer, which this one
 * deliberately lacks: a tty flush reaching the core's FLUSH would come back
 * here and take buf->lock again. Only rwsem (read) is held by the caller;
 * nothing under buf->lock takes it. When the line discipline is being
 * changed, tty_ldisc_ref() fails and only the buffer is flushed. A pty's
 * writer waiting for buffer room is woken, as receive_buf2 does.
 */
static void hashboard_ldisc_flush_input(struct hashboard_device *hdev)
{
	struct hashboard_ldisc *hl = hashboard_get_drvdata(hdev);
	struct tty_struct *tty = hl->tty;

	tty_ldisc_flush(tty);
	if (tty->driver->type == TTY_DRIVER_TYPE_PTY)
		tty_wakeup(tty->link);
}

static const struct hashboard_ops hashboard_ldisc_ops = {
	.open		= hashboard_ldisc_dev_open,
	.close		= hashboard_ldisc_dev_close,
	.write_raw	= hashboard_ldisc_write_raw,
	.set_baud	= hashboard_ldisc_set_baud,
	.unthrottle	= hashboard_ldisc_unthrottle,
	.flush_input	= hashboard_ldisc_flush_input,
};

/* A raw 8N1 line with no flow control: the chain sends binary. */
static void hashboard_ldisc_set_raw(struct tty_struct *tty)
{
	struct ktermios kt = tty->termios;

	kt.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
			ICRNL | IXON | IXOFF);
	kt.c_oflag &= ~OPOST;
	kt.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	kt.c_cflag &= ~(CSIZE | PARENB | CSTOPB | CRTSCTS);
	kt.c_cflag |= CS8 | CREAD | CLOCAL;
	tty_set_termios(tty, &kt);
}

static int hashboard_ldisc_open(struct tty_struct *tty)
{
	struct hashboard_device *hdev;
	struct hashboard_ldisc *hl;
	int ret;

	if (!tty->ops->write || !tty->port)
		return -EOPNOTSUPP;

	hl = kzalloc(sizeof(*hl), GFP_KERNEL);
	if (!hl)
		return -ENOMEM;

	hdev = hashboard_allocate_device(tty->dev);
	if (!hdev) {
		ret = -ENOMEM;
		goto err_free_hl;
	}

	hl->tty = tty;
	hl->hdev = hdev;
	init_waitqueue_head(&hl->write_wait);

	hdev->ops = &hashboard_ldisc_ops;
	hdev->priv = hl;
	hdev->transport = HASHBOARD_TRANSPORT_LDISC;
	hdev->caps = HASHBOARD_CAP_BAUD;
	strscpy(hdev->family, ldisc_family, sizeof(hdev->family));

	hashboard_ldisc_set_raw(tty);
	hdev->baud = tty_get_baud_rate(tty);
	tty->disc_data = hl;

	ret = hashboard_register_device(hdev);
	if (ret)
		goto err_put_device;

	return 0;

err_put_device:
	tty->disc_data = NULL;
	hashboard_put_device(hdev);
err_free_hl:
	kfree(hl);

	return ret;
}

static void hashboard_ldisc_hangup(struct tty_struct *tty)
{
	struct hashboard_ldisc *hl = tty->disc_data;

	if (!hl)
		return;
	WRITE_ONCE(hl->closing, true);
	wake_up_interruptible_all(&hl->write_wait);
}

static void hashboard_ldisc_close(struct tty_struct *tty)
{
	struct hashboard_ldisc *hl = tty->disc_data;

	if (!hl)
		return;

	/* A writer waiting for room gives up before deregister waits for it. */
	hashboard_ldisc_hangup(tty);

	hashboard_deregister_device(hl->hdev);
	hashboard_put_device(hl->hdev);
	tty->disc_data = NULL;
	kfree(hl);
}

/*
 * Flow control as N_TTY's: returns the bytes taken. When the core's FIFO is
 * full that is fewer than count; the tty layer keeps the rest in its flip
 * buffer (the driver's sender stalls or, past the buffer's limit, the
 * driver drops bytes and counts them itself) until the core calls
 * hashboard_ldisc_unthrottle().
 */
static int hashboard_ldisc_receive_buf2(struct tty_struct *tty,
					const u8 *cp, const char *fp,
					int count)
{
	struct hashboard_ldisc *hl = tty->disc_data;
	int ret;

	/* Detached (or nothing offered): the bytes go nowhere. */
	if (!hl || count <= 0)
		return max(count, 0);

	ret = hashboard_receive(hl->hdev, cp, count);
	/*
	 * A pty's writer waits for flip buffer room, which only taking bytes
	 * here frees; N_TTY wakes it from its reader (n_tty_check_unthrottle).
	 */
	if (ret && tty->driver->type == TTY_DRIVER_TYPE_PTY)
		tty_wakeup(tty->link);

	return ret;
}

static void hashboard_ldisc_write_wakeup(struct tty_struct *tty)
{
	struct hashboard_ldisc *hl = tty->disc_data;

	clear_bit(TTY_DO_WRITE_WAKEUP, &tty->flags);
	if (hl)
		wake_up_interruptible(&hl->write_wait);
}

static int hashboard_ldisc_ioctl(struct tty_struct *tty, unsigned int cmd,
				 unsigned long arg)
{
	struct hashboard_ldisc *hl = tty->disc_data;

	switch (cmd) {
	case HASHBOARD_LDISC_IOC_INDEX:
		if (!hl)
			return -ENODEV;
		return put_user((u32)hl->hdev->id, (u32 __user *)arg);
	default:
		return n_tty_ioctl_helper(tty, cmd, arg);
	}
}

static ssize_t hashboard_ldisc_read(struct tty_struct *tty, struct file *file,
				    u8 *buf, size_t nr, void **cookie,
				    unsigned long offset)
{
	/* The chain's bytes go to /dev/hashboardN, not to the tty. */
	return -EBUSY;
}

static ssize_t hashboard_ldisc_tty_write(struct tty_struct *tty,
					 struct file *file, const u8 *buf,
					 size_t nr)
{
	return -EBUSY;
}

static struct tty_ldisc_ops hashboard_ldisc_ldops = {
	.owner		= THIS_MODULE,
	.num		= HASHBOARD_LDISC,
	.name		= "hashboard",
	.open		= hashboard_ldisc_open,
	.close		= hashboard_ldisc_close,
	.hangup		= hashboard_ldisc_hangup,
	.read		= hashboard_ldisc_read,
	.write		= hashboard_ldisc_tty_write,
	.ioctl		= hashboard_ldisc_ioctl,
	.receive_buf2	= hashboard_ldisc_receive_buf2,
	.write_wakeup	= hashboard_ldisc_write_wakeup,
};

int hashboard_ldisc_init(void)
{
	int ret;

	ret = tty_register_ldisc(&hashboard_ldisc_ldops);
	if (ret)
		pr_err("failed to register line discipline %d: %d\n",
		       HASHBOARD_LDISC, ret);

	return ret;
}

void hashboard_ldisc_exit(void)
{
	tty_unregister_ldisc(&hashboard_ldisc_ldops);
}
