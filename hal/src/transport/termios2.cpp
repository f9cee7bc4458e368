// SPDX-License-Identifier: MIT
//
// Only kernel headers (and <sys/ioctl.h>, which declares ioctl() without struct
// termios) may be included here: see termios2.hpp.
#include "termios2.hpp"

#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <sys/ioctl.h>

#include <cerrno>

namespace hashboard::transport::termios2 {

namespace {

// The namespace shares the kernel struct's name.
using KernelTermios = struct ::termios2;

int call(int fd, unsigned long request, void *arg)
{
	int r;
	do
		r = ::ioctl(fd, request, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? errno : 0;
}

int call(int fd, unsigned long request, long arg)
{
	int r;
	do
		r = ::ioctl(fd, request, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? errno : 0;
}

void put_baud(KernelTermios &t, std::uint32_t baud)
{
	t.c_cflag &= ~(CBAUD | (CBAUD << IBSHIFT));
	t.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
	t.c_ispeed = baud;
	t.c_ospeed = baud;
}

} // namespace

int make_raw(int fd, std::uint32_t baud)
{
	KernelTermios t{};
	if (int err = call(fd, TCGETS2, &t))
		return err;
	t.c_iflag = 0;
	t.c_oflag = 0;
	t.c_lflag = 0;
	t.c_cflag = CS8 | CREAD | CLOCAL;
	put_baud(t, baud);
	// VMIN 1: on a descriptor opened O_NONBLOCK an empty read then fails with EAGAIN;
	// with VMIN 0 it would return 0, which cannot be told from a hangup.
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	return call(fd, TCSETS2, &t);
}

int set_baud(int fd, std::uint32_t baud)
{
	KernelTermios t{};
	if (int err = call(fd, TCGETS2, &t))
		return err;
	put_baud(t, baud);
	return call(fd, TCSETS2, &t);
}

int get_baud(int fd, std::uint32_t &baud)
{
	KernelTermios t{};
	if (int err = call(fd, TCGETS2, &t))
		return err;
	baud = t.c_ospeed;
	return 0;
}

int flush_input(int fd)
{
	return call(fd, TCFLSH, long{TCIFLUSH});
}

int flush_input_and_output(int fd)
{
	return call(fd, TCFLSH, long{TCIOFLUSH});
}

int set_exclusive(int fd, bool exclusive)
{
	return call(fd, exclusive ? TIOCEXCL : TIOCNXCL, 0L);
}

} // namespace hashboard::transport::termios2
