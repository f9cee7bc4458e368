// SPDX-License-Identifier: GPL-2.0
/*
 * t_hangup: the chain going away while /dev/hashboardN is open, over the
 * line discipline on ptys: ldisc detach (TIOCSETD N_TTY) and pty hangup
 * (master closed), each with a reader blocked in read() and a
 * poller in poll(); then readers and writers hammering one chain for a few
 * seconds, ended by a detach in the middle of it.
 */
#include "hbt.h"

#include <sys/epoll.h>

static void test_detach(void)
{
	struct hbt_hangup h;
	int master, slave, idx, ep;
	struct epoll_event ev = { .events = EPOLLIN }, out;

	master = hbt_open_pty(&slave);
	idx = hbt_attach(slave);
	if (idx < 0 || hbt_hangup_start(&h, idx))
		hbt_die("detach setup");
	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, h.pfd, &ev);
	CHECK(epoll_wait(ep, &out, 1, 0) == 0, "epoll idle", "-");
	CHECK_OK(hbt_detach(slave), "TIOCSETD N_TTY while open");
	CHECK(epoll_wait(ep, &out, 1, 1000) == 1 && (out.events & EPOLLHUP),
	      "detach: epoll EPOLLHUP", "events %#x", out.events);
	close(ep);
	hbt_hangup_check(&h, "detach");
	/* The tty is an ordinary tty again. */
	CHECK(write(slave, "ok", 2) == 2, "tty usable after detach", "errno %d",
	      errno);
	close(slave);
	close(master);
}

static void test_master_close(void)
{
	struct hbt_hangup h;
	int master, slave, idx;

	master = hbt_open_pty(&slave);
	idx = hbt_attach(slave);
	if (idx < 0 || hbt_hangup_start(&h, idx))
		hbt_die("hangup setup");
	close(master); /* the pty hangs up its slave */
	hbt_hangup_check(&h, "pty hangup");
	close(slave);
}

/* Hangup with no one in read(): the fds stay, the memory waits for them. */
static void test_hangup_then_close_late(void)
{
	int master, slave, idx, fd;
	uint8_t b;

	master = hbt_open_pty(&slave);
	idx = hbt_attach(slave);
	fd = hbt_open_dev(idx, O_RDWR);
	if (idx < 0 || fd < 0)
		hbt_die("late setup");
	hbt_detach(slave);
	close(slave);
	close(master);
	hbt_msleep(100);
	CHECK(read(fd, &b, 1) == 0, "late: read 0 after the tty is gone",
	      "errno %d", errno);
	close(fd);
	CHECK(1, "late: close after the tty is gone", "-");
}

/*
 * A chain that takes no more bytes (nobody reads the pty master): a write
 * reports what went out, never an error after a partial write; a detach
 * wakes a writer waiting for room at once.
 */
struct bw {
	int fd;
	volatile long reported;
	volatile int err, done;
	volatile uint64_t t_end;
};

static void *bw_writer(void *p)
{
	struct bw *b = p;
	static uint8_t big[4096];
	ssize_t r;

	memset(big, 0x55, sizeof(big));
	for (;;) {
		r = write(b->fd, big, sizeof(big));
		if (r < 0) {
			b->err = errno;
			break;
		}
		b->reported += r;
	}
	b->t_end = hbt_now_ns();
	b->done = 1;
	return NULL;
}

static void test_blocked_writer(void)
{
	static uint8_t sink[1 << 20];
	struct bw b = { 0 };
	pthread_t th;
	int master, slave, idx;
	ssize_t got;
	uint64_t t_detach;

	master = hbt_open_pty(&slave);
	idx = hbt_attach(slave);
	b.fd = hbt_open_dev(idx, O_RDWR);
	if (idx < 0 || b.fd < 0)
		hbt_die("blocked writer setup");
	pthread_create(&th, NULL, bw_writer, &b);
	hbt_msleep(2500); /* the pty fills; the write-room wait times out */
	pthread_join(th, NULL);
	got = hbt_drain(master, sink, sizeof(sink), 200);
	printf("info: full chain: %ld bytes reported written, %zd on the wire, "
	       "then errno %d (%s)\n", b.reported, got, b.err, strerror(b.err));
	CHECK(b.reported == got, "full chain: write reports exactly what went out",
	      "reported %ld, wire %zd", b.reported, got);
	CHECK(b.err == ETIMEDOUT || b.err == EAGAIN,
	      "full chain: a write that sent nothing times out", "errno %d",
	      b.err);

	/* Fill it again, then detach while the writer waits for room. */
	memset(&b, 0, sizeof(b));
	b.fd = hbt_open_dev(idx, O_RDWR);
	pthread_create(&th, NULL, bw_writer, &b);
	hbt_msleep(300);
	t_detach = hbt_now_ns();
	hbt_detach(slave);
	pthread_join(th, NULL);
	CHECK(b.err == EIO && b.t_end - t_detach < 500000000ull,
	      "detach wakes a writer waiting for room",
	      "errno %d after %llu ms", b.err,
	      (unsigned long long)((b.t_end - t_detach) / 1000000));
	close(b.fd);
	close(slave);
	close(master);
}

struct stress {
	int master, idx;
	volatile int stop, detached;
	long partial[2];
	long records[2], bad[2], writes[2], wfail[2], chain_bytes;
	int rfd[2], wfd[2];
};

static struct stress S;

