// SPDX-License-Identifier: GPL-2.0
/*
 * t_chain: /dev/hashboardN against hbsim on the host, over the line
 * discipline (t_chain ldisc /dev/ttyS2 CHIPS CHIPID) or over serdev
 * (t_chain serdev - CHIPS CHIPID). Enumeration by a broadcast chip-id read,
 * the record layout, the ioctls and their argument checks, stats, poll,
 * two concurrent readers, a close while another thread reads.
 */
#include "hbt.h"

static int chips;
static void *volatile bad_ptr = (void *)8;
static unsigned int chip_id;

static void enumerate(int fd, const char *what)
{
	uint8_t cmd[16];
	size_t n = hbt_cmd_read_reg(cmd, 0x00);

	CHECK(n == 7 && cmd[2] == 0x52 && cmd[3] == 5 && cmd[6] == hbt_crc5(cmd + 2, 4), "command frame built",
	      "n=%zu", n);
	hbt_enumerate(fd, chips, chip_id, what);
}

struct reader_arg {
	int fd;
	int records;
	int bad;
	int ret;
};

static void *reader(void *p)
{
	struct reader_arg *a = p;
	static __thread uint8_t buf[4096];
	struct hbt_rec recs[64];

	for (;;) {
		ssize_t r = read(a->fd, buf, sizeof(buf));
		int k;

		if (r <= 0) {
			a->ret = r < 0 ? -errno : 0;
			return NULL;
		}
		k = hbt_parse(buf, r, recs, 64);
		if (k < 0) {
			a->bad++;
			continue;
		}
		for (int i = 0; i < k; i++)
			if (recs[i].h.len != 9 || hbt_crc5(recs[i].data + 2, 7))
				a->bad++;
		a->records += k;
	}
}

static void test_ioctls(int fd, int idx, const char *transport_name,
			unsigned int transport)
{
	struct hashboard_info info;
	struct hashboard_stats st;
	struct hashboard_mode m;
	char buf[64];
	uint32_t v;

	CHECK_OK(hbt_get_info(fd, &info), "GET_INFO");
	CHECK(info.size == sizeof(info) &&
	      info.abi_version == HASHBOARD_ABI_VERSION &&
	      info.transport == transport && info.mode == HASHBOARD_MODE_FRAMED &&
	      info.reply_len == 9 && !strcmp(info.driver_version, "1.0"),
	      "GET_INFO fields",
	      "size %u abi %u transport %u mode %u reply_len %u version '%s'",
	      info.size, info.abi_version, info.transport, info.mode,
	      info.reply_len, info.driver_version);
	printf("info: transport %u caps %#x baud %u chain %u family '%s'\n",
	       info.transport, info.caps, info.baud, info.chain_id, info.family);
	CHECK(!hbt_sysfs(idx, "transport", buf, sizeof(buf)) &&
	      !strcmp(buf, transport_name), "sysfs transport", "'%s'", buf);
	CHECK(hbt_sysfs_num(idx, "chain_id") == info.chain_id, "sysfs chain_id",
	      "%lld", hbt_sysfs_num(idx, "chain_id"));
	CHECK(hbt_sysfs_num(idx, "reply_len") == 9, "sysfs reply_len", "%lld",
	      hbt_sysfs_num(idx, "reply_len"));

	/* A smaller struct than version 1's: -EINVAL; a NULL pointer: -EFAULT. */
	memset(&info, 0, sizeof(info));
	info.size = 4;
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_GET_INFO, &info), EINVAL,
		  "GET_INFO size 4 -> EINVAL");
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_GET_INFO, NULL), EFAULT,
		  "GET_INFO NULL -> EFAULT");
	memset(&st, 0, sizeof(st));
	st.size = 8;
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_GET_STATS, &st), EINVAL,
		  "GET_STATS size 8 -> EINVAL");

	CHECK_ERR(hbt_set_mode(fd, 2, 9), EINVAL, "SET_MODE mode 2 -> EINVAL");
	CHECK_ERR(hbt_set_mode(fd, 0, 10), EINVAL,
		  "SET_MODE reply_len 10 -> EINVAL");
	CHECK_ERR(hbt_set_mode(fd, 1, 0), EINVAL,
		  "SET_MODE raw reply_len 0 -> EINVAL");
	m = (struct hashboard_mode){ .size = sizeof(m), .reply_len = 9,
				     .reserved = 1 };
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_MODE, &m), EINVAL,
		  "SET_MODE reserved != 0 -> EINVAL");
	m = (struct hashboard_mode){ .size = 8, .reply_len = 9 };
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_MODE, &m), EINVAL,
		  "SET_MODE size 8 -> EINVAL");

	v = 100;
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_BAUD, &v), EINVAL,
		  "SET_BAUD 100 -> EINVAL");
	v = 20000000;
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_BAUD, &v), EINVAL,
		  "SET_BAUD 20M -> EINVAL");
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_BAUD, NULL), EFAULT,
		  "SET_BAUD NULL -> EFAULT");
	/* The serdev port's base rate stays 115200: no TIOCSSERIAL there. */
	v = transport == HASHBOARD_TRANSPORT_LDISC ? 1500000 : 57600;
	CHECK_OK(ioctl(fd, HASHBOARD_IOC_SET_BAUD, &v), "SET_BAUD high");
	CHECK_OK(hbt_get_info(fd, &info), "GET_INFO after SET_BAUD");
	CHECK(info.baud == v && hbt_sysfs_num(idx, "baud") == v,
	      "baud follows SET_BAUD", "want %u: info %u sysfs %lld", v,
	      info.baud, hbt_sysfs_num(idx, "baud"));
	v = 115200;
	CHECK_OK(ioctl(fd, HASHBOARD_IOC_SET_BAUD, &v), "SET_BAUD 115200");

	if (transport == HASHBOARD_TRANSPORT_LDISC) {
		v = 10;
		CHECK_ERR(ioctl(fd, HASHBOARD_IOC_RESET, &v), EOPNOTSUPP,
			  "RESET without a line -> EOPNOTSUPP");
		v = 1;
		CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_POWER, &v), EOPNOTSUPP,
			  "SET_POWER without a line -> EOPNOTSUPP");
	}

	CHECK_ERR(ioctl(fd, _IO(HASHBOARD_IOC_MAGIC, 0x7f)), ENOTTY,
		  "unknown hashboard ioctl -> ENOTTY");
	CHECK_ERR(ioctl(fd, _IOR(HASHBOARD_IOC_MAGIC, 0x00, __u64), &v), ENOTTY,
		  "GET_INFO number with a wrong size -> ENOTTY");
	CHECK_ERR(ioctl(fd, TCGETS, buf), ENOTTY, "TCGETS -> ENOTTY");
}

