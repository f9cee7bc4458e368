// SPDX-License-Identifier: MIT
#include "fd_io.hpp"

#include <hashboard/transport.hpp>

#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace hashboard::transport {

namespace {

// A healthy UART drains its buffer at the wire rate; a device that accepts nothing for
// this long is stuck, and blocking the caller forever would hide that.
constexpr int kWriteStallMs = 5000;

timespec to_timespec(Duration d)
{
	const auto s = std::chrono::duration_cast<std::chrono::seconds>(d);
	return timespec{static_cast<time_t>(s.count()), static_cast<long>((d - s).count())};
}

std::string prefixed(std::string_view link, std::string_view what)
{
	std::string s(link);
	s += ": ";
	s += what;
	return s;
}

} // namespace

void throw_os_error(const std::string &what, int err)
{
	throw TransportError(what + ": " + std::strerror(err), err);
}

std::size_t read_with_timeout(int fd, std::span<std::uint8_t> buf, Duration timeout,
                              const Clock &clock, std::string_view link)
{
	if (buf.empty())
		return 0;
	const Duration start = clock.now();
	const Duration wait = std::max(timeout, Duration::zero());
	bool hangup = false;
	for (;;) {
		const ssize_t n = ::read(fd, buf.data(), buf.size());
		if (n > 0)
			return static_cast<std::size_t>(n);
		if (n == 0)
			throw TransportError(prefixed(link, "peer closed the link (end of file)"));
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			throw_os_error(prefixed(link, "read"), errno);
		if (hangup)
			throw TransportError(prefixed(link, "peer hung up"));

		const Duration left = wait - (clock.now() - start);
		if (left <= Duration::zero())
			return 0;
		pollfd p{fd, POLLIN, 0};
		const timespec ts = to_timespec(left);
		const int r = ::ppoll(&p, 1, &ts, nullptr);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			throw_os_error(prefixed(link, "poll"), errno);
		}
		if (r == 0)
			return 0;
		if (p.revents & POLLNVAL)
			throw TransportError(prefixed(link, "descriptor is not open"), EBADF);
		// Data can still be queued behind a hangup: the next read drains it first and
		// only a read that finds nothing reports the hangup.
		hangup = (p.revents & (POLLHUP | POLLERR)) != 0;
	}
}

void write_all(int fd, ByteSpan data, FdKind kind, std::string_view link)
{
	std::size_t done = 0;
	while (done < data.size()) {
		const std::uint8_t *p = data.data() + done;
		const std::size_t len = data.size() - done;
		const ssize_t n =
		    kind == FdKind::socket ? ::send(fd, p, len, MSG_NOSIGNAL) : ::write(fd, p, len);
		if (n > 0) {
			done += static_cast<std::size_t>(n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			throw_os_error(prefixed(link, "write"), errno);
		pollfd pfd{fd, POLLOUT, 0};
		const int r = ::poll(&pfd, 1, kWriteStallMs);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			throw_os_error(prefixed(link, "poll"), errno);
		}
		if (r == 0)
			throw TransportError(
			    prefixed(link, "write stalled: the device takes no data"), ETIMEDOUT);
		if (!(pfd.revents & POLLOUT))
			throw TransportError(prefixed(link, "hung up"), EPIPE);
	}
}

void drain_input(int fd, std::string_view link)
{
	std::array<std::uint8_t, 4096> scratch;
	for (;;) {
		const ssize_t n = ::read(fd, scratch.data(), scratch.size());
		if (n > 0)
			continue;
		if (n == 0)
			throw TransportError(prefixed(link, "peer closed the link (end of file)"));
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		throw_os_error(prefixed(link, "read"), errno);
	}
}

void lock_exclusive(int fd, std::string_view link)
{
	if (::flock(fd, LOCK_EX | LOCK_NB) == 0)
		return;
	const int err = errno;
	if (err == EWOULDBLOCK)
		throw TransportError(prefixed(link, "in use by another process"), EBUSY);
	throw_os_error(prefixed(link, "flock"), err);
}

} // namespace hashboard::transport
