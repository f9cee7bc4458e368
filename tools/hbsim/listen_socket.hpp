// SPDX-License-Identifier: MIT
#pragma once

#include "hal_internal.hpp"

#include <string>

namespace hbsim_tool {

// A non-blocking unix stream socket listening at path; the path is removed again when
// the socket closes. A socket file left behind by a dead process is replaced; one that
// a live process still listens on is an error (std::system_error, EADDRINUSE).
class ListenSocket {
public:
	ListenSocket(std::string path, int backlog);
	~ListenSocket();
	ListenSocket(const ListenSocket &) = delete;
	ListenSocket &operator=(const ListenSocket &) = delete;

	int fd() const { return fd_.get(); }
	const std::string &path() const { return path_; }
	// A non-blocking, close-on-exec connection, or an empty fd when none is waiting.
	UniqueFd accept() const;

private:
	std::string path_;
	UniqueFd fd_;
};

} // namespace hbsim_tool