/* A newer userspace's bigger struct: size says what the kernel filled, the
 * rest is zeroed; a bigger SET_MODE with a zero tail is accepted, a
 * non-zero tail refused. */
static void test_struct_growth(int fd)
{
	struct {
		struct hashboard_info info;
		uint8_t more[24];
	} big;
	struct {
		struct hashboard_mode m;
		uint32_t more[2];
	} bm;
	int zero = 1;

	memset(&big, 0xff, sizeof(big));
	big.info.size = sizeof(big);
	CHECK_OK(ioctl(fd, HASHBOARD_IOC_GET_INFO, &big), "GET_INFO bigger struct");
	for (size_t i = 0; i < sizeof(big.more); i++)
		zero &= big.more[i] == 0;
	CHECK(big.info.size == sizeof(struct hashboard_info) && zero,
	      "GET_INFO bigger struct: size is v1's, tail zeroed",
	      "size %u tail %s", big.info.size, zero ? "zero" : "not zeroed");

	memset(&bm, 0, sizeof(bm));
	bm.m.size = sizeof(bm);
	bm.m.reply_len = 9;
	CHECK_OK(ioctl(fd, HASHBOARD_IOC_SET_MODE, &bm),
		 "SET_MODE bigger struct, zero tail");
	bm.more[1] = 1;
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_MODE, &bm), EINVAL,
		  "SET_MODE bigger struct, non-zero tail -> EINVAL");
}

/* A baud the UART cannot make: -EINVAL, and the line keeps its old rate. */
static void test_baud_refused(int fd, int ttyfd, int idx)
{
	struct hashboard_info info;
	struct termios t;
	uint32_t v = 1500000;

	CHECK_OK(hbt_set_baud_base(ttyfd, 115200), "baud_base back to 115200");
	CHECK_ERR(ioctl(fd, HASHBOARD_IOC_SET_BAUD, &v), EINVAL,
		  "SET_BAUD above the UART's base -> EINVAL");
	hbt_get_info(fd, &info);
	tcgetattr(ttyfd, &t);
	CHECK(info.baud == 115200 && cfgetospeed(&t) == B115200,
	      "refused SET_BAUD leaves the line at its old rate",
	      "info %u tty speed %#o", info.baud, cfgetospeed(&t));
	CHECK_OK(hbt_set_baud_base(ttyfd, 3000000), "baud_base 3000000 again");
	hbt_enumerate(fd, chips, chip_id, "enumerate after a refused SET_BAUD");
	(void)idx;
}

