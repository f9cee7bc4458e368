// SPDX-License-Identifier: MIT
#include "tty_transport.hpp"

#include "fd_io.hpp"
#include "link_defaults.hpp"
#include "termios2.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <stdexcept>

namespace hashboard::transport {

namespace {

// UNIX98 pty slaves use majors 136..143 (Documentation/admin-guide/devices.txt).
bool is_pty_slave(int fd)
{
	struct stat st {};
	if (::fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return false;
	const unsigned major_number = major(st.st_rdev);
	return major_number >= 136 && major_number <= 143;
}

} // namespace

TtyTransport::TtyTransport(std::string path, std::optional<std::string> reset_socket,
                           const Clock &clock)
    : path_(std::move(path)), clock_(clock), baud_(kOpenBaud)
{
	fd_.reset(::open(path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
	if (!fd_)
		throw_os_error("cannot open " + link(), errno);

	// Two locks, because neither covers every case. flock() keeps out every program
	// that asks (pyserial, minicom, another hbctl) and dies with its holder. TIOCEXCL
	// keeps out programs that do not ask, but on a pty it outlives the process (the
	// pair lives as long as the master), so a killed host would lock hbsim's pty for
	// good for non-root users: ptys get only the flock.
	lock_exclusive(fd_.get(), link());
	if (!is_pty_slave(fd_.get())) {
		if (int err = termios2::set_exclusive(fd_.get(), true))
			throw_os_error(link() + ": TIOCEXCL", err);
		tiocexcl_ = true;
	}
	if (int err = termios2::make_raw(fd_.get(), baud_))
		throw_os_error(link() + ": cannot set raw 8N1 at " + std::to_string(baud_) + " Bd",
		               err);
	// Whatever sat in the queues from before belongs to someone else's session.
	if (int err = termios2::flush_input_and_output(fd_.get()))
		throw_os_error(link() + ": flush", err);

	if (reset_socket) {
		reset_.emplace(std::move(*reset_socket), clock_);
		// Fail at open, not at the first reset, when the control socket is wrong.
		reset_->status();
	}
}

TtyTransport::~TtyTransport()
{
	if (tiocexcl_)
		termios2::set_exclusive(fd_.get(), false);
}

void TtyTransport::write(ByteSpan data)
{
	write_all(fd_.get(), data, FdKind::device, link());
}

std::size_t TtyTransport::read(std::span<std::uint8_t> buf, Duration timeout)
{
	return read_with_timeout(fd_.get(), buf, timeout, clock_, link());
}

void TtyTransport::set_baud(std::uint32_t baud)
{
	if (baud == 0)
		throw std::invalid_argument(link() + ": baud must be above 0");
	if (int err = termios2::set_baud(fd_.get(), baud))
		throw_os_error(link() + ": cannot set " + std::to_string(baud) + " Bd", err);
	baud_ = baud;
}

void TtyTransport::flush_input()
{
	if (int err = termios2::flush_input(fd_.get()))
		throw_os_error(link() + ": flush", err);
}

void TtyTransport::set_reset(bool asserted)
{
	if (!reset_)
		return Transport::set_reset(asserted);
	reset_->set_reset(asserted);
}

std::string TtyTransport::describe() const
{
	std::string s = "tty:" + path_ + " @" + std::to_string(baud_);
	if (reset_)
		s += " reset=hbsim:" + reset_->socket_path();
	return s;
}

std::unique_ptr<Transport> open_tty_transport(const TransportUri &uri, Clock &clock)
{
	const UriOptions options(uri, kTtyOptions);
	if (uri.path.empty())
		throw std::invalid_argument("transport URI '" + uri.text +
		                            "': tty: needs a device path, e.g. tty:/dev/ttyS1");
	auto reset_socket = options.hbsim_reset_socket();
	require_real_time(uri, clock);
	return std::make_unique<TtyTransport>(uri.path, std::move(reset_socket), clock);
}

} // namespace hashboard::transport
