// SPDX-License-Identifier: MIT
#include "unix_port.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace hbsim_tool {

bool UnixPort::host_present()
{
	if (gone_)
		return false;
	if (!client_)
		client_ = listener_.accept();
	return bool(client_);
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
