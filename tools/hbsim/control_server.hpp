// SPDX-License-Identifier: MIT
//
// The server side of the hbsim control socket (protocol: hal/src/transport/
// hbsim_control.hpp): line requests in, one answer line out, up to 16 clients at once
// (one more is answered "err busy: ..." and closed).
#pragma once

#include "hal_internal.hpp"

#include <poll.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hbsim_tool {

class ControlServer {
public:
	// Gets a request line without its newline; returns the answer without one.
	using Handler = std::function<std::string(std::string_view request)>;

	explicit ControlServer(std::string path) : listener_(std::move(path), 8) {}

	const std::string &path() const { return listener_.path(); }
	void add_poll_fds(std::vector<pollfd> &fds) const;
	// Accepts, reads and answers whatever is ready; never blocks.
	void service(const Handler &handle);

private:
	struct Client {
		UniqueFd fd;
		std::string pending; // bytes of an unfinished line
	};
	// False when the client is finished with (closed, failed, or misbehaved).
	bool serve(Client &client, const Handler &handle);

	UnixListener listener_;
	std::vector<Client> clients_;
};

} // namespace hbsim_tool
