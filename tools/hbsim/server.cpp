// SPDX-License-Identifier: MIT
#include "server.hpp"

#include <hashboard/bm13xx/wire.hpp>

#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace hbsim_tool {

using hashboard::Duration;

namespace {

// With a host: bytes reach it within a tick of when their last bit would arrive on a
// real wire, well inside any host timeout (a byte takes 87 us at 115200 Bd).
constexpr Duration kTick = std::chrono::milliseconds(1);
// Without one: how often to look whether a host has opened the pty.
constexpr Duration kIdleTick = std::chrono::milliseconds(5);
// A hashing step that takes this long has kept every host byte waiting for as long.
constexpr Duration kLagWarning = std::chrono::milliseconds(20);
constexpr Duration kLagReportInterval = std::chrono::seconds(5);
// The most chain time one step hashes. A chain slower than real time would otherwise
// spiral: each step's gap is the last step's length, so steps grow without bound.
constexpr Duration kMaxAdvance = std::chrono::milliseconds(50);
// Backpressure: hbsim takes the host's bytes no faster than its UART sends them,
// keeping at most this much of its transmit backlog (100 ms: 1152 bytes at 115200 Bd,
// a dozen jobs). Beyond it hbsim leaves the rest in the kernel's pty or socket buffer,
// which fills, and the host's write blocks as on a real UART.
constexpr Duration kMaxHostBacklog = std::chrono::milliseconds(100);

std::string baud_text(double baud)
{
	return std::to_string(std::llround(baud));
}

} // namespace

Server::Server(hbsim::SimChainConfig config, HostPort &port, ControlServer &control,
               hashboard::Clock &clock, const Log &log, bool log_frames)
    : config_(std::move(config)), port_(port), control_(control), clock_(clock), log_(log),
      log_frames_(log_frames)
{
}

Server::~Server() = default;

void serve(std::span<Server *const> servers, int signal_fd)
{
	std::vector<pollfd> fds;
	for (;;) {
		fds.clear();
		fds.push_back({signal_fd, POLLIN, 0});
		Duration wait = kIdleTick;
		for (const Server *s : servers) {
			s->add_poll_fds(fds);
			wait = std::min(wait, s->poll_timeout());
		}
		const timespec ts = hashboard::transport::to_timespec(wait);
		if (::ppoll(fds.data(), fds.size(), &ts, nullptr) < 0 && errno != EINTR)
			throw std::system_error(errno, std::generic_category(), "poll");
		if (fds[0].revents & POLLIN)
			break;
		for (Server *s : servers)
			s->step();
	}
	for (Server *s : servers)
		s->stop();
}

void Server::add_poll_fds(std::vector<pollfd> &fds) const
{
	control_.add_poll_fds(fds);
	// A host whose backlog is full is looked at again at the next tick (within 1 ms),
	// not woken for: its input stays where it is.
	if (port_.poll_fd() >= 0 && host_room() > 0)
		fds.push_back({port_.poll_fd(), POLLIN, 0});
	if (port_.waiting_fd() >= 0)
		fds.push_back({port_.waiting_fd(), POLLIN, 0});
}

std::size_t Server::host_room() const
{
	if (!chain_)
		return std::numeric_limits<std::size_t>::max();
	const Duration backlog = std::max(chain_->host_tx_done() - chain_now_, Duration::zero());
	const Duration room = kMaxHostBacklog - backlog;
	if (room <= Duration::zero())
		return 0;
	// Bytes the wire carries in that time, and at least one.
	const double seconds = std::chrono::duration<double>(room).count();
	return std::max<std::size_t>(
	    1, static_cast<std::size_t>(seconds * host_baud_ / hashboard::kBitsPerByte));
}

void Server::step()
{
	// The tick first, so a status request sees a host that has just arrived.
	tick();
	control_.service([this](std::string_view request) { return control(request); });
}

void Server::stop()
{
	if (chain_)
		power_off(clock_.now());
	log_.line("stopping");
}

Duration Server::poll_timeout() const
{
	if (!chain_)
		return kIdleTick;
	Duration wait = kTick;
	if (const auto next = chain_->next_rx_time())
		wait = std::clamp(*next - chain_now_, Duration::zero(), kTick);
	return wait;
}

void Server::tick()
{
	Duration now = clock_.now();
	const bool present = port_.host_present();
	if (present && !chain_) {
		power_on(now);
		// Building hundreds of chips takes a while of its own (tens of ms under ASan),
		// which is not hashing falling behind.
		now = clock_.now();
	} else if (!present && chain_) {
		power_off(now);
	}
	if (port_.turned_away() != turned_away_) {
		turned_away_ = port_.turned_away();
		log_.line(port_.describe() + ": busy, turned another host away (" +
		          std::to_string(turned_away_) + " so far)");
	}
	if (!chain_)
		return;
	const Duration behind = now - chain_now_;
	chain_now_ += std::min(behind, kMaxAdvance);
	follow_baud(chain_now_);
	move_bytes(chain_now_);
}

