// SPDX-License-Identifier: MIT
// Reset and enumeration with chain-break localisation.
#include <hashboard/chain.hpp>

namespace hashboard {

void Chain::reset_line()
{
	if (!transport_.has_reset())
		return;
	transport_.set_reset(true);
	clock_.sleep_for(config_.reset_hold);
	transport_.set_reset(false);
	clock_.sleep_for(config_.reset_settle);
}

ScanResult Chain::enumerate()
{
	const ChipFamily &fam = family();
	state_ = ChainState::off;
	jobs_.clear();
	reset_line();
	transport_.set_baud(115200);
	transport_.flush_input();
	parser_.reset();
	parser_.set_reply_len(9);
	freq_mhz_ = fam.default_freq_mhz;
	ticket_log2_ = 0;

	// BM1366+ replies grow to 11 bytes once version rolling is on, and open firmware
	// turns it on before anything else, so every later reply has the same length.
	if (fam.regs.version_rolling) {
		send(bm13xx::encode_write_register(true, 0, *fam.regs.version_rolling,
						   fam.version_rolling_value));
		parser_.set_reply_len(fam.reply_len);
	}

	ScanResult result;
	result.expected = config_.expected_chips;
	send(bm13xx::encode_read_register(true, 0, fam.regs.chip_id));
	// A chain with more chips than expected answers more: wait the whole timeout unless
	// the count is exceeded, so extra chips are seen too. The replies queue behind each
	// other on the wire (160 chips take 150 ms at 115200 Bd), so that time comes on top:
	// a reply left on the way would be taken for chip 0's answer to its probe.
	collect(
		config_.reply_timeout +
			wire_time(std::size_t(config_.expected_chips) * fam.reply_len),
		[&](const bm13xx::ChipFrame &f) {
			if (const auto *r = std::get_if<bm13xx::RegisterReply>(&f)) {
				if (r->reg != fam.regs.chip_id)
					return;
				if ((r->value >> 16) == fam.chip_id)
					++result.broadcast_replies;
				else
					++result.wrong_chip_id;
			}
		},
		[&] { return result.broadcast_replies > config_.expected_chips; });

	// Addresses go out for every expected chip even when fewer answered: a chip that
	// relays but never answers (a mute RX path) still takes its address, so probing
	// each address afterwards tells a mute chip from a cut chain.
	const Bytes inactive = bm13xx::encode_chain_inactive();
	send(inactive);
	std::size_t sent = inactive.size();
	chips_.assign(config_.expected_chips, ChipInfo{});
	chip_freq_.assign(config_.expected_chips, fam.default_freq_mhz);
	for (unsigned pos = 0; pos < config_.expected_chips; ++pos) {
		chips_[pos].position = pos;
		chips_[pos].address = std::uint8_t(pos * config_.address_step);
		const Bytes set_address = bm13xx::encode_set_address(chips_[pos].address);
		send(set_address);
		sent += set_address.size();
	}
	// The host hands the frames to its UART at once, but the chips get them at the line's
	// pace (160 addresses take 100 ms at 115200 Bd): the first probe's reply timeout must
	// not run while they are still on the wire.
	clock_.sleep_for(wire_time(sent));
	transport_.flush_input();

	for (auto &chip : chips_) {
		send(bm13xx::encode_read_register(false, chip.address, fam.regs.chip_id));
		bool replied = false;
		collect(
			config_.reply_timeout,
			[&](const bm13xx::ChipFrame &f) {
				const auto *r = std::get_if<bm13xx::RegisterReply>(&f);
				if (!r || r->reg != fam.regs.chip_id || r->chip != chip.address)
					return;
				replied = true;
				chip.chip_id = std::uint16_t(r->value >> 16);
				chip.core_byte = std::uint8_t(r->value >> 8);
				chip.answered = chip.chip_id == fam.chip_id;
			},
			[&] { return replied; });
	}

	// The chain is cut after the last chip that answered when no chip beyond it did.
	unsigned last_answer = 0;
	for (const auto &chip : chips_)
		if (chip.answered)
			last_answer = chip.position + 1;
	if (last_answer < config_.expected_chips)
		result.break_after = last_answer;
	for (unsigned pos = 0; pos < last_answer; ++pos)
		if (!chips_[pos].answered)
			result.silent_positions.push_back(pos);
	result.chips = chips_;
	stats_.assign(chips_.size(), ChipStats{});
	chain_stats_ = ChainStats{};
	state_ = ChainState::enumerated;
	return result;
}

} // namespace hashboard
