// SPDX-License-Identifier: MIT
#include "endpoint.hpp"

#include "pty_port.hpp"
#include "unix_port.hpp"

namespace hbsim_tool {

namespace {

std::unique_ptr<HostPort> open_port(const LinkSpec &link, std::string &path)
{
	if (link.pty) {
		auto pty = std::make_unique<PtyPort>();
		path = pty->slave_path();
		return pty;
	}
	auto sock = std::make_unique<UnixPort>(link.unix_path);
	path = sock->path();
	return sock;
}

} // namespace

Endpoint::Endpoint(hbsim::SimChainConfig config, const LinkSpec &link, hashboard::Clock &clock,
                   std::string log_prefix, bool log_frames)
    : log_(clock, std::move(log_prefix)), pty_(link.pty), port_(open_port(link, link_)),
      control_(link.control_path)
{
	log_.line("hbsim: " + config.family + " x" + std::to_string(config.chips) + " on " +
	          port_->describe() + ", control " + control_.path());
	server_ =
	    std::make_unique<Server>(std::move(config), *port_, control_, clock, log_, log_frames);
}

} // namespace hbsim_tool
