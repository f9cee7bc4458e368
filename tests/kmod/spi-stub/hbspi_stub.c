// SPDX-License-Identifier: GPL-2.0
/*
 * hbspi_stub: a test-only SPI controller for the hashboard SPI transport.
 *
 * No emulated SPI controller reaches a simulator on the host, so this module
 * registers a controller with one "hashboard-spi" device on it and hands its
 * transfers to userspace through /dev/hbspi_stub: what the host clocks out
 * (MOSI) is read() there, and what userspace write()s is clocked back in
 * (MISO) on the next transfers, 0x00 when there is nothing. A relay in the
 * guest (hb_spirelay) copies both directions to a UART wired to hbsim. It
 * stands in for an SPI-to-UART bridge in front of the chain: transfers of
 * nothing but the 0x00 filler (the transport's receive polls) are the
 * bridge's idle clocking and are not forwarded to the chain.
 *
 * Built at test time by tests/kmod/run; not part of hashboard.ko.
 */

#include <linux/fs.h>
#include <linux/kfifo.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#define STUB_FIFO	8192
#define STUB_CHUNK	512

struct hbspi_stub {
	struct platform_device *pdev;
	struct spi_controller *ctlr;
	struct spi_device *spi;
	spinlock_t lock;		/* both fifos and the counters */
	DECLARE_KFIFO(mosi, u8, STUB_FIFO);
	DECLARE_KFIFO(miso, u8, STUB_FIFO);
	wait_queue_head_t wq;
	u64 transfers;
	u64 dropped;
};

static struct hbspi_stub *stub;

static bool hbspi_stub_all_filler(const u8 *buf, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (buf[i])
			return false;
	return true;
}

static int hbspi_stub_transfer_one(struct spi_controller *ctlr,
				   struct spi_device *spi,
				   struct spi_transfer *t)
{
	const u8 *tx = t->tx_buf;
	u8 *rx = t->rx_buf;
	unsigned int n = 0, len = t->len;
	bool wake = false;

	spin_lock(&stub->lock);
	stub->transfers++;
	if (tx && !hbspi_stub_all_filler(tx, len)) {
		unsigned int in = kfifo_in(&stub->mosi, tx, len);

		stub->dropped += len - in;
		wake = in > 0;
	}
	if (rx)
		n = kfifo_out(&stub->miso, rx, len);
	spin_unlock(&stub->lock);
	if (rx && n < len)
		memset(rx + n, 0, len - n);
	if (wake)
		wake_up_interruptible(&stub->wq);

	return 0;
}

static ssize_t hbspi_stub_read(struct file *file, char __user *buf,
			       size_t count, loff_t *pos)
{
	u8 tmp[STUB_CHUNK];
	unsigned int n;
	int ret;

	count = min_t(size_t, count, sizeof(tmp));
	for (;;) {
		spin_lock_irq(&stub->lock);
		n = kfifo_out(&stub->mosi, tmp, count);
		spin_unlock_irq(&stub->lock);
		if (n)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(stub->wq,
					       !kfifo_is_empty(&stub->mosi));
		if (ret)
			return ret;
	}
	if (copy_to_user(buf, tmp, n))
		return -EFAULT;

	return n;
}

static ssize_t hbspi_stub_write(struct file *file, const char __user *buf,
				size_t count, loff_t *pos)
{
	u8 tmp[STUB_CHUNK];
	unsigned int n;

	count = min_t(size_t, count, sizeof(tmp));
	if (copy_from_user(tmp, buf, count))
		return -EFAULT;
	spin_lock_irq(&stub->lock);
	n = kfifo_in(&stub->miso, tmp, count);
	spin_unlock_irq(&stub->lock);

	return n ? n : -EAGAIN;
}

static __poll_t hbspi_stub_poll(struct file *file, poll_table *wait)
{
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &stub->wq, wait);
	if (!kfifo_is_empty(&stub->mosi))
		mask |= EPOLLIN | EPOLLRDNORM;

	return mask;
}

static const struct file_operations hbspi_stub_fops = {
	.owner	= THIS_MODULE,
	.read	= hbspi_stub_read,
	.write	= hbspi_stub_write,
	.poll	= hbspi_stub_poll,
	.llseek	= noop_llseek,
};

static struct miscdevice hbspi_stub_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hbspi_stub",
	.fops	= &hbspi_stub_fops,
};

static int __init hbspi_stub_init(void)
{
	struct spi_board_info info = {
		.modalias	= "hashboard-spi",
		.max_speed_hz	= 1000000,
		.chip_select	= 0,
		.mode		= SPI_MODE_0,
	};
	int ret;

	stub = kzalloc(sizeof(*stub), GFP_KERNEL);
	if (!stub)
		return -ENOMEM;
	spin_lock_init(&stub->lock);
	INIT_KFIFO(stub->mosi);
	INIT_KFIFO(stub->miso);
	init_waitqueue_head(&stub->wq);

	ret = misc_register(&hbspi_stub_misc);
	if (ret)
		goto err_free;

	stub->pdev = platform_device_register_simple("hbspi-stub", -1, NULL, 0);
	if (IS_ERR(stub->pdev)) {
		ret = PTR_ERR(stub->pdev);
		goto err_misc;
	}

	stub->ctlr = spi_alloc_master(&stub->pdev->dev, 0);
	if (!stub->ctlr) {
		ret = -ENOMEM;
		goto err_pdev;
	}
	stub->ctlr->bus_num = -1;
	stub->ctlr->num_chipselect = 1;
	stub->ctlr->mode_bits = SPI_CPOL | SPI_CPHA;
	stub->ctlr->bits_per_word_mask = SPI_BPW_MASK(8);
	stub->ctlr->transfer_one = hbspi_stub_transfer_one;
	ret = spi_register_controller(stub->ctlr);
	if (ret) {
		spi_controller_put(stub->ctlr);
		goto err_pdev;
	}

	stub->spi = spi_new_device(stub->ctlr, &info);
	if (!stub->spi) {
		ret = -ENODEV;
		goto err_ctlr;
	}
	dev_info(&stub->pdev->dev, "SPI stub controller with %s\n",
		 dev_name(&stub->spi->dev));

	return 0;

err_ctlr:
	spi_unregister_controller(stub->ctlr);
err_pdev:
	platform_device_unregister(stub->pdev);
err_misc:
	misc_deregister(&hbspi_stub_misc);
err_free:
	kfree(stub);

	return ret;
}
module_init(hbspi_stub_init);

static void __exit hbspi_stub_exit(void)
{
	spi_unregister_device(stub->spi);
	spi_unregister_controller(stub->ctlr);
	platform_device_unregister(stub->pdev);
	misc_deregister(&hbspi_stub_misc);
	pr_info("hbspi_stub: %llu transfers, %llu bytes dropped\n",
		stub->transfers, stub->dropped);
	kfree(stub);
}
module_exit(hbspi_stub_exit);

MODULE_DESCRIPTION("Test-only SPI controller for the hashboard SPI transport");
MODULE_LICENSE("GPL");