void Server::power_on(Duration now)
{
	chain_ = std::make_unique<hbsim::SimChain>(config_);
	chain_now_ = now;
	if (log_frames_) {
		chain_->set_logger([this](const std::string &line) { log_.raw(line); });
		// Replies are short until a BM1366+ chip's version rolling makes them long.
		frames_.emplace(log_, hashboard::bm13xx::kReplyLen);
	}
	++sessions_;
	host_baud_ = 0;
	chip_baud_ = 0;
	overrun_bytes_ = 0;
	log_.line(port_.describe() + ": host arrived, chain powered on (session " +
	          std::to_string(sessions_) + ")");
	if (reset_asserted_) {
		chain_->set_reset(now, true);
		log_.line("reset held by the control socket");
	}
}

void Server::power_off(Duration now)
{
	// Not to now: a chain far behind would hash its whole backlog before going.
	chain_->advance_to(std::min(now, chain_now_));
	chain_.reset();
	frames_.reset();
	port_.host_left();
	log_.line(port_.describe() + ": host left, chain powered off");
}

void Server::follow_baud(Duration now)
{
	// The chips' baud is what chip 0 talks at: every reply reaches the host through it.
	const double chips = chain_->chip(0).baud;
	if (chips != chip_baud_) {
		if (chip_baud_ != 0)
			log_.line("chips' baud " + baud_text(chip_baud_) + " -> " +
			          baud_text(chips));
		chip_baud_ = chips;
	}
	const auto host = port_.host_baud();
	const double baud = host ? double(*host) : chips;
	if (baud == host_baud_)
		return;
	// A socket follows the chips silently; a pty's changes are the host's doing.
	if (host)
		log_.line("host baud " + (host_baud_ ? baud_text(host_baud_) + " -> " : "") +
		          baud_text(baud));
	chain_->set_host_baud(now, baud);
	host_baud_ = baud;
}

void Server::move_bytes(Duration now)
{
	std::array<std::uint8_t, 4096> buf;
	std::size_t room;
	while ((room = std::min(host_room(), buf.size())) > 0) {
		const std::size_t n = port_.read(std::span(buf.data(), room));
		if (n == 0)
			break;
		const hashboard::ByteSpan data(buf.data(), n);
		if (frames_)
			frames_->host_bytes(data);
		chain_->host_write(now, data);
	}

	const Duration wall = clock_.now();
	chain_->advance_to(now);
	report_lag(wall);
	const std::size_t reply_len = chain_->chip(0).reply_len;
	while (const std::size_t n = chain_->host_read(now, buf)) {
		const hashboard::ByteSpan data(buf.data(), n);
		if (frames_)
			frames_->chip_bytes(data, reply_len);
		const std::size_t taken = port_.write(data);
		if (taken < n) {
			if (overrun_bytes_ == 0)
				log_.line("host is not reading: dropping bytes (overrun)");
			overrun_bytes_ += n - taken;
		}
	}
}

void Server::report_lag(Duration before)
{
	// The chips hash for real, so a slow machine (or a Debug+ASan build) with many
	// chips and zero bits cannot keep up: replies then come late and the host times
	// out for reasons that are not on its side. Say so, now and then.
	const Duration now = clock_.now();
	const Duration took = now - before;
	const Duration behind = now - chain_now_;
	if ((took < kLagWarning && behind < kLagWarning) ||
	    now - lag_reported_ < kLagReportInterval)
		return;
	lag_reported_ = now;
	log_.line("falling behind real time: one step of hashing took " +
	          std::to_string(took / std::chrono::milliseconds(1)) + " ms, the chain is " +
	          std::to_string(behind / std::chrono::milliseconds(1)) +
	          " ms behind; fewer --zero-bits or --chips would keep up");
}

std::string Server::control(std::string_view request)
{
	namespace words = control_words;
	if (request == words::kResetAssert || request == words::kResetRelease) {
		reset_asserted_ = request == words::kResetAssert;
		if (chain_)
			chain_->set_reset(chain_now_, reset_asserted_);
		log_.line(std::string("control: reset ") +
		          (reset_asserted_ ? "asserted" : "released"));
		return std::string(words::kOk) + " " + std::string(request);
	}
	if (request == words::kStatus) {
		return std::string(words::kOk) + " family=" + config_.family +
		       " chips=" + std::to_string(config_.chips) + " host=" + (chain_ ? "1" : "0") +
		       " reset=" + (reset_asserted_ ? "1" : "0") +
		       " baud=" + baud_text(host_baud_) +
		       " overrun=" + std::to_string(overrun_bytes_);
	}
	// The echo is cut so the answer stays inside the protocol's line limit.
	return std::string(words::kErr) + " unknown request '" +
	       std::string(request.substr(0, 40)) +
	       "'; requests: " + std::string(words::kResetAssert) + ", " +
	       std::string(words::kResetRelease) + ", " + std::string(words::kStatus);
}

} // namespace hbsim_tool
