// SPDX-License-Identifier: MIT
// PLL ramps, ticket mask, baud switch and raw register access.
#include <hashboard/chain.hpp>
#include <hashboard/error.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hashboard {

namespace {

void check_range(const ChipFamily &family, double mhz)
{
	if (!pll_for_frequency(family, mhz))
		throw std::invalid_argument("frequency " + std::to_string(mhz) +
		                            " MHz is outside " + std::string(family.name) +
		                            "'s PLL range (" +
		                            std::to_string(family.pll.freq_min_mhz) + ".." +
		                            std::to_string(family.pll.freq_max_mhz) + ")");
}

} // namespace

void Chain::write_pll(std::optional<std::uint8_t> address, double mhz)
{
	const ChipFamily &fam = family();
	const auto pll = pll_for_frequency(fam, mhz, recipe_->pll_solver);
	if (!pll)
		check_range(fam, mhz);
	const std::uint32_t word = pll_register_value(fam, *pll);
	if (fam.regs.pll0_divider) {
		// BM1397: PLL0's divider register first, each write twice 10 ms apart, as
		// ESP-Miner and gekko do (no capture; docs/protocol.md).
		for (int i = 0; i < 2; ++i) {
			clock_.sleep_for(std::chrono::milliseconds(10));
			send(bm13xx::encode_write_register(!address, address.value_or(0),
			                                   *fam.regs.pll0_divider, 0x0F0F0F00));
		}
		for (int i = 0; i < 2; ++i) {
			clock_.sleep_for(std::chrono::milliseconds(10));
			send(bm13xx::encode_write_register(!address, address.value_or(0),
			                                   fam.regs.pll0, word));
		}
		return;
	}
	send(bm13xx::encode_write_register(!address, address.value_or(0), fam.regs.pll0, word));
}

void Chain::ramp_frequency(double mhz, const std::function<void(double)> &progress)
{
	require(Operation::ramp_frequency);
	check_range(family(), mhz);
	ramp_chip_frequencies(std::vector<double>(chips_.size(), mhz), progress);
}

void Chain::ramp_chip_frequencies(const std::vector<double> &mhz,
                                  const std::function<void(double)> &progress)
{
	require(Operation::ramp_chip_frequencies);
	ramp(mhz, progress);
	// The hash counting number follows the frequency: at the old value a faster chip
	// would leave part of each slice unsearched, a slower one overrun into the next.
	if (!hcn_written_ || !config_.hash_counting)
		write_hash_counting();
}

void Chain::ramp(const std::vector<double> &mhz, const std::function<void(double)> &progress)
{
	if (mhz.size() != chips_.size())
		throw std::invalid_argument("need one frequency per chip position (" +
		                            std::to_string(chips_.size()) + "), got " +
		                            std::to_string(mhz.size()));
	for (double f : mhz)
		check_range(family(), f);
	if (config_.ramp_step_mhz <= 0)
		throw std::invalid_argument("ramp step must be positive");
	if (chip_freq_.size() != chips_.size())
		chip_freq_.assign(chips_.size(), family().default_freq_mhz);
	const bool uniform =
	    std::all_of(mhz.begin(), mhz.end(),
	                [&](double f) { return std::fabs(f - mhz.front()) < 1e-9; }) &&
	    std::all_of(chip_freq_.begin(), chip_freq_.end(),
	                [&](double f) { return std::fabs(f - chip_freq_.front()) < 1e-9; });
	// Real hosts start the ramp at a fixed first word (Bitaxe capture: 62.5 MHz, S21 Pro:
	// 56.25 MHz) and climb from there.
	const double start = recipe_->ramp_start_mhz;
	// Small steps keep the core supply from sagging (up) or overshooting (down). All
	// chips move together, one step per interval, each toward its own target.
	for (;;) {
		bool moved = false;
		for (std::size_t i = 0; i < chips_.size(); ++i) {
			const double f = chip_freq_[i], target = mhz[i];
			if (std::fabs(target - f) <= 1e-6)
				continue;
			if (target > f)
				chip_freq_[i] = f < start - 1e-6 && target >= start
				                    ? start
				                    : std::min(target, f + config_.ramp_step_mhz);
			else
				chip_freq_[i] = std::max(target, f - config_.ramp_step_mhz);
			moved = true;
			if (!uniform && chips_[i].answered)
				write_pll(chips_[i].address, chip_freq_[i]);
		}
		if (!moved)
			break;
		// One broadcast serves every chip when they all share a frequency.
		if (uniform)
			write_pll(std::nullopt, chip_freq_.front());
		freq_mhz_ = *std::max_element(chip_freq_.begin(), chip_freq_.end());
		// A step lasts its interval, or as long as its writes take on the wire.
		clock_.sleep_for(config_.ramp_interval);
		drain_tx();
		if (progress)
			progress(freq_mhz_);
	}
	// Chips emit junk while their PLLs move; none of it is a reply to anything.
	transport_.flush_input();
	parser_.reset();
}

