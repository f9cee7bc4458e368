// SPDX-License-Identifier: MIT
// Chain plumbing shared by enumeration, control and work: framing in and out.
#include <hashboard/bm13xx/wire.hpp>
#include <hashboard/chain.hpp>

#include <string>

#include <algorithm>
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
	recipe_ = &bringup_recipe(*config_.family, config_.style);
	// The recipe's interval (factory: 2) where the chain fits in it.
	if (config_.address_step == 0 && recipe_->address_interval &&
	    recipe_->address_interval * (config_.expected_chips - 1) <= 255)
		config_.address_step = recipe_->address_interval;
	if (config_.address_step == 0) {
		unsigned step = 256;
		while (step > 1 && step * config_.expected_chips > 256)
			step /= 2;
		config_.address_step = step;
	}
	if (config_.address_step * (config_.expected_chips - 1) > 255)
		throw std::invalid_argument("chain: address step too large for the chip count");
	// BM1366 nonces carry address bits 7..1 only (capture): chips at odd addresses
	// could not be told from their neighbours.
	const NonceLayout &nl = config_.family->nonce;
	if (nl.attribution == ChipAttribution::address_field && nl.addr_drop &&
	    config_.expected_chips > 1 && config_.address_step % (1u << nl.addr_drop))
		throw std::invalid_argument(
		    "chain: " + std::string(config_.family->name) +
		    " nonces carry the address without its low " + std::to_string(nl.addr_drop) +
		    " bit(s): the address step must be even (at most " +
		    std::to_string(256 >> nl.addr_drop) + " chips a chain)");
	if (config_.ticket_log2 > 31)
		throw std::invalid_argument("chain: ticket difficulty must be 2^0..2^31");
	if (config_.baud && !baud_write(*config_.family, config_.baud, config_.baud_base))
		throw std::invalid_argument(std::string(config_.family->name) +
		                            " cannot run its UART at " +
		                            std::to_string(config_.baud) + " Bd");
	if (config_.zero_bits == 0 || config_.zero_bits > 64)
		throw std::invalid_argument("chain: zero_bits must be 1..64");
	if (config_.live_jobs == 0)
		throw std::invalid_argument("chain: live_jobs must be at least 1");
	freq_mhz_ = family().default_freq_mhz;
	version_mask_ = config_.version_mask;
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
	// The host UART queues what it cannot send yet: the frame leaves after everything
	// written before it.
	tx_idle_at_ = std::max(tx_idle_at_, clock_.now()) + wire_time(frame.size());
}

void Chain::drain_tx()
{
	const Duration now = clock_.now();
	if (tx_idle_at_ > now)
		clock_.sleep_for(tx_idle_at_ - now);
}

Duration Chain::wire_time(std::size_t bytes) const
{
	return hashboard::wire_time(bytes, double(transport_.baud()));
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

} // namespace hashboard
