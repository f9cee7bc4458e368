// SPDX-License-Identifier: GPL-2.0
/*
 * What firmware says about a chain, for the transports that firmware
 * describes (serdev, SPI): the optional reset and power lines, the chain id
 * and the chip family. The line discipline has no firmware node and none
 * of this.
 */

#include <linux/delay.h>
#include <linux/gpio/consumer.h>
#include <linux/property.h>
#include <linux/string.h>

#include "hashboard_core.h"

int hashboard_lines_probe(struct device *dev, struct hashboard_device *hdev,
			  struct hashboard_lines *lines)
{
	const char *family;
	u32 val;

	lines->reset = devm_gpiod_get_optional(dev, "reset", GPIOD_OUT_LOW);
	if (IS_ERR(lines->reset))
		return dev_err_probe(dev, PTR_ERR(lines->reset),
				     "failed to get reset gpio\n");
	/* Left as firmware set it: power is userspace's call (SET_POWER). */
	lines->power = devm_gpiod_get_optional(dev, "power", GPIOD_ASIS);
	if (IS_ERR(lines->power))
		return dev_err_probe(dev, PTR_ERR(lines->power),
				     "failed to get power gpio\n");

	if (lines->reset)
		hdev->caps |= HASHBOARD_CAP_RESET;
	if (lines->power)
		hdev->caps |= HASHBOARD_CAP_POWER;
	if (!device_property_read_u32(dev, "hashboard,chain-id", &val))
		hdev->chain_id = val;
	if (!device_property_read_string(dev, "hashboard,family", &family))
		strscpy(hdev->family, family, sizeof(hdev->family));

	return 0;
}

int hashboard_lines_reset(struct hashboard_lines *lines, u32 msecs)
{
	if (!lines->reset)
		return -EOPNOTSUPP;
	gpiod_set_value_cansleep(lines->reset, 1);
	msleep(msecs);
	gpiod_set_value_cansleep(lines->reset, 0);

	return 0;
}

int hashboard_lines_set_power(struct hashboard_lines *lines, bool on)
{
	if (!lines->power)
		return -EOPNOTSUPP;
	gpiod_set_value_cansleep(lines->power, on);

	return 0;
}
