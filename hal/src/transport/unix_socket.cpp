// SPDX-License-Identifier: MIT
#include "unix_socket.hpp"

#include "fd_io.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hashboard::transport {

namespace {

sockaddr_un address_of(const std::string &path)
{
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	if (path.empty() || path.size() >= sizeof addr.sun_path)
		throw std::invalid_argument("unix socket path '" + path + "': must be 1 to " +
		                            std::to_string(sizeof addr.sun_path - 1) + " bytes");
	std::memcpy(addr.sun_path, path.data(), path.size());
	return addr;
}

const sockaddr *as_sockaddr(const sockaddr_un &addr)
{
	return reinterpret_cast<const sockaddr *>(&addr);
}

int connect_retrying(int fd, const sockaddr_un &addr)
{
	int r;
	do
		r = ::connect(fd, as_sockaddr(addr), sizeof addr);
	while (r < 0 && errno == EINTR);
	return r;
}

// A socket file nobody listens on is what a killed hbsim leaves; anything else at the
// path (a live hbsim, a regular file) is not ours to remove.
void remove_stale_socket(const std::string &path, const sockaddr_un &addr)
{
	struct stat st {};
	if (::lstat(path.c_str(), &st) < 0 || !S_ISSOCK(st.st_mode))
		return;
	UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!probe)
		throw_os_error("socket", errno);
	if (connect_retrying(probe.get(), addr) == 0)
		throw_os_error("another process listens on " + path, EADDRINUSE);
	if (errno == ECONNREFUSED)
		::unlink(path.c_str());
}

} // namespace

UniqueFd connect_unix_stream(const std::string &path)
{
	const sockaddr_un addr = address_of(path);
	UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd)
		throw_os_error("unix socket " + path, errno);
	// A unix connect completes as soon as the listener queues it; it waits only while
	// the listener's backlog is full, and the send timeout bounds that wait.
	const timeval limit{5, 0};
	if (::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) < 0)
		throw_os_error("unix socket " + path, errno);
	if (connect_retrying(fd.get(), addr) < 0)
		throw_os_error("cannot connect to unix socket " + path, errno);
	const int flags = ::fcntl(fd.get(), F_GETFL);
	if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0)
		throw_os_error("unix socket " + path, errno);
	return fd;
}

UniqueFd listen_unix_stream(const std::string &path, int backlog)
{
	const sockaddr_un addr = address_of(path);
	remove_stale_socket(path, addr);
	UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd)
		throw_os_error("socket", errno);
	if (::bind(fd.get(), as_sockaddr(addr), sizeof addr) < 0)
		throw_os_error("cannot bind " + path, errno);
	if (::listen(fd.get(), backlog) < 0) {
		const int err = errno;
		::unlink(path.c_str());
		throw_os_error("cannot listen on " + path, err);
	}
	return fd;
}

UnixListener::~UnixListener()
{
	::unlink(path_.c_str());
}

UniqueFd UnixListener::accept() const
{
	for (;;) {
		const int fd = ::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			return UniqueFd(fd);
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return UniqueFd();
		throw_os_error("accept on " + path_, errno);
	}
}

} // namespace hashboard::transport
