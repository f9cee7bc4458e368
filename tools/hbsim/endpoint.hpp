// SPDX-License-Identifier: MIT
#pragma once

#include "control_server.hpp"
#include "host_port.hpp"
#include "log.hpp"
#include "server.hpp"

#include <hashboard/clock.hpp>
#include <hbsim/sim_chain.hpp>

#include <memory>
#include <string>

namespace hbsim_tool {

// Where a host reaches a chain: a new pty, or a unix socket at a path.
struct LinkSpec {
	bool pty = true;
	std::string unix_path; // when not a pty
	std::string control_path;
};

// One simulated chain as a host reaches it: its port, the control socket for its reset
// line, its log and the server between them. hbsim serves one, or one per chain of a
// board file.
class Endpoint {
public:
	Endpoint(hbsim::SimChainConfig config, const LinkSpec &link, hashboard::Clock &clock,
	         std::string log_prefix, bool log_frames);
	Endpoint(const Endpoint &) = delete;
	Endpoint &operator=(const Endpoint &) = delete;

	Server &server() { return *server_; }
	// "pty" or "unix", and the slave's or the socket's path.
	const char *link_kind() const { return pty_ ? "pty" : "unix"; }
	const std::string &link() const { return link_; }
	const std::string &control() const { return control_.path(); }
	const Log &log() const { return log_; }

private:
	Log log_;
	bool pty_;
	std::string link_;
	std::unique_ptr<HostPort> port_;
	ControlServer control_;
	std::unique_ptr<Server> server_;
};

} // namespace hbsim_tool
