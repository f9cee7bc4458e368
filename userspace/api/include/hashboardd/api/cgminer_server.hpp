// SPDX-License-Identifier: MIT
//
// The cgminer API on TCP 4028: one request per connection, the reply, one NUL, close
// (docs/api.md). Runs on an io_context the daemon owns and runs; any number of threads
// may run it (each connection keeps to its own strand).
#pragma once

#include <hashboardd/api/dispatcher.hpp>
#include <hashboardd/control.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace hashboardd::api {

struct CgminerOptions {
	// Where to listen. 0.0.0.0 so farm tools on the LAN can read; the privileged
	// commands are guarded by `privilege`, not by the bind address.
	std::string address = "0.0.0.0";
	std::uint16_t port = 4028; // 0: an ephemeral port (tests), see CgminerServer::port()
	// A request longer than this is refused (E STATUS) and the connection closed.
	std::size_t max_request_bytes = 8192;
	// From accept to a complete request; a client that sends nothing or never finishes
	// is cut off after it.
	std::chrono::milliseconds read_timeout{5000};
	// A plain-text request (not JSON) has no end marker when the client sends neither a
	// newline nor a NUL nor shuts its side down: it is complete after this long without
	// a byte, as cgminer takes whatever one read gives.
	std::chrono::milliseconds plain_quiet{100};
	// Writing the reply must finish within this.
	std::chrono::milliseconds write_timeout{5000};
	// Connections served at once; more are closed at accept.
	std::size_t max_connections = 32;
	PrivilegeOptions privilege;
};

class CgminerServer {
public:
	// Binds and listens at once (std::system_error when it cannot), accepts once the
	// io_context runs. control must outlive the server.
	CgminerServer(boost::asio::io_context &io, DaemonControl &control, CgminerOptions options);
	~CgminerServer(); // stop()
	CgminerServer(const CgminerServer &) = delete;
	CgminerServer &operator=(const CgminerServer &) = delete;

	std::uint16_t port() const; // the bound port (the ephemeral one when options.port is 0)
	// Stops accepting and closes every open connection; idempotent, callable from any
	// thread.
	void stop();

	struct State; // shared with the connections, so they outlive neither it nor io

private:
	std::shared_ptr<State> state_;
};

} // namespace hashboardd::api
