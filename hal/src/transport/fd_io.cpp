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

namespace hashboard::transport {

namespace {

// A healthy UART drains its buffer at the wire rate; a device that accepts nothing for
// this long is stuck, and blocking the caller forever would hide that.
constexpr int kWriteStallMs = 5000;

constexpr std::string_view kEndOfFile = "peer closed the link (end of file)";
constexpr std::string_view kHungUp = "peer hung up";

std::string prefixed(std::string_view link, std::string_view what)
{
	std::string s(link);
	s += ": ";
	s += what;
	return s;
}

IoAttempt attempt_result(ssize_t n)
{
	if (n > 0)
		return {.bytes = static_cast<std::size_t>(n)};
	if (n == 0)
		return {.closed = true};
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return {};
	return {.error = errno};
}

} // namespace

void throw_os_error(const std::string &what, int err)
{
	throw TransportError(what + ": " + std::strerror(err), err);
}

timespec to_timespec(Duration d)
{
	const auto s = std::chrono::duration_cast<std::chrono::seconds>(d);
	return timespec{static_cast<time_t>(s.count()), static_cast<long>((d - s).count())};
}

IoAttempt read_now(int fd, std::span<std::uint8_t> buf)
{
	for (;;) {
		const ssize_t n = ::read(fd, buf.data(), buf.size());
		if (n < 0 && errno == EINTR)
			continue;
		return attempt_result(n);
	}
}

IoAttempt write_now(int fd, ByteSpan data, FdKind kind)
{
	for (;;) {
		const ssize_t n = kind == FdKind::socket
		                      ? ::send(fd, data.data(), data.size(), MSG_NOSIGNAL)
		                      : ::write(fd, data.data(), data.size());
		if (n < 0 && errno == EINTR)
			continue;
		// A write that moved nothing is no end of file: the device is full.
		return n == 0 ? IoAttempt{} : attempt_result(n);
	}
}

Received read_or_end(int fd, std::span<std::uint8_t> buf, Duration timeout, const Clock &clock,
                     std::string_view link)
{
	if (buf.empty())
		return {};
	const Duration start = clock.now();
	const Duration wait = std::max(timeout, Duration::zero());
	bool hangup = false;
	for (;;) {
		const IoAttempt a = read_now(fd, buf);
		if (a.bytes)
			return {a.bytes, {}};
		if (a.closed)
			return {0, kEndOfFile};
		if (a.error)
			throw_os_error(prefixed(link, "read"), a.error);
		if (hangup)
			return {0, kHungUp};

		const Duration left = wait - (clock.now() - start);
		if (left <= Duration::zero())
			return {};
		pollfd p{fd, POLLIN, 0};
		const timespec ts = to_timespec(left);
		const int r = ::ppoll(&p, 1, &ts, nullptr);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			throw_os_error(prefixed(link, "poll"), errno);
		}
		if (r == 0)
			return {};
		if (p.revents & POLLNVAL)
			throw TransportError(prefixed(link, "descriptor is not open"), EBADF);
		// Data can still be queued behind a hangup: the next read drains it first and
		// only a read that finds nothing reports the hangup.
		hangup = (p.revents & (POLLHUP | POLLERR)) != 0;
	}
}

std::size_t read_with_timeout(int fd, std::span<std::uint8_t> buf, Duration timeout,
                              const Clock &clock, std::string_view link)
{
	const Received r = read_or_end(fd, buf, timeout, clock, link);
	if (!r.ended.empty())
		throw TransportError(prefixed(link, r.ended));
	return r.bytes;
}

void write_all(int fd, ByteSpan data, FdKind kind, std::string_view link)
{
	while (!data.empty()) {
		const IoAttempt a = write_now(fd, data, kind);
		if (a.bytes) {
			data = data.subspan(a.bytes);
			continue;
		}
		if (a.error)
			throw_os_error(prefixed(link, "write"), a.error);
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
		const IoAttempt a = read_now(fd, scratch);
		if (a.bytes)
			continue;
		if (a.closed)
			throw TransportError(prefixed(link, kEndOfFile));
		if (a.error)
			throw_os_error(prefixed(link, "read"), a.error);
		return;
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
