// SPDX-License-Identifier: MIT
#include "unix_port.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace hbsim_tool {

bool UnixPort::host_present()
{
	if (gone_)
		return false;
	if (!client_) {
		client_ = listener_.accept();
		return bool(client_);
	}
	// A host that hung up is gone even while hbsim holds back from reading it (its
	// unread bytes would take the wire seconds to carry), and must not make the next
	// host look like a second one.
	pollfd p{client_.get(), 0, 0};
	if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) {
		gone_ = true;
		return false;
	}
	turn_away_waiting();
	return true;
}

void UnixPort::turn_away_waiting()
{
	const std::string line = "hbsim: busy: another host holds the chain on " +
	                         listener_.path() + "; connect again when it has left\n";
	while (UniqueFd fd = listener_.accept()) {
		// A fresh socket's buffer takes the line whole; the close follows it.
		(void)::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
		++turned_away_;
	}
}

std::size_t UnixPort::read(std::span<std::uint8_t> buf)
{
	if (!client_ || gone_)
		return 0;
	for (;;) {
		const ssize_t n = ::read(client_.get(), buf.data(), buf.size());
		if (n > 0)
			return static_cast<std::size_t>(n);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		gone_ = true;
		return 0;
	}
}

std::size_t UnixPort::write(hashboard::ByteSpan data)
{
	if (!client_ || gone_)
		return 0;
	const ssize_t n =
	    ::send(client_.get(), data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n >= 0)
		return static_cast<std::size_t>(n);
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		gone_ = true;
	return 0;
}

} // namespace hbsim_tool
