// SPDX-License-Identifier: MIT
#include "sim_transport.hpp"

#include <hashboard/bm13xx/wire.hpp>

#include <hashboard/chip_family.hpp>
#include <hashboard/target.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>
#include <stdexcept>

namespace hashboard::transport {

namespace {

// How far a read lets the chain run ahead when no byte is due: the chips find nonces
// only as they hash, so the chain is advanced in steps and a nonce found inside the
// wait is delivered within one step of when it was found.
constexpr Duration kHashStep = std::chrono::milliseconds(1);

Duration deadline_after(Duration now, Duration timeout)
{
	const Duration wait = std::max(timeout, Duration::zero());
	return wait > Duration::max() - now ? Duration::max() : now + wait;
}

std::string format_real(double x)
{
	return fmt::format("{:g}", x);
}

} // namespace

SimTransport::SimTransport(hbsim::SimChainConfig config, Clock &clock)
    : clock_(clock), chain_(std::move(config)), baud_(kResetHostBaud)
{
	chain_.set_host_baud(clock_.now(), baud_);
}

void SimTransport::write(ByteSpan data)
{
	chain_.host_write(clock_.now(), data);
}

std::size_t SimTransport::read(std::span<std::uint8_t> buf, Duration timeout)
{
	if (buf.empty())
		return 0;
	const Duration deadline = deadline_after(clock_.now(), timeout);
	for (;;) {
		const Duration now = clock_.now();
		chain_.advance_to(now);
		if (const std::size_t n = chain_.host_read(now, buf))
			return n;
		if (now >= deadline)
			return 0;
		Duration until = std::min(deadline, now + kHashStep);
		if (const auto next = chain_.next_rx_time(); next && *next > now && *next < until)
			until = *next;
		// A virtual clock jumps; a real one sleeps.
		clock_.sleep_for(until - now);
	}
}

void SimTransport::set_baud(std::uint32_t baud)
{
	if (baud == 0)
		throw std::invalid_argument("sim transport: baud must be above 0");
	chain_.set_host_baud(clock_.now(), baud);
	baud_ = baud;
}

void SimTransport::flush_input()
{
	const Duration now = clock_.now();
	chain_.advance_to(now);
	std::array<std::uint8_t, 4096> scratch;
	while (chain_.host_read(now, scratch) != 0) {
	}
}

void SimTransport::set_reset(bool asserted)
{
	chain_.set_reset(clock_.now(), asserted);
}

std::string SimTransport::describe() const
{
	const auto &c = chain_.config();
	std::string s = "sim:" + c.family + "?chips=" + std::to_string(c.chips) +
	                "&zero_bits=" + std::to_string(c.zero_bits) +
	                "&seed=" + std::to_string(c.seed);
	if (c.faults.dead_chip)
		s += "&dead=" + std::to_string(*c.faults.dead_chip);
	if (c.faults.mute_chip)
		s += "&mute=" + std::to_string(*c.faults.mute_chip);
	if (c.faults.bit_error_rate > 0)
		s += "&ber=" + format_real(c.faults.bit_error_rate);
	if (c.freq_limit_mhz > 0)
		s += "&flimit=" + format_real(c.freq_limit_mhz);
	return s + " @" + std::to_string(baud_);
}

hbsim::SimChainConfig sim_chain_config(const TransportUri &uri)
{
	const UriOptions options(uri, kSimOptions);
	hbsim::SimChainConfig config;
	const std::string family = uri.path.empty() ? config.family : uri.path;
	try {
		config.family = std::string(family_by_name(family).name);
	} catch (const std::invalid_argument &e) {
		throw std::invalid_argument("transport URI '" + uri.text + "': " + e.what());
	}
	// Chip addresses are one byte, so a chain holds at most 256 chips.
	config.chips =
	    static_cast<unsigned>(options.unsigned_value("chips", 1, 256).value_or(config.chips));
	config.zero_bits = static_cast<unsigned>(
	    options.unsigned_value("zero_bits", 1, kRealChipZeroBits).value_or(config.zero_bits));
	config.seed = options.unsigned_value("seed", 0, std::numeric_limits<std::uint64_t>::max())
	                  .value_or(config.seed);
	if (auto k = options.unsigned_value("dead", 0, config.chips - 1))
		config.faults.dead_chip = static_cast<unsigned>(*k);
	if (auto k = options.unsigned_value("mute", 0, config.chips - 1))
		config.faults.mute_chip = static_cast<unsigned>(*k);
	config.faults.bit_error_rate = options.real_value("ber", 0.0, 1.0).value_or(0.0);
	config.freq_limit_mhz = options.real_value("flimit", 1.0, 100000.0).value_or(0.0);
	return config;
}

std::unique_ptr<Transport> open_sim_transport(const TransportUri &uri, Clock &clock)
{
	return std::make_unique<SimTransport>(sim_chain_config(uri), clock);
}

} // namespace hashboard::transport
