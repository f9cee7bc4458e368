// SPDX-License-Identifier: MIT
#include "unix_socket.hpp"

#include "fd_io.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hashboard::transport {

UniqueFd connect_unix_stream(const std::string &path)
{
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	if (path.empty() || path.size() >= sizeof addr.sun_path)
		throw std::invalid_argument("unix socket path '" + path + "': must be 1 to " +
		                            std::to_string(sizeof addr.sun_path - 1) + " bytes");
	std::memcpy(addr.sun_path, path.data(), path.size());

	UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd)
		throw_os_error("unix socket " + path, errno);
	// A unix connect completes as soon as the listener queues it; it waits only while
	// the listener's backlog is full, and the send timeout bounds that wait.
	const timeval limit{5, 0};
	if (::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) < 0)
		throw_os_error("unix socket " + path, errno);
	int r;
	do
		r = ::connect(fd.get(), reinterpret_cast<const sockaddr *>(&addr), sizeof addr);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		throw_os_error("cannot connect to unix socket " + path, errno);
	const int flags = ::fcntl(fd.get(), F_GETFL);
	if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0)
		throw_os_error("unix socket " + path, errno);
	return fd;
}

} // namespace hashboard::transport
