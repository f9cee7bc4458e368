// SPDX-License-Identifier: MIT
//
// Unix stream sockets, both ends: the HAL's unix: transport and hbsim control client
// connect; hbsim's chain and control sockets listen. Failures are TransportErrors that
// keep errno; a path that does not fit sockaddr_un is std::invalid_argument.
#pragma once

#include "unique_fd.hpp"

#include <string>

namespace hashboard::transport {

// A non-blocking, close-on-exec stream socket connected to the unix socket at path.
UniqueFd connect_unix_stream(const std::string &path);

// A non-blocking, close-on-exec stream socket bound to path and listening. A socket file
// left behind by a dead process is replaced; one that a live process still listens on
// is an error (EADDRINUSE), as is anything else at the path.
UniqueFd listen_unix_stream(const std::string &path, int backlog);

// A listening socket that owns its path: removed again when the listener closes.
class UnixListener {
public:
	UnixListener(std::string path, int backlog)
	    : path_(std::move(path)), fd_(listen_unix_stream(path_, backlog))
	{
	}
	~UnixListener();
	UnixListener(const UnixListener &) = delete;
	UnixListener &operator=(const UnixListener &) = delete;

	int fd() const { return fd_.get(); }
	const std::string &path() const { return path_; }
	// A non-blocking, close-on-exec connection, or an empty fd when none is waiting.
	UniqueFd accept() const;

private:
	std::string path_;
	UniqueFd fd_;
};

} // namespace hashboard::transport
