// SPDX-License-Identifier: MIT
// Reset, enumeration with chain-break localisation, and the bring-up recipe executor.
#include <hashboard/chain.hpp>

#include <algorithm>
#include <stdexcept>

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

std::size_t Chain::ramp_step_index() const
{
	const auto &steps = recipe_->steps;
	const auto it = std::find_if(steps.begin(), steps.end(),
	                             [](const RecipeStep &s) { return s.op == StepOp::pll_ramp; });
	return std::size_t(it - steps.begin());
}

ScanResult Chain::enumerate()
{
	require(Operation::enumerate);
	begin_enumeration();
	run_steps(0, ramp_step_index(), nullptr, {});
	locate_break();
	stats_.assign(chips_.size(), ChipStats{});
	chain_stats_ = ChainStats{};
	state_ = ChainState::enumerated;
	return scan_;
}

void Chain::begin_enumeration()
{
	// The chips are reset: nothing the host knew of them holds any more.
	const ChipFamily &fam = family();
	state_ = ChainState::off;
	jobs_.clear();
	reset_line();
	transport_.set_baud(kResetHostBaud);
	transport_.flush_input();
	parser_.reset();
	parser_.set_reply_len(bm13xx::kReplyLen);
	freq_mhz_ = fam.default_freq_mhz;
	ticket_log2_ = 0;
	hcn_ = 0;
	hcn_written_ = false;
	chips_.assign(config_.expected_chips, ChipInfo{});
	for (unsigned pos = 0; pos < config_.expected_chips; ++pos) {
		chips_[pos].position = pos;
		chips_[pos].address = std::uint8_t(pos * config_.address_step);
	}
	chip_freq_.assign(config_.expected_chips, fam.default_freq_mhz);
	// Until 0x0C is written a BM1370 counts from its address << 8 (docs/protocol.md).
	locator_ = ChipLocator(fam, config_.address_step);
	for (const auto &chip : chips_)
		locator_.add_chip(chip.position, chip.address);
	scan_ = ScanResult{};
	scan_.expected = config_.expected_chips;
}

void Chain::locate_break()
{
	// The chain is cut after the last chip that answered when no chip beyond it did.
	unsigned last_answer = 0;
	for (const auto &chip : chips_)
		if (chip.answered)
			last_answer = chip.position + 1;
	if (last_answer < config_.expected_chips)
		scan_.break_after = last_answer;
	for (unsigned pos = 0; pos < last_answer; ++pos)
		if (!chips_[pos].answered)
			scan_.silent_positions.push_back(pos);
	scan_.chips = chips_;
}

std::vector<std::uint32_t> Chain::nonce_ranges() const
{
	std::vector<std::uint32_t> out;
	for (const auto &chip : chips_)
		out.push_back(locator_.range_start(chip.position).value_or(0));
	return out;
}

ScanResult Chain::bring_up(const std::vector<double> &mhz,
                           const std::function<void(double)> &progress)
{
	require(Operation::bring_up);
	if (mhz.size() != config_.expected_chips)
		throw std::invalid_argument("bring_up: need one frequency per chip position (" +
		                            std::to_string(config_.expected_chips) + "), got " +
		                            std::to_string(mhz.size()));
	const ScanResult scan = enumerate();
	if (scan.found() == 0)
		return scan;
	finish_bring_up(mhz, progress);
	return scan;
}

void Chain::finish_bring_up(const std::vector<double> &mhz,
                            const std::function<void(double)> &progress)
{
	require(Operation::finish_bring_up);
	if (mhz.size() != chips_.size())
		throw std::invalid_argument(
		    "finish_bring_up: need one frequency per chip position (" +
		    std::to_string(chips_.size()) + "), got " + std::to_string(mhz.size()));
	run_steps(ramp_step_index(), recipe_->steps.size(), &mhz, progress);
}

void Chain::run_steps(std::size_t from, std::size_t to, const std::vector<double> *mhz,
                      const std::function<void(double)> &progress)
{
	for (std::size_t i = from; i < to && i < recipe_->steps.size(); ++i)
		run_step(recipe_->steps[i], mhz, progress);
}

void Chain::run_step(const RecipeStep &step, const std::vector<double> *mhz,
                     const std::function<void(double)> &progress)
{
	const ChipFamily &fam = family();
	switch (step.op) {
	case StepOp::write:
		write_broadcast(step);
		break;
	case StepOp::version_rolling:
		write_version_rolling(step.repeat);
		break;
	case StepOp::read_chip_ids:
		count_chips(scan_);
		break;
	case StepOp::chain_inactive:
		send(bm13xx::encode_chain_inactive());
		break;
	case StepOp::set_addresses:
		assign_addresses();
		break;
	case StepOp::probe_chips:
		probe_chips();
		break;
	case StepOp::ticket_mask: {
		// The configured difficulty, or the highest below it the family's register can
		// say (HBFP: none above difficulty 1 on real chips).
		const TicketWrite t =
		    ticket_write_at_most(fam, config_.zero_bits, config_.ticket_log2);
		write_reg(std::nullopt, fam.regs.ticket_mask, t.mask);
		ticket_log2_ = t.ticket_log2;
		break;
	}
	case StepOp::chip_pass:
		write_chip_pass(step);
		return; // its wait is per chip
	case StepOp::domain_config:
		write_domain_config(step);
		break;
	case StepOp::baud:
		if (config_.baud && config_.baud != transport_.baud())
			switch_baud(config_.baud);
		break;
	case StepOp::pll_ramp:
		if (mhz)
			ramp(*mhz, progress);
		break;
	case StepOp::hash_counting:
		write_hash_counting();
		break;
	case StepOp::nonce_offsets:
		write_nonce_offsets();
		break;
	case StepOp::wait:
		break;
	}
	clock_.sleep_for(step.wait);
}

