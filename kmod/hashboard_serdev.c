// SPDX-License-Identifier: GPL-2.0
/*
 * hashboard serdev transport: a chain on a UART that firmware describes
 * (device tree "hashboard,bm13xx-chain", or ACPI HSHB0001 with a
 * UartSerialBusV2 resource), with optional reset and power lines.
 */

#include <linux/acpi.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/property.h>
#include <linux/serdev.h>

#include "hashboard_core.h"

#define HASHBOARD_SERDEV_WRITE_TIMEOUT_MS 1000

struct hashboard_serdev {
	struct serdev_device *serdev;
	struct hashboard_device *hdev;
	struct hashboard_lines lines;
};

static int hashboard_serdev_open(struct hashboard_device *hdev)
{
	struct hashboard_serdev *hs = hashboard_get_drvdata(hdev);
	struct serdev_device *serdev = hs->serdev;
	int ret;

	ret = serdev_device_open(serdev);
	if (ret)
		return ret;

	serdev_device_set_baudrate(serdev, hdev->baud);
	serdev_device_set_flow_control(serdev, false);
	ret = serdev_device_set_parity(serdev, SERDEV_PARITY_NONE);
	if (ret) {
		serdev_device_close(serdev);
		return ret;
	}

	return 0;
}

static void hashboard_serdev_close(struct hashboard_device *hdev)
{
	struct hashboard_serdev *hs = hashboard_get_drvdata(hdev);

	serdev_device_close(hs->serdev);
}

static int hashboard_serdev_write_raw(struct hashboard_device *hdev,
				      const u8 *buf, size_t count)
{
	struct hashboard_serdev *hs = hashboard_get_drvdata(hdev);

	return serdev_device_write(hs->serdev, buf, count,
			msecs_to_jiffies(HASHBOARD_SERDEV_WRITE_TIMEOUT_MS));
}

static int hashboard_serdev_set_baud(struct hashboard_device *hdev, u32 baud)
{
	struct hashboard_serdev *hs = hashboard_get_drvdata(hdev);
	unsigned int got;

	/* Takes effect at the next open when the port is closed. */
	if (!hdev->count)
		return 0;
	got = serdev_device_set_baudrate(hs->serdev, baud);

	return got == baud ? 0 : -EINVAL;
}

static int hashboard_serdev_reset(struct hashboard_device *hdev, u32 msecs)
{
	struct hashboard_serdev *hs = hashboard_get_drvdata(hdev);

	return hashboard_lines_reset(&hs->lines, msecs);
}

static int hashboard_serdev_set_power(struct hashboard_device *hdev, bool on)
{
	struct hashboard_serdev *hs = hashboard_get_drvdata(hdev);

	return hashboard_lines_set_power(&hs->lines, on);
}

static const struct hashboard_ops hashboard_serdev_ops = {
	.open		= hashboard_serdev_open,
	.close		= hashboard_serdev_close,
	.write_raw	= hashboard_serdev_write_raw,
	.set_baud	= hashboard_serdev_set_baud,
	.reset		= hashboard_serdev_reset,
	.set_power	= hashboard_serdev_set_power,
};

/*
 * Takes every byte: the core counts records that do not fit as overruns.
 * Returning fewer would leave them in the tty port's flip buffer, but 6.1's
 * serdev core has no call that restarts its receive, so they would wait for
 * the chain's next byte, which a chain that answers only when asked never
 * sends (no ->unthrottle; hashboard_core.h).
 */
static int hashboard_serdev_receive_buf(struct serdev_device *serdev,
					const unsigned char *buf, size_t count)
{
	struct hashboard_serdev *hs = serdev_device_get_drvdata(serdev);

	hashboard_receive(hs->hdev, buf, count);

	return count;
}

static const struct serdev_device_ops hashboard_serdev_client_ops = {
	.receive_buf	= hashboard_serdev_receive_buf,
	.write_wakeup	= serdev_device_write_wakeup,
};

static int hashboard_serdev_probe(struct serdev_device *serdev)
{
	struct device *dev = &serdev->dev;
	struct hashboard_device *hdev;
	struct hashboard_serdev *hs;
	u32 val;
	int ret;

	hs = devm_kzalloc(dev, sizeof(*hs), GFP_KERNEL);
	if (!hs)
		return -ENOMEM;
	hs->serdev = serdev;

	hdev = hashboard_allocate_device(dev);
	if (!hdev)
		return -ENOMEM;
	hs->hdev = hdev;

	hdev->ops = &hashboard_serdev_ops;
	hdev->priv = hs;
	hdev->transport = HASHBOARD_TRANSPORT_SERDEV;
	hdev->caps = HASHBOARD_CAP_BAUD;
	if (!device_property_read_u32(dev, "current-speed", &val))
		hdev->baud = val;
	ret = hashboard_lines_probe(dev, hdev, &hs->lines);
	if (ret)
		goto err_put_device;

	serdev_device_set_drvdata(serdev, hs);
	serdev_device_set_client_ops(serdev, &hashboard_serdev_client_ops);

	ret = hashboard_register_device(hdev);
	if (ret)
		goto err_put_device;

	return 0;

err_put_device:
	hashboard_put_device(hdev);

	return ret;
}

static void hashboard_serdev_remove(struct serdev_device *serdev)
{
	struct hashboard_serdev *hs = serdev_device_get_drvdata(serdev);

	hashboard_deregister_device(hs->hdev);
	hashboard_put_device(hs->hdev);
}

static const struct of_device_id hashboard_serdev_of_match[] = {
	{ .compatible = "hashboard,bm13xx-chain" },
	{}
};
MODULE_DEVICE_TABLE(of, hashboard_serdev_of_match);

static const struct acpi_device_id hashboard_serdev_acpi_match[] = {
	{ "HSHB0001" },
	{}
};
MODULE_DEVICE_TABLE(acpi, hashboard_serdev_acpi_match);

static struct serdev_device_driver hashboard_serdev_driver = {
	.driver	= {
		.name			= "hashboard-serdev",
		.of_match_table		= hashboard_serdev_of_match,
		.acpi_match_table	= ACPI_PTR(hashboard_serdev_acpi_match),
	},
	.probe	= hashboard_serdev_probe,
	.remove	= hashboard_serdev_remove,
};

int hashboard_serdev_init(void)
{
	return serdev_device_driver_register(&hashboard_serdev_driver);
}

void hashboard_serdev_exit(void)
{
	serdev_device_driver_unregister(&hashboard_serdev_driver);
}
