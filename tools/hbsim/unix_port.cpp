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
	const std::string line = std::string(control_words::kBusyPrefix) +
	                         "another host holds the chain on " + listener_.path() +
	                         "; connect again when it has left\n";
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
	const auto a = hashboard::transport::read_now(client_.get(), buf);
	gone_ = a.closed || a.error;
	return a.bytes;
}

std::size_t UnixPort::write(hashboard::ByteSpan data)
{
	if (!client_ || gone_)
		return 0;
	// The client socket is non-blocking (accept4), so a full buffer takes nothing.
	const auto a = hashboard::transport::write_now(client_.get(), data,
	                                               hashboard::transport::FdKind::socket);
	gone_ = a.error != 0;
	return a.bytes;
}

} // namespace hbsim_tool
