// SPDX-License-Identifier: MIT
#include "rtl_chain.hpp"

#ifdef HBSIM_HAVE_RTL
#include "hbfp_chip.hpp"
#endif

#include <hashboard/clock.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#ifndef HBSIM_HAVE_RTL
// A build without verilator has no RTL: validate_rtl refuses "hbfp" before a chain is
// made, so this stand-in only keeps the chain's code one for both builds.
namespace hbfp {
class Chip {
public:
	Chip(unsigned, unsigned) { throw std::logic_error("hbfp: built without the RTL"); }
	struct State {
		std::uint8_t address;
		bool addressed;
		unsigned divisor;
		std::uint32_t ticket;
	};
	void write(const std::uint8_t *, std::size_t) {}
	std::vector<std::uint8_t> read() { return {}; }
	std::uint64_t run_until_received(std::uint64_t limit) { return limit; }
	void set_divisor(unsigned) {}
	std::uint64_t chain_quiet_clocks() const { return 0; }
	std::size_t tx_pending() const { return 0; }
	State state(std::size_t) const { return {}; }
};
} // namespace hbfp
#endif

namespace hbsim::detail {

bool is_rtl_chip(std::string_view family)
{
	return family == kRtlChipName;
}

bool have_rtl_chips()
{
#ifdef HBSIM_HAVE_RTL
	return true;
#else
	return false;
#endif
}

void validate_rtl(const SimChainConfig &c)
{
	if (!have_rtl_chips())
		throw std::invalid_argument("simulated chain: 'hbfp' chips are the Verilated RTL, "
		                            "and this build has none (verilator was not found "
		                            "when CMake configured it)");
	if (c.chips == 0 || c.chips > 256)
		throw std::invalid_argument("simulated chain: chips must be 1..256, not " +
		                            std::to_string(c.chips));
	if (c.faults.dead_chip && *c.faults.dead_chip >= c.chips)
		throw std::invalid_argument("simulated chain: dead chip " +
		                            std::to_string(*c.faults.dead_chip) +
		                            " is not on a chain of " + std::to_string(c.chips));
	if (c.faults.mute_chip || c.faults.bit_error_rate > 0 || !c.faults.dead_cores.empty())
		throw std::invalid_argument(
		    "simulated chain: hbfp (RTL) chips model no mute chip "
		    "no bit errors and no dead cores; only a cut chain (dead=)");
}

namespace {

std::uint64_t clocks_at(Duration t)
{
	// Rounded up: the chain has run at least to t.
	const auto ns = static_cast<unsigned __int128>(std::max<std::int64_t>(t.count(), 0));
	return std::uint64_t((ns * std::uint64_t(kRtlClockHz) + 999'999'999) / 1'000'000'000);
}

Duration time_of(std::uint64_t clock)
{
	return Duration(std::int64_t(static_cast<unsigned __int128>(clock) * 1'000'000'000 /
	                             std::uint64_t(kRtlClockHz)));
}

// Clocks run between checks for an idle chain (a few bit times).
constexpr std::uint64_t kRunSlice = 2048;

} // namespace

RtlChain::RtlChain(SimChainConfig config)
    : config_(std::move(config)), reachable_(config_.faults.dead_chip.value_or(config_.chips))
{
	validate_rtl(config_);
	power_on();
}

RtlChain::~RtlChain() = default;

void RtlChain::power_on()
{
	job_sent_ = false;
	last_[0] = last_[1] = 0;
	// A cut chain is the chips before the cut: nothing after it hears or is heard.
	if (reachable_ == 0) {
		chips_.reset();
		return;
	}
	chips_ = std::make_unique<hbfp::Chip>(kRtlResetDivisor, reachable_);
	chips_->set_divisor(host_divisor_);
}

void RtlChain::log(Duration t, const std::string &line) const
{
	if (log_)
		log_(std::to_string(hashboard::to_seconds(t)) + " s: " + line);
}

std::uint64_t RtlChain::quiet_limit() const
{
	// Idle for four byte times at the slowest rate on the chain: a reply on its way up
	// is never out of every line that long (each chip forwards a frame as soon as it
	// has it).
	unsigned div = host_divisor_;
	for (unsigned i = 0; i < reachable_; ++i)
		div = std::max(div, chips_->state(i).divisor);
	return 40ull * (div + 1);
}

void RtlChain::advance_to(Duration t)
{
	const std::uint64_t target = clocks_at(t);
	if (!chips_) {
		now_clk_ = std::max(now_clk_, target);
		return;
	}
	while (now_clk_ < target) {
		if (!job_sent_ && chips_->tx_pending() == 0 &&
		    chips_->chain_quiet_clocks() >= quiet_limit()) {
			now_clk_ = target;
			break;
		}
		now_clk_ += chips_->run_until_received(std::min(target - now_clk_, kRunSlice));
		for (std::uint8_t b : chips_->read())
			rx_.emplace_back(time_of(now_clk_), b);
	}
}

void RtlChain::note_jobs(hashboard::ByteSpan data)
{
	// The RTL's own test for a job: 55 AA then a header with bits 7..5 = 001.
	for (std::uint8_t b : data) {
		if (last_[0] == 0x55 && last_[1] == 0xAA && (b & 0xE0) == 0x20)
			job_sent_ = true;
		last_[0] = last_[1];
		last_[1] = b;
	}
}

void RtlChain::host_write(Duration t, hashboard::ByteSpan data)
{
	advance_to(t);
	if (data.empty())
		return;
	if (!chips_) {
		log(t, "host wrote " + std::to_string(data.size()) +
		           " byte(s) into a chain held in reset");
		return;
	}
	note_jobs(data);
	chips_->write(data.data(), data.size());
}

Duration RtlChain::host_tx_done() const
{
	const std::size_t pending = chips_ ? chips_->tx_pending() : 0;
	return time_of(now_clk_ + pending * 10ull * (host_divisor_ + 1));
}

void RtlChain::set_host_baud(Duration t, double baud)
{
	if (!(baud > 0 && std::isfinite(baud)))
		throw std::invalid_argument("simulated chain: host baud must be positive");
	advance_to(t);
	// The host's UART on the chips' clock: the nearest whole clocks a bit. A rate the
	// chips do not run at garbles on the line, as it would on a board.
	host_divisor_ = unsigned(std::max(1l, std::lround(kRtlClockHz / baud)) - 1);
	host_baud_ = baud;
	if (chips_)
		chips_->set_divisor(host_divisor_);
}

void RtlChain::set_reset(Duration t, bool asserted)
{
	advance_to(t);
	if (asserted == !chips_ && reachable_ > 0)
		return;
	if (asserted) {
		chips_.reset(); // silent and deaf; what was still on the wire is lost
		log(t, "reset asserted");
	} else {
		power_on();
		log(t, "reset released: RTL chips at power-on state");
	}
}

std::optional<Duration> RtlChain::next_rx_time() const
{
	if (rx_.empty())
		return std::nullopt;
	return rx_.front().first;
}

std::size_t RtlChain::host_read(Duration now, std::span<std::uint8_t> out)
{
	advance_to(now);
	std::size_t n = 0;
	while (n < out.size() && !rx_.empty() && rx_.front().first <= now) {
		out[n++] = rx_.front().second;
		rx_.pop_front();
	}
	return n;
}

ChipView RtlChain::chip(unsigned position) const
{
	if (position >= config_.chips)
		throw std::invalid_argument("simulated chain: no chip at position " +
		                            std::to_string(position));
	ChipView v{};
	v.position = position;
	v.freq_mhz = kRtlClockHz / 1e6;
	v.reply_len = 9;
	v.baud = host_baud_;
	if (chips_ && position < reachable_) {
		const auto s = chips_->state(position);
		v.address = s.address;
		v.addressed = s.addressed;
		v.baud = kRtlClockHz / (s.divisor + 1);
		v.ticket_mask = s.ticket;
		v.hashing = job_sent_;
	}
	return v;
}

} // namespace hbsim::detail
