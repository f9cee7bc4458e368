// SPDX-License-Identifier: MIT
#pragma once

#include "unique_fd.hpp"

#include <string>

namespace hashboard::transport {

// A non-blocking, close-on-exec stream socket connected to the unix socket at path.
// Throws std::invalid_argument for a path that does not fit sockaddr_un and
// TransportError (errno kept) when the connection fails.
UniqueFd connect_unix_stream(const std::string &path);

} // namespace hashboard::transport