static void test_data(int fd, int idx)
{
	struct hashboard_stats st;
	struct hbt_rec recs[64];
	uint8_t cmd[16], big[HASHBOARD_MAX_WRITE + 1], small[8];
	struct pollfd p;
	size_t n;
	int got, total;

	CHECK_OK(ioctl(fd, HASHBOARD_IOC_CLEAR_STATS), "CLEAR_STATS");
	CHECK_OK(hbt_get_stats(fd, &st), "GET_STATS");
	CHECK(st.rx_bytes == 0 && st.tx_bytes == 0 && st.frames == 0,
	      "stats cleared", "rx %llu tx %llu frames %llu",
	      (unsigned long long)st.rx_bytes, (unsigned long long)st.tx_bytes,
	      (unsigned long long)st.frames);

	/* Nothing to read: poll says writable only, O_NONBLOCK read EAGAIN. */
	p = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
	CHECK(poll(&p, 1, 100) == 1 && p.revents == POLLOUT, "poll idle",
	      "revents %#x", p.revents);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	CHECK_ERR(read(fd, big, sizeof(big)), EAGAIN, "empty read -> EAGAIN");
	fcntl(fd, F_SETFL, 0);

	enumerate(fd, "enumerate: one framed record per chip");
	CHECK_OK(hbt_get_stats(fd, &st), "GET_STATS after enumerate");
	CHECK(st.tx_bytes == 7 && st.rx_bytes == 9ull * chips &&
	      st.frames == (unsigned)chips && st.crc_errors == 0 &&
	      st.garbage_bytes == 0 && st.overruns == 0,
	      "stats moved", "rx %llu tx %llu frames %llu crc %llu garbage %llu",
	      (unsigned long long)st.rx_bytes, (unsigned long long)st.tx_bytes,
	      (unsigned long long)st.frames,
	      (unsigned long long)st.crc_errors,
	      (unsigned long long)st.garbage_bytes);
	CHECK(hbt_sysfs_num(idx, "statistics/frames") == chips &&
	      hbt_sysfs_num(idx, "statistics/tx_bytes") == 7,
	      "sysfs statistics", "frames %lld tx %lld",
	      hbt_sysfs_num(idx, "statistics/frames"),
	      hbt_sysfs_num(idx, "statistics/tx_bytes"));

	/* Records ready: poll says readable; a short buffer: EMSGSIZE. */
	n = hbt_cmd_read_reg(cmd, 0x00);
	CHECK(write(fd, cmd, n) == (ssize_t)n, "write again", "errno %d", errno);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK(poll(&p, 1, 3000) == 1 && (p.revents & POLLIN), "poll readable",
	      "revents %#x", p.revents);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	CHECK_ERR(read(fd, small, sizeof(small)), EMSGSIZE,
		  "8-byte read -> EMSGSIZE");
	fcntl(fd, F_SETFL, 0);
	hbt_msleep(300);
	got = hbt_read_records(fd, recs, 64, chips, 1000);
	CHECK(got == chips, "records kept after EMSGSIZE", "got %d", got);

	/* Raw mode: the bytes as received. */
	CHECK_OK(hbt_set_mode(fd, HASHBOARD_MODE_RAW, 9), "SET_MODE raw");
	CHECK(write(fd, cmd, n) == (ssize_t)n, "write in raw mode", "errno %d",
	      errno);
	total = 0;
	got = 0;
	for (int tries = 0; tries < 20 && total < 9 * chips; tries++) {
		int k = hbt_read_records(fd, recs, 64, 1, 500);

		for (int i = 0; i < k; i++) {
			if (!(recs[i].h.flags & HASHBOARD_REC_RAW))
				got = -1000;
			total += recs[i].h.len;
		}
		if (k <= 0)
			break;
	}
	CHECK(total == 9 * chips && got == 0, "raw records carry the bytes",
	      "total %d flags-ok %d", total, got);
	CHECK_OK(hbt_set_mode(fd, HASHBOARD_MODE_FRAMED, 9), "SET_MODE framed");

	/* Writes larger than HASHBOARD_MAX_WRITE: EMSGSIZE; empty: 0. */
	CHECK_ERR(write(fd, big, sizeof(big)), EMSGSIZE,
		  "4097-byte write -> EMSGSIZE");
	CHECK(write(fd, big, 0) == 0, "empty write", "errno %d", errno);
	CHECK_ERR(write(fd, bad_ptr, 7), EFAULT, "bad pointer write -> EFAULT");
}

