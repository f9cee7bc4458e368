// SPDX-License-Identifier: MIT
//
// The cgminer API without sockets: one request's text in, the reply's text out
// (without the NUL the server sends after it), plus what the daemon must do once the
// reply has gone out (restart, quit). The TCP server (cgminer_server.hpp) and the fuzz
// target (tests/fuzz/fuzz_api_request.cpp) both drive it. docs/api.md has every
// command, key, code and the privilege model.
#pragma once

#include <hashboardd/api/access_list.hpp>
#include <hashboardd/api/sessions.hpp>
#include <hashboardd/control.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashboardd::api {

struct PrivilegeOptions {
	// Peers that may run privileged commands at all (CIDR list); others get ACCDENY.
	std::vector<std::string> allow = loopback_networks();
	// Of those, the peers that need no session token (loopback by default); every other
	// allowed peer must `logon` first and pass the token as its first parameter.
	std::vector<std::string> token_free = loopback_networks();
	// When set, `logon` needs it as its parameter (`logon|<secret>`); when empty any
	// allowed peer may log on.
	std::string logon_secret;
	std::chrono::steady_clock::duration session_idle = std::chrono::minutes(10);
	std::size_t max_sessions = 16;
	SteadyNow now = [] { return std::chrono::steady_clock::now(); };
};

// What the server does after sending the reply.
enum class AfterReply { nothing, restart, quit };

struct Response {
	std::string text;
	AfterReply after = AfterReply::nothing;
};

class Dispatcher {
public:
	// control must outlive the dispatcher. Throws std::invalid_argument on a bad CIDR.
	Dispatcher(DaemonControl &control, const PrivilegeOptions &options);

	// Never throws for anything a client sends: bad input is an E STATUS. A
	// DaemonControl that throws something other than ControlError is answered as an
	// E STATUS too, so one failing call cannot take the server down.
	Response handle(std::string_view request, const IpAddress &peer);

	// The reply for a request the server cut off (too long, too slow): E STATUS, JSON
	// when the bytes so far look like JSON.
	std::string refuse(std::string_view so_far, std::string_view why) const;

	SessionTable &sessions() { return sessions_; }

private:
	DaemonControl &control_;
	AccessList allow_;
	AccessList token_free_;
	std::string logon_secret_;
	SessionTable sessions_;
};

} // namespace hashboardd::api
