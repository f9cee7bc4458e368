// SPDX-License-Identifier: MIT
#include "sim_chip.hpp"

#include <bit>
#include <cmath>

namespace hbsim::detail {

using hashboard::ChipFamily;
using hashboard::JobFormat;

namespace {

constexpr std::uint32_t kRollingEnable = 1u << 31;
constexpr std::uint32_t kRollingBitsMask = 0xFFFF;
// The UART clock after reset (the crystal); the fast-UART clock comes later.
constexpr double kResetUartClockHz = 25e6;

std::uint32_t reset_misc_control(const ChipFamily &f)
{
	// The divisor field that gives the reset baud: baud = clock / (8 * (div + 1)).
	const long div = std::lround(kResetUartClockHz / (8.0 * f.reset_baud)) - 1;
	return f.baud.misc_control_base | std::uint32_t(div) << f.baud.divisor_shift;
}

} // namespace

std::uint8_t core_count_byte(const ChipFamily &family)
{
	return family.chip_id == 0x1397 ? 0x18 : 0x00;
}

SimChip::SimChip(const ChipSetup &s)
    : family_(*s.family), position_(s.position), zero_bits_(s.zero_bits), physics_(*s.physics),
      voltage_mv_(s.voltage_mv), temperature_c_(s.temperature_c), search_(*s.family),
      wrong_rng_(s.seed, RngPurpose::wrong_nonces, s.position)
{
	power_on(Duration{0});
}

void SimChip::power_on(Duration t)
{
	regs_.fill(0);
	hashes_at_power_on_ = hashes_;
	wrong_at_power_on_ = wrong_;
	address_ = 0;
	addressed_ = false;
	inactive_ = false;
	baud_ = family_.reset_baud;
	regs_[family_.regs.misc_control] = reset_misc_control(family_);
	ticket_log2_ = 0;
	rolling_on_ = false;
	rolling_bits_ = 0;
	search_.stop();
	search_.set_address(0);
	const auto pll = hashboard::pll_for_frequency(family_, family_.default_freq_mhz);
	freq_mhz_ = 0;
	if (pll) {
		regs_[family_.regs.pll0] = hashboard::pll_register_value(family_, *pll);
		freq_mhz_ = pll->freq_mhz(family_.pll.ref_mhz);
	}
	repace(t);
}

std::uint32_t SimChip::read_register(std::uint8_t reg) const
{
	if (reg == family_.regs.chip_id)
		return std::uint32_t(family_.chip_id) << 16 |
		       std::uint32_t(core_count_byte(family_)) << 8 | address_;
	if (family_.regs.hash_counter_total && reg == *family_.regs.hash_counter_total)
		// One count is 2^32 nominal hashes; each hash computed stands for 2^(32-zero_bits).
		return std::uint32_t((hashes_ - hashes_at_power_on_) >> zero_bits_);
	if (reg == family_.regs.nonce_error_counter)
		// The model's chip knows which of its nonces it corrupted: real chips count
		// their internal nonce check failures here.
		return std::uint32_t(wrong_ - wrong_at_power_on_);
	return regs_[reg];
}

void SimChip::write_register(Duration t, std::uint8_t reg, std::uint32_t value)
{
	if (reg == family_.regs.chip_id)
		return; // read-only: the address changes only through set-address
	regs_[reg] = value;
	const auto &r = family_.regs;
	if (reg == r.pll0)
		set_pll(t, value);
	else if (reg == r.ticket_mask)
		set_ticket_mask(value);
	else if (reg == r.misc_control) {
		// The fast-UART register only selects the clock the divisor divides; the baud
		// moves when the divisor is written, which is the order open firmware uses
		// (a chip that switched on the first write would miss the second).
		const bool fast = family_.baud.fast_uart_value != 0 &&
		                  regs_[r.fast_uart] == family_.baud.fast_uart_value;
		baud_ = hashboard::baud_from_registers(family_, value, fast);
	} else if (r.version_rolling && reg == *r.version_rolling)
		set_version_rolling(value);
}

void SimChip::set_pll(Duration t, std::uint32_t value)
{
	const auto pll = hashboard::pll_from_register(family_, value);
	const double freq = pll ? pll->freq_mhz(family_.pll.ref_mhz) : 0.0;
	if (freq == freq_mhz_)
		return;
	// Work done at the old frequency is settled (the chain hashed up to t) before the
	// new rate applies.
	freq_mhz_ = freq;
	repace(t);
}

void SimChip::set_ticket_mask(std::uint32_t value)
{
	const auto k = hashboard::bm13xx::ticket_mask_difficulty_log2(value);
	// Not a 2^k - 1 mask: the chip still checks every bit the mask selects.
	ticket_log2_ = k ? *k : unsigned(std::popcount(value));
}

void SimChip::set_version_rolling(std::uint32_t value)
{
	// Applies to the next job: the current one keeps the versions it was started with.
	rolling_on_ = value & kRollingEnable;
	rolling_bits_ = rolling_on_ ? std::uint16_t(value & kRollingBitsMask) : 0;
}

void SimChip::chain_inactive()
{
	// Takes this chip back to "no address yet" so the addresses that follow land in
	// chain order, even when the host enumerates again without a reset.
	inactive_ = true;
	addressed_ = false;
}

bool SimChip::offer_address(std::uint8_t address)
{
	if (inactive_ && addressed_)
		return false; // already numbered: relays the frame on
	address_ = address;
	addressed_ = true;
	search_.set_address(address);
	// Before chain inactive every chip takes the address and relays it on.
	return inactive_;
}

bool SimChip::start_job(Duration t, const hashboard::bm13xx::MidstateJob &job)
{
	if (family_.job_format != JobFormat::midstates)
		return false;
	search_.start(job);
	repace(t);
	return true;
}

bool SimChip::start_job(Duration t, const hashboard::bm13xx::HeaderJob &job)
{
	if (family_.job_format != JobFormat::header)
		return false;
	search_.start(job, rolling_bits_);
	repace(t);
	return true;
}

void SimChip::repace(Duration t)
{
	// Real chips search 2^32 nonces for one nonce of 32 zero bits; this chip needs
	// 2^zero_bits, so it computes that fraction of the nominal hashes and its nonces
	// still come at the real chip's rate.
	const double nominal = freq_mhz_ > 0 ? family_.hashes_per_second(freq_mhz_) : 0.0;
	pace_.set(t, std::ldexp(nominal, int(zero_bits_) - 32));
	paced_ = 0;
	wrong_probability_ =
	    physics_.wrong_nonce_probability({position_, freq_mhz_, voltage_mv_, temperature_c_});
}

std::uint32_t SimChip::corrupt(std::uint32_t nonce, unsigned zeros)
{
	// One flipped free bit keeps the nonce attributable (address and core intact) but
	// breaks its hash; the rare flip that still meets the target is passed over.
	const std::uint32_t free = search_.free_mask();
	const unsigned n = unsigned(std::popcount(free));
	if (n == 0)
		return nonce;
	const unsigned first = unsigned(wrong_rng_.below(n));
	for (unsigned k = 0; k < n; ++k) {
		std::uint32_t bits = free;
		for (unsigned skip = (first + k) % n; skip > 0; --skip)
			bits &= bits - 1;
		const std::uint32_t flipped = nonce ^ (bits & -bits);
		if (search_.zeros_here(flipped) < int(zeros))
			return flipped;
	}
	return nonce;
}

void SimChip::hash_until(Duration t, std::vector<FoundNonce> &out)
{
	if (!search_.searching() || !pace_.running())
		return;
	const std::uint64_t due = pace_.due(t) - paced_;
	if (due == 0)
		return;
	const unsigned zeros = zero_bits_ + ticket_log2_;
	const std::size_t len = reply_len();
	const std::uint64_t base = paced_;
	const auto on_hit = [&](const NonceSearch::Hit &hit) {
		++found_;
		std::uint32_t nonce = hit.nonce;
		if (wrong_rng_.chance(wrong_probability_)) {
			nonce = corrupt(nonce, zeros);
			++wrong_;
		}
		const std::uint8_t sub =
		    family_.job_format == JobFormat::midstates
		        ? std::uint8_t(hit.midstate)
		        : std::uint8_t(hashboard::nonce_identity(family_, hit.nonce).small_core);
		hashboard::bm13xx::NonceReply reply;
		reply.nonce = nonce;
		reply.excess_difficulty = sub;
		reply.job_byte =
		    std::uint8_t((search_.job_id() & ~family_.reply_subid_mask & 0x7F) |
		                 (sub & family_.reply_subid_mask));
		if (len == 11)
			reply.version_bits = hit.version_bits;
		out.push_back({pace_.when(base + hit.offset), position_, reply, len});
	};
	hashes_ += search_.run(due, zeros, on_hit);
	paced_ += due;
}

ChipView SimChip::view() const
{
	return ChipView{
	    .position = position_,
	    .address = address_,
	    .addressed = addressed_,
	    .freq_mhz = freq_mhz_,
	    .baud = baud_,
	    .ticket_mask = regs_[family_.regs.ticket_mask],
	    .version_rolling = rolling_on_,
	    .hashes = hashes_,
	    .nonces_found = found_,
	    .nonces_wrong = wrong_,
	    .frames_dropped = frames_dropped_,
	};
}

} // namespace hbsim::detail