static void *s_reader(void *p)
{
	long i = (long)p;
	static __thread uint8_t buf[8192];
	static __thread struct hbt_rec r[256];

	while (!S.stop) {
		ssize_t n = read(S.rfd[i], buf, sizeof(buf));
		int k;

		if (n <= 0)
			break;
		k = hbt_parse(buf, n, r, 256);
		if (k < 0) {
			S.bad[i]++;
			continue;
		}
		for (int j = 0; j < k && j < 256; j++)
			if (r[j].h.len != 9 || hbt_crc5(r[j].data + 2, 7))
				S.bad[i]++;
		S.records[i] += k;
	}
	return NULL;
}

static void *s_writer(void *p)
{
	long i = (long)p;
	uint8_t cmd[16];
	size_t n = hbt_cmd_read_reg(cmd, (uint8_t)(i * 4));

	while (!S.stop) {
		ssize_t r = write(S.wfd[i], cmd, n);

		if (r == (ssize_t)n)
			S.writes[i]++;
		else if (r >= 0 && S.detached)
			S.partial[i]++; /* cut short by the detach */
		else if (r < 0 && errno == EIO)
			break;
		else
			S.wfail[i]++;
	}
	return NULL;
}

/* The chain: echoes a reply for whatever arrives, and drains the master. */
static void *s_chain(void *p)
{
	uint8_t buf[4096], f[9 * 64];
	static const uint8_t body[6] = { 0x13, 0x66, 0, 0, 0, 0 };

	hbt_reply(f, 9, body, 0);
	for (int i = 1; i < 64; i++)
		memcpy(f + 9 * i, f, 9);
	while (!S.stop) {
		struct pollfd pf = { .fd = S.master, .events = POLLIN };
		ssize_t n;

		if (poll(&pf, 1, 50) <= 0)
			continue;
		if (pf.revents & (POLLHUP | POLLERR))
			break;
		n = read(S.master, buf, sizeof(buf));
		if (n <= 0)
			break;
		S.chain_bytes += n;
		/* One reply per 7-byte command (roughly), a burst at a time. */
		hbt_full_write(S.master, f, 9 * (n / 7 > 64 ? 64 : n / 7 + 1));
	}
	return NULL;
}

static void test_stress(int seconds)
{
	pthread_t rt[2], wt[2], ct;
	struct hashboard_stats st;
	int slave, ctl;
	long recs;

	S.master = hbt_open_pty(&slave);
	S.idx = hbt_attach(slave);
	if (S.idx < 0)
		hbt_die("stress setup");
	ctl = hbt_open_dev(S.idx, O_RDWR);
	for (int i = 0; i < 2; i++) {
		S.rfd[i] = hbt_open_dev(S.idx, O_RDONLY);
		S.wfd[i] = hbt_open_dev(S.idx, O_WRONLY);
	}
	pthread_create(&ct, NULL, s_chain, NULL);
	for (long i = 0; i < 2; i++) {
		pthread_create(&rt[i], NULL, s_reader, (void *)i);
		pthread_create(&wt[i], NULL, s_writer, (void *)i);
	}
	for (int t = 0; t < seconds * 10; t++) {
		/* ioctls from the side while it runs */
		hbt_get_stats(ctl, &st);
		if (t % 7 == 3)
			ioctl(ctl, HASHBOARD_IOC_FLUSH);
		hbt_msleep(100);
	}
	hbt_get_stats(ctl, &st);
	/* End it the hard way: detach under the readers and writers. */
	S.detached = 1;
	hbt_detach(slave);
	hbt_msleep(300);
	S.stop = 1;
	for (int i = 0; i < 2; i++) {
		pthread_join(rt[i], NULL);
		pthread_join(wt[i], NULL);
	}
	pthread_join(ct, NULL);
	recs = S.records[0] + S.records[1];
	printf("info: stress %ds: %ld records (%ld + %ld), %ld + %ld writes, "
	       "%llu frames, %llu overruns, %llu wakeups, chain saw %ld bytes\n",
	       seconds, recs, S.records[0], S.records[1], S.writes[0],
	       S.writes[1], (unsigned long long)st.frames,
	       (unsigned long long)st.overruns, (unsigned long long)st.wakeups,
	       S.chain_bytes);
	CHECK(recs > 100 && S.records[0] > 0 && S.records[1] > 0 &&
	      S.bad[0] + S.bad[1] == 0, "stress: whole good records to both readers",
	      "records %ld + %ld, bad %ld", S.records[0], S.records[1],
	      S.bad[0] + S.bad[1]);
	CHECK(S.writes[0] > 10 && S.writes[1] > 10 &&
	      S.wfail[0] + S.wfail[1] == 0, "stress: writes go through",
	      "writes %ld + %ld, failures %ld + %ld", S.writes[0], S.writes[1],
	      S.wfail[0], S.wfail[1]);
	CHECK(st.frames >= (unsigned long long)recs, "stress: frames >= records",
	      "frames %llu records %ld", (unsigned long long)st.frames, recs);
	CHECK_ERR(hbt_get_info(ctl, &(struct hashboard_info){ 0 }), ENODEV,
		  "stress: ioctl after detach -> ENODEV");
	for (int i = 0; i < 2; i++) {
		close(S.rfd[i]);
		close(S.wfd[i]);
	}
	close(ctl);
	close(slave);
	close(S.master);
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 3;

	hbt_prog = "t_hangup";
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_detach();
	test_master_close();
	test_hangup_then_close_late();
	test_blocked_writer();
	test_stress(seconds);
	return hbt_done();
}