/* Two readers on two descriptors block; one enumerate feeds them both. */
static void test_two_readers(int idx)
{
	struct reader_arg a[2] = { { 0 } };
	pthread_t th[2];
	uint8_t cmd[16];
	size_t n = hbt_cmd_read_reg(cmd, 0x00);
	int wfd = hbt_open_dev(idx, O_RDWR);

	for (int i = 0; i < 2; i++) {
		a[i].fd = hbt_open_dev(idx, O_RDONLY);
		pthread_create(&th[i], NULL, reader, &a[i]);
	}
	hbt_msleep(200);
	for (int i = 0; i < 10; i++) {
		hbt_full_write(wfd, cmd, n);
		hbt_msleep(60);
	}
	hbt_msleep(800);
	/* Closing another descriptor does not wake them; a hangup would. */
	close(wfd);
	CHECK(a[0].records + a[1].records == 10 * chips &&
	      a[0].bad + a[1].bad == 0, "two readers share the records",
	      "%d + %d records, %d bad, want %d", a[0].records, a[1].records,
	      a[0].bad + a[1].bad, 10 * chips);
	/* The readers block on; cancel them and close. */
	for (int i = 0; i < 2; i++) {
		pthread_cancel(th[i]);
		pthread_join(th[i], NULL);
		close(a[i].fd);
	}
}

/* close() on a descriptor another thread is reading from. */
static void test_close_while_reading(int idx)
{
	struct reader_arg a = { 0 };
	pthread_t th;
	uint8_t cmd[16];
	size_t n = hbt_cmd_read_reg(cmd, 0x00);
	int wfd = hbt_open_dev(idx, O_RDWR);

	a.fd = hbt_open_dev(idx, O_RDONLY);
	pthread_create(&th, NULL, reader, &a);
	hbt_msleep(200);
	close(a.fd); /* the read keeps its file; it ends with the data */
	hbt_full_write(wfd, cmd, n);
	hbt_msleep(800);
	/* That read returns what came; the thread's next read is EBADF. */
	CHECK(a.records >= 1 && a.ret == -EBADF,
	      "read blocked across close() gets data, then EBADF",
	      "%d records ret %d", a.records, a.ret);
	pthread_cancel(th);
	pthread_join(th, NULL);
	close(wfd);
}

int main(int argc, char **argv)
{
	const char *kind, *tty;
	int ttyfd = -1, idx, fd;

	hbt_prog = "t_chain";
	if (argc < 5) {
		fprintf(stderr, "usage: t_chain ldisc|serdev TTY CHIPS CHIPID\n");
		return 2;
	}
	kind = argv[1];
	tty = argv[2];
	chips = atoi(argv[3]);
	chip_id = strtoul(argv[4], NULL, 16);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(kind, "ldisc")) {
		hbt_prog = "t_chain[ldisc]";
		ttyfd = open(tty, O_RDWR | O_NOCTTY);
		if (ttyfd < 0)
			hbt_die("open tty");
		CHECK_OK(hbt_set_baud_base(ttyfd, 3000000),
			 "TIOCSSERIAL baud_base 3000000");
		CHECK_OK(hbt_raw_termios(ttyfd, B115200), "tty raw 115200");
		idx = hbt_attach(ttyfd);
		if (idx < 0)
			hbt_die("TIOCSETD hashboard");
		printf("info: %s is /dev/hashboard%d\n", tty, idx);
		CHECK_ERR(write(ttyfd, "x", 1), EBUSY,
			  "tty write while attached -> EBUSY");
	} else {
		hbt_prog = "t_chain[serdev]";
		idx = hbt_find_transport("serdev");
		if (idx < 0)
			hbt_die("no serdev hashboard in sysfs");
	}
	fd = hbt_open_dev(idx, O_RDWR);
	if (fd < 0)
		hbt_die("open /dev/hashboardN");
	CHECK(1, "device node appeared", "-");

	test_ioctls(fd, idx, kind, !strcmp(kind, "ldisc") ?
		    HASHBOARD_TRANSPORT_LDISC : HASHBOARD_TRANSPORT_SERDEV);
	test_struct_growth(fd);
	test_data(fd, idx);
	if (ttyfd >= 0)
		test_baud_refused(fd, ttyfd, idx);
	close(fd);
	test_two_readers(idx);
	test_close_while_reading(idx);

	if (ttyfd >= 0) {
		struct hbt_hangup h;
		int again;

		CHECK_OK(hbt_detach(ttyfd), "detach (N_TTY)");
		{
		char path[64];

		snprintf(path, sizeof(path), "/dev/hashboard%d", idx);
		hbt_msleep(100);
		CHECK(access(path, F_OK) != 0, "node gone after detach",
		      "%s still there", path);
	}
		/* Attach again, then the tty's last close with readers in. */
		again = hbt_attach(ttyfd);
		CHECK(again >= 0, "attach again", "errno %d", errno);
		if (again >= 0 && !hbt_hangup_start(&h, again)) {
			close(ttyfd);
			hbt_hangup_check(&h, "tty last close");
		} else {
			close(ttyfd);
		}
	}
	return hbt_done();
}