void Chain::write_broadcast(const RecipeStep &step)
{
	for (unsigned r = 0; r < step.repeat; ++r) {
		send(bm13xx::encode_write_register(true, 0, step.reg, step.value));
		clock_.sleep_for(recipe_->pace);
	}
}

void Chain::write_chip_pass(const RecipeStep &step)
{
	// Each answering chip gets the step's writes, then the step's wait, before the next.
	for (const auto &chip : chips_) {
		if (!chip.answered)
			continue;
		for (const auto &w : step.chip_writes) {
			write_reg(chip.address, w.reg, w.value);
			clock_.sleep_for(recipe_->pace);
		}
		clock_.sleep_for(step.wait);
	}
}

void Chain::write_version_rolling(unsigned repeat)
{
	const ChipFamily &fam = family();
	if (!fam.regs.version_rolling)
		return;
	// Written several times before enumeration: a lost write leaves a chip in 9-byte
	// replies (mujina), and every later reply must have one length.
	const std::uint32_t v = version_rolling_value(fam, version_mask_);
	for (unsigned r = 0; r < repeat; ++r)
		send(bm13xx::encode_write_register(true, 0, *fam.regs.version_rolling, v));
	parser_.set_reply_len(fam.reply_len);
}

void Chain::count_chips(ScanResult &result)
{
	const ChipFamily &fam = family();
	send(bm13xx::encode_read_register(true, 0, fam.regs.chip_id));
	// A chain with more chips than expected answers more: wait the whole timeout unless
	// the count is exceeded, so extra chips are seen too. The replies queue behind each
	// other on the wire (160 chips take 150 ms at 115200 Bd), so that time comes on top:
	// a reply left on the way would be taken for chip 0's answer to its probe.
	collect(
	    config_.reply_timeout +
	        wire_time(std::size_t(config_.expected_chips) * parser_.reply_len()),
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
}

void Chain::assign_addresses()
{
	// Addresses go out for every expected chip even when fewer answered: a chip that
	// relays but never answers (a mute RX path) still takes its address, so probing
	// each address afterwards tells a mute chip from a cut chain. Factory firmware
	// sends every slot of the interval (128 commands at interval 2, whatever the chain
	// length, S21 Pro capture).
	const unsigned commands =
	    recipe_->address_every_slot ? 256 / config_.address_step : config_.expected_chips;
	std::size_t sent = 0;
	for (unsigned i = 0; i < commands; ++i) {
		const Bytes set_address =
		    bm13xx::encode_set_address(std::uint8_t(i * config_.address_step));
		send(set_address);
		sent += set_address.size();
		clock_.sleep_for(recipe_->pace);
	}
	// The host hands the frames to its UART at once, but the chips get them at the line's
	// pace (160 addresses take 100 ms at 115200 Bd): the first probe's reply timeout must
	// not run while they are still on the wire.
	clock_.sleep_for(wire_time(sent));
	transport_.flush_input();
}

void Chain::probe_chips()
{
	const ChipFamily &fam = family();
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
}

void Chain::write_domain_config(const RecipeStep &step)
{
	const unsigned per = config_.chips_per_domain;
	if (per == 0 || per >= chips_.size())
		return;
	const unsigned domains = unsigned((chips_.size() + per - 1) / per);
	// IO driver strength at each domain's last chip (step.value), then the UART relay
	// at both ends of each domain (S21 Pro capture; order inside the step unpublished).
	for (unsigned d = 0; d < domains; ++d) {
		const unsigned last =
		    std::min<unsigned>(unsigned(chips_.size()), (d + 1) * per) - 1;
		write_reg(chips_[last].address, 0x58, step.value);
		clock_.sleep_for(recipe_->pace);
	}
	for (const auto &w : step.chip_writes) {
		write_reg(std::nullopt, w.reg, w.value);
		clock_.sleep_for(recipe_->pace);
	}
	for (unsigned d = 0; d < domains; ++d) {
		const unsigned first = d * per;
		const unsigned last =
		    std::min<unsigned>(unsigned(chips_.size()), (d + 1) * per) - 1;
		const std::uint32_t relay = uart_relay_value(d, domains, per);
		write_reg(chips_[first].address, 0x2C, relay);
		clock_.sleep_for(recipe_->pace);
		write_reg(chips_[last].address, 0x2C, relay);
		clock_.sleep_for(recipe_->pace);
	}
}

void Chain::write_nonce_offsets()
{
	const ChipFamily &fam = family();
	if (!fam.regs.chip_nonce_offset || chips_.size() < 2)
		return;
	// Each chip counts from its own 1/n of the 16-bit counter space: without it the
	// chips of a long chain would overlap (S21 Pro capture: 0x80000000 .. 0x8000FC10).
	for (auto &chip : chips_) {
		const std::uint32_t v =
		    chip_nonce_offset_value(chip.position, unsigned(chips_.size()));
		locator_.set_nonce_offset(chip.address, v);
		if (!chip.answered)
			continue;
		write_reg(chip.address, *fam.regs.chip_nonce_offset, v);
		clock_.sleep_for(recipe_->pace);
	}
}

void Chain::write_hash_counting()
{
	const ChipFamily &fam = family();
	if (!fam.writes_hash_counting)
		return;
	hcn_ = config_.hash_counting.value_or(
	    hashboard::hash_counting_number(fam, config_.expected_chips, freq_mhz_));
	write_reg(std::nullopt, fam.regs.hash_counting, hcn_);
	hcn_written_ = true;
}

} // namespace hashboard
