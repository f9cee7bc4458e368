// SPDX-License-Identifier: GPL-2.0
/*
 * t_unbind TRANSPORT CHIPS CHIPID: for a firmware-described chain (serdev,
 * spi): enumerate through /dev/hashboardN, check what the transport reports,
 * then unbind the driver while a reader blocks in read() and a poller in
 * poll() (the same as an unplug for the core), check the hangup contract,
 * bind again and enumerate on the new node.
 */
#include "hbt.h"

int main(int argc, char **argv)
{
	struct hashboard_info info;
	struct hashboard_stats st;
	struct hbt_hangup h;
	char drv[256], dev[256], path[600], name[64];
	const char *transport;
	unsigned int chip_id;
	int chips, idx, fd;
	uint32_t v;

	if (argc < 4) {
		fprintf(stderr, "usage: t_unbind serdev|spi CHIPS CHIPID\n");
		return 2;
	}
	transport = argv[1];
	chips = atoi(argv[2]);
	chip_id = strtoul(argv[3], NULL, 16);
	snprintf(name, sizeof(name), "t_unbind[%s]", transport);
	hbt_prog = name;
	setvbuf(stdout, NULL, _IOLBF, 0);

	idx = hbt_find_transport(transport);
	if (idx < 0)
		hbt_die("no such hashboard in sysfs");
	printf("info: %s chain is /dev/hashboard%d\n", transport, idx);
	fd = hbt_open_dev(idx, O_RDWR);
	if (fd < 0)
		hbt_die("open");
	CHECK_OK(hbt_get_info(fd, &info), "GET_INFO");
	printf("info: transport %u caps %#x baud %u chain %u family '%s'\n",
	       info.transport, info.caps, info.baud, info.chain_id, info.family);
	if (!strcmp(transport, "serdev")) {
		/* From the SSDT's _DSD (tests/kmod/ssdt.asl). */
		CHECK(info.transport == HASHBOARD_TRANSPORT_SERDEV &&
		      info.chain_id == 7 && !strcmp(info.family, "bm1366") &&
		      info.baud == 115200 && (info.caps & HASHBOARD_CAP_BAUD),
		      "serdev: identity from ACPI properties",
		      "transport %u chain %u family '%s' baud %u",
		      info.transport, info.chain_id, info.family, info.baud);
	} else {
		CHECK(info.transport == HASHBOARD_TRANSPORT_SPI && info.baud == 0,
		      "spi: transport and no baud", "transport %u baud %u",
		      info.transport, info.baud);
		v = 115200;
		CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_BAUD, &v), EOPNOTSUPP,
			  "spi: SET_BAUD -> EOPNOTSUPP");
	}
	v = 10;
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_RESET, &v), EOPNOTSUPP,
		  "RESET without a reset line -> EOPNOTSUPP");
	v = 0;
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_RESET, &v), EINVAL,
		  "RESET 0 ms -> EINVAL");
	v = 1001;
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_RESET, &v), EINVAL,
		  "RESET 1001 ms -> EINVAL");
	v = 2;
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_POWER, &v), EINVAL,
		  "SET_POWER 2 -> EINVAL");
	v = 1;
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_POWER, &v), EOPNOTSUPP,
		  "SET_POWER without a power line -> EOPNOTSUPP");

	ioctl(fd, HASHBOARD_IOC_CLEAR_STATS);
	hbt_enumerate(fd, chips, chip_id, "enumerate through the transport");
	hbt_enumerate(fd, chips, chip_id, "and again");
	CHECK_OK(hbt_get_stats(fd, &st), "GET_STATS");
	CHECK(st.frames == 2ull * chips && st.crc_errors == 0 &&
	      st.garbage_bytes == 0 && st.tx_bytes == 14,
	      "stats: no garbage, no CRC errors",
	      "frames %llu crc %llu garbage %llu tx %llu rx %llu",
	      (unsigned long long)st.frames, (unsigned long long)st.crc_errors,
	      (unsigned long long)st.garbage_bytes,
	      (unsigned long long)st.tx_bytes, (unsigned long long)st.rx_bytes);
	close(fd);

	if (hbt_bus_device(idx, drv, sizeof(drv), dev, sizeof(dev)))
		hbt_die("sysfs device/driver links");
	printf("info: %s bound to %s\n", dev, drv);
	if (hbt_hangup_start(&h, idx))
		hbt_die("hangup setup");
	snprintf(path, sizeof(path), "%s/unbind", drv);
	CHECK_OK(hbt_write_file(path, dev), "unbind while open");
	hbt_hangup_check(&h, "unbind");

	snprintf(path, sizeof(path), "%s/bind", drv);
	CHECK_OK(hbt_write_file(path, dev), "bind again");
	hbt_msleep(200);
	idx = hbt_find_transport(transport);
	CHECK(idx >= 0, "node back after bind", "-");
	if (idx >= 0) {
		fd = hbt_open_dev(idx, O_RDWR);
		CHECK(fd >= 0, "open after bind", "errno %d", errno);
		if (fd >= 0) {
			hbt_enumerate(fd, chips, chip_id,
				      "enumerate after rebind");
			close(fd);
		}
	}
	return hbt_done();
}
