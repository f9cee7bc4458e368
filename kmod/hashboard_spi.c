// SPDX-License-Identifier: GPL-2.0
/*
 * hashboard SPI transport: a chain behind an SPI bridge. SPI is full duplex
 * and the host makes the clock, so every write brings back what the chain
 * shifted out meanwhile, and while the device is open a poll clocks out
 * filler bytes to collect replies. The chain shifts 0x00 when it has nothing
 * to say; the framer does not count that idle byte as garbage.
 */

#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include <linux/workqueue.h>

#include "hashboard_core.h"

#define HASHBOARD_SPI_CHUNK	64
#define HASHBOARD_SPI_POLL_MS	2
#define HASHBOARD_SPI_FILLER	0x00

struct hashboard_spi {
	struct spi_device *spi;
	struct hashboard_device *hdev;
	struct hashboard_lines lines;
	struct mutex bus_mutex;		/* tx/rx buffers */
	struct delayed_work poll_work;
	u8 *tx;
	u8 *rx;
};

/*
 * Called with bus_mutex held. No receive back-pressure: the chain shifts its
 * replies out as the host clocks, so what the FIFO has no room for is
 * dropped and counted as overruns (no ->unthrottle; hashboard_core.h).
 */
static int hashboard_spi_xfer(struct hashboard_spi *hsp, size_t len)
{
	struct spi_transfer t = {
		.tx_buf	= hsp->tx,
		.rx_buf	= hsp->rx,
		.len	= len,
	};
	int ret;

	ret = spi_sync_transfer(hsp->spi, &t, 1);
	if (ret)
		return ret;
	hashboard_receive(hsp->hdev, hsp->rx, len);

	return 0;
}

static void hashboard_spi_poll(struct work_struct *work)
{
	struct hashboard_spi *hsp = container_of(to_delayed_work(work),
						 struct hashboard_spi,
						 poll_work);

	mutex_lock(&hsp->bus_mutex);
	memset(hsp->tx, HASHBOARD_SPI_FILLER, HASHBOARD_SPI_CHUNK);
	if (hashboard_spi_xfer(hsp, HASHBOARD_SPI_CHUNK))
		dev_dbg_ratelimited(&hsp->spi->dev, "poll transfer failed\n");
	mutex_unlock(&hsp->bus_mutex);

	schedule_delayed_work(&hsp->poll_work,
			      msecs_to_jiffies(HASHBOARD_SPI_POLL_MS));
}

static int hashboard_spi_open(struct hashboard_device *hdev)
{
	struct hashboard_spi *hsp = hashboard_get_drvdata(hdev);

	schedule_delayed_work(&hsp->poll_work, 0);

	return 0;
}

static void hashboard_spi_close(struct hashboard_device *hdev)
{
	struct hashboard_spi *hsp = hashboard_get_drvdata(hdev);

	cancel_delayed_work_sync(&hsp->poll_work);
}

static int hashboard_spi_write_raw(struct hashboard_device *hdev,
				   const u8 *buf, size_t count)
{
	struct hashboard_spi *hsp = hashboard_get_drvdata(hdev);
	size_t n = min_t(size_t, count, HASHBOARD_SPI_CHUNK);
	int ret;

	mutex_lock(&hsp->bus_mutex);
	memcpy(hsp->tx, buf, n);
	ret = hashboard_spi_xfer(hsp, n);
	mutex_unlock(&hsp->bus_mutex);

	return ret ? ret : n;
}

static int hashboard_spi_reset(struct hashboard_device *hdev, u32 msecs)
{
	struct hashboard_spi *hsp = hashboard_get_drvdata(hdev);

	return hashboard_lines_reset(&hsp->lines, msecs);
}

static int hashboard_spi_set_power(struct hashboard_device *hdev, bool on)
{
	struct hashboard_spi *hsp = hashboard_get_drvdata(hdev);

	return hashboard_lines_set_power(&hsp->lines, on);
}

static const struct hashboard_ops hashboard_spi_ops = {
	.open		= hashboard_spi_open,
	.close		= hashboard_spi_close,
	.write_raw	= hashboard_spi_write_raw,
	.reset		= hashboard_spi_reset,
	.set_power	= hashboard_spi_set_power,
};

static int hashboard_spi_probe(struct spi_device *spi)
{
	struct device *dev = &spi->dev;
	struct hashboard_device *hdev;
	struct hashboard_spi *hsp;
	int ret;

	hsp = devm_kzalloc(dev, sizeof(*hsp), GFP_KERNEL);
	if (!hsp)
		return -ENOMEM;
	hsp->spi = spi;
	mutex_init(&hsp->bus_mutex);
	INIT_DELAYED_WORK(&hsp->poll_work, hashboard_spi_poll);

	hsp->tx = devm_kzalloc(dev, HASHBOARD_SPI_CHUNK, GFP_KERNEL);
	hsp->rx = devm_kzalloc(dev, HASHBOARD_SPI_CHUNK, GFP_KERNEL);
	if (!hsp->tx || !hsp->rx)
		return -ENOMEM;

	hdev = hashboard_allocate_device(dev);
	if (!hdev)
		return -ENOMEM;
	hsp->hdev = hdev;

	hdev->ops = &hashboard_spi_ops;
	hdev->priv = hsp;
	hdev->transport = HASHBOARD_TRANSPORT_SPI;
	hdev->baud = 0;
	hdev->framer.idle_byte = HASHBOARD_SPI_FILLER;
	ret = hashboard_lines_probe(dev, hdev, &hsp->lines);
	if (ret)
		goto err_put_device;

	spi_set_drvdata(spi, hsp);

	ret = hashboard_register_device(hdev);
	if (ret)
		goto err_put_device;

	return 0;

err_put_device:
	hashboard_put_device(hdev);

	return ret;
}

static void hashboard_spi_remove(struct spi_device *spi)
{
	struct hashboard_spi *hsp = spi_get_drvdata(spi);

	hashboard_deregister_device(hsp->hdev);
	hashboard_put_device(hsp->hdev);
}

static const struct of_device_id hashboard_spi_of_match[] = {
	{ .compatible = "hashboard,bm13xx-spi-chain" },
	{}
};
MODULE_DEVICE_TABLE(of, hashboard_spi_of_match);

static const struct spi_device_id hashboard_spi_ids[] = {
	{ "hashboard-spi" },
	{ "bm13xx-spi-chain" },
	{}
};
MODULE_DEVICE_TABLE(spi, hashboard_spi_ids);

static struct spi_driver hashboard_spi_driver = {
	.driver	= {
		.name		= "hashboard-spi",
		.of_match_table	= hashboard_spi_of_match,
	},
	.id_table	= hashboard_spi_ids,
	.probe		= hashboard_spi_probe,
	.remove		= hashboard_spi_remove,
};

int hashboard_spi_init(void)
{
	return spi_register_driver(&hashboard_spi_driver);
}

void hashboard_spi_exit(void)
{
	spi_unregister_driver(&hashboard_spi_driver);
}
