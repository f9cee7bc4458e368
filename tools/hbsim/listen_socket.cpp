// SPDX-License-Identifier: MIT
#include "listen_socket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace hbsim_tool {

namespace {

// what() is "<what>: <strerror(err)>"; code() keeps the errno.
std::system_error os_error(const std::string &what, int err)
{
	return std::system_error(err, std::generic_category(), what);
}

sockaddr_un address_of(const std::string &path)
{
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	if (path.empty() || path.size() >= sizeof addr.sun_path)
		throw std::invalid_argument("socket path '" + path + "' must be 1 to " +
		                            std::to_string(sizeof addr.sun_path - 1) + " bytes");
	std::memcpy(addr.sun_path, path.data(), path.size());
	return addr;
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
		throw os_error("socket", errno);
	if (::connect(probe.get(), reinterpret_cast<const sockaddr *>(&addr), sizeof addr) == 0)
		throw os_error("another process listens on " + path, EADDRINUSE);
	if (errno == ECONNREFUSED)
		::unlink(path.c_str());
}

} // namespace

ListenSocket::ListenSocket(std::string path, int backlog) : path_(std::move(path))
{
	const sockaddr_un addr = address_of(path_);
	remove_stale_socket(path_, addr);
	fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!fd_)
		throw os_error("socket", errno);
	if (::bind(fd_.get(), reinterpret_cast<const sockaddr *>(&addr), sizeof addr) < 0)
		throw os_error("cannot bind " + path_, errno);
	if (::listen(fd_.get(), backlog) < 0) {
		const int err = errno;
		::unlink(path_.c_str());
		throw os_error("cannot listen on " + path_, err);
	}
}

ListenSocket::~ListenSocket()
{
	::unlink(path_.c_str());
}

UniqueFd ListenSocket::accept() const
{
	for (;;) {
		const int fd = ::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			return UniqueFd(fd);
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return UniqueFd();
		throw os_error("accept on " + path_, errno);
	}
}

} // namespace hbsim_tool