void Chain::set_ticket_difficulty_log2(unsigned k)
{
	require(Operation::set_ticket_difficulty_log2);
	if (k > 31)
		throw std::invalid_argument("ticket difficulty must be 2^0..2^31");
	const auto ticket = ticket_write(family(), config_.zero_bits, k);
	if (!ticket)
		throw std::invalid_argument(fmt::format(
		    "{}'s ticket register cannot say difficulty 2^{} at {} zero bits (it takes "
		    "{} leading zero bits bit by bit, whole bytes above)",
		    family().name, k, config_.zero_bits, family().ticket.fine_bits));
	const std::uint32_t mask = ticket->mask;
	if (k < ticket_log2_)
		ticket_log2_ = k;
	write_reg(std::nullopt, family().regs.ticket_mask, mask);
	const auto back = read_reg(std::nullopt, family().regs.ticket_mask);
	std::vector<unsigned> bad;
	for (const auto &chip : chips_) {
		if (!chip.answered)
			continue;
		const auto it = back.find(chip.address);
		if (it == back.end() || it->second != mask)
			bad.push_back(chip.position);
	}
	if (!bad.empty())
		throw OperationalError(fmt::format("ticket mask read-back failed on chip(s) {}",
		                                   fmt::join(bad, ", ")));
	ticket_log2_ = k;
}

double Chain::nominal_hashes_per_second() const
{
	double hashes_per_s = 0;
	for (const auto &chip : chips_)
		if (chip.answered)
			hashes_per_s += family().hashes_per_second(
			    chip_freq_.empty() ? freq_mhz_ : chip_freq_[chip.position]);
	return hashes_per_s;
}

unsigned Chain::ticket_log2_for_wire(double baud, double utilisation) const
{
	require(Operation::ticket_log2_for_wire);
	return hashboard::ticket_log2_for_wire(family(), nominal_hashes_per_second(), baud,
	                                       utilisation);
}

void Chain::set_baud(std::uint32_t baud)
{
	require(Operation::set_baud);
	switch_baud(baud);
}

void Chain::switch_baud(std::uint32_t baud)
{
	const ChipFamily &fam = family();
	const auto w =
	    baud_write(fam, baud, config_.baud_base ? config_.baud_base : recipe_->baud_base);
	if (!w)
		throw std::invalid_argument(std::string(fam.name) + " cannot run its UART at " +
		                            std::to_string(baud) + " Bd (max " +
		                            std::to_string(fam.baud.max_baud) + ")");
	send(bm13xx::encode_write_register(true, 0, w->reg, w->value));
	// Let everything queued leave the host UART at the old rate before switching (a
	// per-chip ramp step on 160 chips is 150 ms of wire at 115200 Bd), then the
	// driver's and a pty peer's latency: 60 ms, as the S21 Pro's host waits (capture;
	// ESP-Miner switches at once). A peer that reads the baud off a pty (hbsim) must
	// have read the frame before the host's rate changes under it.
	drain_tx();
	clock_.sleep_for(std::chrono::milliseconds(60));
	// The host takes the chips' exact rate (1,041,667 Bd where ESP-Miner sets its UART
	// to 1,000,000: 4 % apart, inside a UART's margin but with none left).
	transport_.set_baud(std::uint32_t(std::lround(w->actual_baud)));
	clock_.sleep_for(std::chrono::milliseconds(20));
	transport_.flush_input();
	parser_.reset();
}

void Chain::set_version_mask(std::uint32_t mask)
{
	require(Operation::set_version_mask);
	// Off: kept for the next enumerate, whose version rolling write carries it.
	if (mask == version_mask_)
		return;
	version_mask_ = mask;
	if (state_ != ChainState::off)
		write_version_rolling(1);
}

