// SPDX-License-Identifier: MIT
#include "tty_transport.hpp"

#include "termios2.hpp"

#include <hashboard/bm13xx/wire.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>

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

StreamTransport::Link tty_link(std::string path)
{
	return {"tty", std::move(path), "tty", FdKind::device};
}

} // namespace

// The device, locked, raw at the reset baud, before the stream core takes it over.
struct TtyTransport::Opened {
	std::string path;
	UniqueFd fd;
	bool tiocexcl = false;

	explicit Opened(std::string p) : path(std::move(p))
	{
		const std::string link = "tty " + path;
		fd.reset(::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
		if (!fd)
			throw_os_error("cannot open " + link, errno);

		// Two locks, because neither covers every case. flock() keeps out every program
		// that asks (pyserial, minicom, another hbctl) and dies with its holder.
		// TIOCEXCL keeps out programs that do not ask, but on a pty it outlives the
		// process (the pair lives as long as the master), so a killed host would lock
		// hbsim's pty for good for non-root users: ptys get only the flock.
		lock_exclusive(fd.get(), link);
		if (!is_pty_slave(fd.get())) {
			if (int err = termios2::set_exclusive(fd.get(), true))
				throw_os_error(link + ": TIOCEXCL", err);
			tiocexcl = true;
		}
		if (int err = termios2::make_raw(fd.get(), kResetHostBaud))
			throw_os_error(link + ": cannot set raw 8N1 at " +
			                   std::to_string(kResetHostBaud) + " Bd",
			               err);
		// Whatever sat in the queues from before belongs to someone else's session.
		if (int err = termios2::flush_input_and_output(fd.get()))
			throw_os_error(link + ": flush", err);
	}
};

TtyTransport::TtyTransport(std::string path, std::optional<std::string> reset_socket,
                           const Clock &clock)
    : TtyTransport(Opened(std::move(path)), std::move(reset_socket), clock)
{
}

TtyTransport::TtyTransport(Opened opened, std::optional<std::string> reset_socket,
                           const Clock &clock)
    : StreamTransport(tty_link(std::move(opened.path)), std::move(opened.fd),
                      std::move(reset_socket), clock),
      tiocexcl_(opened.tiocexcl)
{
}

TtyTransport::~TtyTransport()
{
	if (tiocexcl_)
		termios2::set_exclusive(fd(), false);
}

void TtyTransport::apply_baud(std::uint32_t baud)
{
	if (int err = termios2::set_baud(fd(), baud))
		throw_os_error(link() + ": cannot set " + std::to_string(baud) + " Bd", err);
}

void TtyTransport::flush_input()
{
	if (int err = termios2::flush_input(fd()))
		throw_os_error(link() + ": flush", err);
}

std::unique_ptr<Transport> open_tty_transport(const TransportUri &uri, Clock &clock)
{
	auto s = parse_stream_uri(uri, "a device path, e.g. tty:/dev/ttyS1", clock);
	return std::make_unique<TtyTransport>(std::move(s.path), std::move(s.reset_socket), clock);
}

} // namespace hashboard::transport
