// SPDX-License-Identifier: MIT
#pragma once

#include "control_server.hpp"
#include "frame_log.hpp"
#include "host_port.hpp"
#include "log.hpp"

#include <hbsim/sim_chain.hpp>

#include <poll.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hbsim_tool {

// Runs one simulated chain behind a host port in real time. The chain is powered while
// a host holds the port: a host that opens it finds chips fresh from power-on, as a
// board whose power or reset follows the port would give it; while it is away there is
// no chain. The control socket's reset line applies on top, and carries over to the
// next session.
class Server {
public:
	Server(hbsim::SimChainConfig config, HostPort &port, ControlServer &control,
	       hashboard::Clock &clock, const Log &log, bool log_frames);
	~Server();

	// What the loop waits on for this chain: its control socket and its port.
	void add_poll_fds(std::vector<pollfd> &fds) const;
	// The longest the loop may sleep before this chain needs a step.
	hashboard::Duration poll_timeout() const;
	// Follows the host (arrival, departure, baud), moves bytes both ways and answers
	// the control socket; never blocks.
	void step();
	// The process is stopping: a chain a host still holds is powered off.
	void stop();

private:
	void tick();
	void power_on(hashboard::Duration now);
	void power_off(hashboard::Duration now);
	void follow_baud(hashboard::Duration now);
	void move_bytes(hashboard::Duration now);
	// How many host bytes the chain takes now (backpressure; 0: leave them unread).
	std::size_t host_room() const;
	void report_lag(hashboard::Duration before);
	std::string control(std::string_view request);

	const hbsim::SimChainConfig config_;
	HostPort &port_;
	ControlServer &control_;
	hashboard::Clock &clock_;
	const Log &log_;
	bool log_frames_;

	std::unique_ptr<hbsim::SimChain> chain_;
	std::optional<FrameLog> frames_;
	bool reset_asserted_ = false;
	double host_baud_ = 0;
	double chip_baud_ = 0;
	std::uint64_t overrun_bytes_ = 0;
	std::uint64_t sessions_ = 0;
	std::uint64_t turned_away_ = 0;
	hashboard::Duration lag_reported_{-std::chrono::hours(1)};
	// The chain's own time: the clock's, or behind it while hashing cannot keep up
	// (a step advances it by at most kMaxAdvance, so a slow chain lags instead of
	// taking ever longer steps and never serving its host, control socket or signals).
	hashboard::Duration chain_now_{};
};

// Serves every server from one poll loop until signal_fd is readable (the caller routes
// SIGINT/SIGTERM there), then stops them. One thread for all: a step never blocks, so a
// chain waits at most for the other chains' steps, and no state is shared.
void serve(std::span<Server *const> servers, int signal_fd);

} // namespace hbsim_tool
