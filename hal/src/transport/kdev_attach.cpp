// SPDX-License-Identifier: MIT
#include "kdev_attach.hpp"

#include "fd_io.hpp"
#include "termios2.hpp"

#include <hashboard/error.hpp>

#include <linux/hashboard.h>

#include <fcntl.h>
#include <linux/serial.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace hashboard::transport {

LdiscAttachment::LdiscAttachment(std::string tty, std::uint32_t baud, std::uint32_t baud_base)
    : tty_(std::move(tty))
{
	const std::string link = "tty " + tty_;
	fd_.reset(::open(tty_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
	if (!fd_)
		throw_os_error("cannot open " + link, errno);
	if (!::isatty(fd_.get()))
		throw TransportError(link + ": not a tty", ENOTTY);
	if (baud_base) {
		serial_struct ss{};
		if (::ioctl(fd_.get(), TIOCGSERIAL, &ss) < 0)
			throw_os_error(link + ": TIOCGSERIAL (a UART without serial settings?)",
			               errno);
		ss.baud_base = int(baud_base);
		if (::ioctl(fd_.get(), TIOCSSERIAL, &ss) < 0)
			throw_os_error(
			    link + ": TIOCSSERIAL baud_base " + std::to_string(baud_base), errno);
	}
	if (int err = termios2::make_raw(fd_.get(), baud))
		throw_os_error(link + ": cannot set raw 8N1 at " + std::to_string(baud) + " Bd",
		               err);
	int ldisc = HASHBOARD_LDISC;
	if (::ioctl(fd_.get(), TIOCSETD, &ldisc) < 0) {
		const int err = errno;
		throw_os_error(link + ": TIOCSETD " + std::to_string(ldisc) +
		                   (err == EINVAL ? " (is hashboard.ko loaded?)" : ""),
		               err);
	}
	__u32 index = 0;
	if (::ioctl(fd_.get(), HASHBOARD_LDISC_IOC_INDEX, &index) < 0) {
		const int err = errno;
		ldisc = N_TTY;
		::ioctl(fd_.get(), TIOCSETD, &ldisc);
		throw_os_error(link + ": line discipline " + std::to_string(HASHBOARD_LDISC) +
		                   " is not hashboard's (another out-of-tree module has it?)",
		               err);
	}
	index_ = index;
}

LdiscAttachment::~LdiscAttachment()
{
	int ldisc = N_TTY;
	::ioctl(fd_.get(), TIOCSETD, &ldisc);
}

} // namespace hashboard::transport
