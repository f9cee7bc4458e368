// SPDX-License-Identifier: MIT
// Chain plumbing shared by enumeration, control and work: framing in and out.
#include <hashboard/chain.hpp>

#include <stdexcept>

namespace hashboard {

unsigned ScanResult::found() const
{
	unsigned n = 0;
	for (const auto &c : chips)
		n += c.answered ? 1 : 0;
	return n;
}

Chain::Chain(Transport &transport, Clock &clock, ChainConfig config)
	: transport_(transport), clock_(clock), config_(config), parser_(9)
{
	if (!config_.family)
		throw std::invalid_argument("chain: no chip family");
	if (config_.expected_chips == 0 || config_.expected_chips > 256)
		throw std::invalid_argument("chain: expected chips must be 1..256");
	if (config_.address_step == 0) {
		unsigned step = 256;
		while (step > 1 && step * config_.expected_chips > 256)
			step /= 2;
		config_.address_step = step;
	}
	if (config_.address_step * (config_.expected_chips - 1) > 255)
		throw std::invalid_argument("chain: address step too large for the chip count");
	if (config_.zero_bits == 0 || config_.zero_bits > 64)
		throw std::invalid_argument("chain: zero_bits must be 1..64");
	if (config_.live_jobs == 0)
		throw std::invalid_argument("chain: live_jobs must be at least 1");
	freq_mhz_ = family().default_freq_mhz;
}

const ChainStats &Chain::stats() const
{
	chain_stats_.parser = parser_.stats();
	return chain_stats_;
}

void Chain::reset_stats()
{
	stats_.assign(chips_.size(), ChipStats{});
	chain_stats_ = ChainStats{};
}

void Chain::send(const Bytes &frame)
{
	transport_.write(frame);
}

Duration Chain::wire_time(std::size_t bytes) const
{
	// 10 bits a byte on a UART (start, 8 data, stop).
	return std::chrono::duration_cast<Duration>(
		std::chrono::duration<double>(double(bytes) * 10.0 / double(transport_.baud())));
}

void Chain::collect(Duration timeout, const std::function<void(const bm13xx::ChipFrame &)> &sink,
		    const std::function<bool()> &done)
{
	std::array<std::uint8_t, 512> buf;
	const Duration deadline = clock_.now() + timeout;
	while (!done()) {
		const Duration now = clock_.now();
		if (now >= deadline)
			return;
		const std::size_t n = transport_.read(buf, deadline - now);
		parser_.feed(ByteSpan(buf.data(), n), sink);
	}
}

std::optional<unsigned> Chain::position_of(std::uint8_t address) const
{
	if (address % config_.address_step)
		return std::nullopt;
	const unsigned pos = address / config_.address_step;
	if (pos >= chips_.size())
		return std::nullopt;
	return pos;
}

} // namespace hashboard