Duration Chain::job_interval() const
{
	require(Operation::job_interval);
	const ChipFamily &fam = family();
	if (fam.job_format == JobFormat::header && hcn_ > 0)
		return hash_counting_epoch(fam, hcn_);
	// BM1397 (no 0x10): a chip sweeps its share of the nonce space (the 2^32 nonces
	// split over the chain's address slots) once per midstate.
	const double share = 4294967296.0 * config_.address_step / 256.0;
	const double seconds = share * fam.max_midstates /
	                       fam.hashes_per_second(std::max(freq_mhz_, fam.default_freq_mhz));
	return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

std::map<std::uint8_t, std::uint32_t> Chain::read_register(std::optional<std::uint8_t> address,
                                                           std::uint8_t reg)
{
	require(Operation::read_register);
	return read_reg(address, reg);
}

std::map<std::uint8_t, std::uint32_t> Chain::read_reg(std::optional<std::uint8_t> address,
                                                      std::uint8_t reg)
{
	std::map<std::uint8_t, std::uint32_t> values;
	send(bm13xx::encode_read_register(!address, address.value_or(0), reg));
	// Every answering chip (or the one addressed) replies once; stop when all have.
	std::size_t expected = 0;
	for (const auto &chip : chips_)
		if (chip.answered && (!address || chip.address == *address))
			++expected;
	// The replies queue behind each other on the wire (160 chips take 150 ms at
	// 115200 Bd): their wire time comes on top of the timeout.
	collect(
	    config_.reply_timeout +
	        wire_time(std::max<std::size_t>(expected, 1) * family().reply_len),
	    [&](const bm13xx::ChipFrame &f) {
		    if (const auto *r = std::get_if<bm13xx::RegisterReply>(&f)) {
			    if (r->reg == reg && (!address || r->chip == *address))
				    values[r->chip] = r->value;
			    else
				    ++chain_stats_.unexpected_register_replies;
		    } else if (const auto *n = std::get_if<bm13xx::NonceReply>(&f)) {
			    // Nonces that arrive meanwhile are work done: checked and counted,
			    // and the valid ones (possible shares) held for the next poll.
			    handle_nonce(*n, [this](const NonceEvent &ev) {
				    if (ev.verdict != NonceVerdict::valid)
					    return;
				    if (jobs_.held.size() < kMaxHeldNonces)
					    jobs_.held.push_back(ev);
				    else
					    ++chain_stats_.held_dropped;
			    });
		    }
	    },
	    [&] { return expected > 0 && values.size() >= expected; });
	return values;
}

std::vector<ChipCounters> Chain::read_chip_counters()
{
	require(Operation::read_chip_counters);
	const RegisterMap &regs = family().regs;
	std::map<std::uint8_t, std::uint32_t> hashes;
	if (regs.hash_counter_total)
		hashes = read_reg(std::nullopt, *regs.hash_counter_total);
	const auto errors = read_reg(std::nullopt, regs.nonce_error_counter);
	std::vector<ChipCounters> out;
	for (const auto &chip : chips_) {
		if (!chip.answered)
			continue;
		ChipCounters c;
		c.position = chip.position;
		if (const auto it = hashes.find(chip.address); it != hashes.end())
			c.nominal_hashes = std::ldexp(double(it->second), 32);
		if (const auto it = errors.find(chip.address); it != errors.end())
			c.nonce_errors = it->second;
		out.push_back(c);
	}
	return out;
}

void Chain::write_register(std::optional<std::uint8_t> address, std::uint8_t reg,
                           std::uint32_t value)
{
	require(Operation::write_register);
	write_reg(address, reg, value);
}

void Chain::write_reg(std::optional<std::uint8_t> address, std::uint8_t reg, std::uint32_t value)
{
	send(bm13xx::encode_write_register(!address, address.value_or(0), reg, value));
}

void Chain::ramp_down_and_reset()
{
	require(Operation::ramp_down_and_reset);
	if (state_ == ChainState::off)
		return;
	const double floor = family().default_freq_mhz;
	if (freq_mhz_ > floor)
		ramp_frequency(floor);
	jobs_.clear();
	if (transport_.has_reset())
		transport_.set_reset(true);
	state_ = ChainState::off;
}

void Chain::power_lost()
{
	require(Operation::power_lost);
	// The chips forgot their addresses and jobs with their power: so does the chain.
	jobs_.clear();
	state_ = ChainState::off;
}

} // namespace hashboard
