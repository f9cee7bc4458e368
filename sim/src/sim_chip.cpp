// SPDX-License-Identifier: MIT
#include "sim_chip.hpp"

#include <bit>
#include <cmath>

namespace hbsim::detail {
namespace {

// 0xA4: bit 31 enables version rolling (and 11-byte replies), [15:0] = mask >> 13.
constexpr std::uint32_t kRollingEnable = 1u << 31;
constexpr std::uint32_t kRollingMask = 0xFFFF;
// 0x18 on BM1366+: bits 28..31 enable nonce reports, bit 28 + q for cores 32q..32q+31
// (BM1370 per mujina; BM1366/68 assumed alike).
constexpr unsigned kReportEnableShift = 28;
constexpr unsigned kCoresPerReportBit = 32;

// The reply lengths are the codec's (frame format, not a chip-side reading).
using hashboard::bm13xx::kReplyLen;
using hashboard::bm13xx::kRollingReplyLen;

} // namespace

SimChip::SimChip(const ChipSetup &s)
    : model_(*s.model), position_(s.position), zero_bits_(s.zero_bits), physics_(*s.physics),
      voltage_mv_(s.voltage_mv), temperature_c_(s.temperature_c),
      wrong_rng_(s.seed, RngPurpose::wrong_nonces, s.position), dead_cores_(s.dead_cores)
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
	const PowerOnRegisters &reset = model_.reset;
	regs_[reg::pll0] = reset.pll0;
	regs_[reg::misc_control] = reset.misc_control;
	if (model_.midstate_jobs())
		regs_[reg::pll0_divider] = reset.pll0_divider;
	else {
		regs_[reg::uart_baud] = reset.uart_baud;
		regs_[reg::version_rolling] = reset.version_rolling;
	}
	baud_ = uart_baud(model_, regs_[reg::misc_control], regs_[reg::uart_baud]);
	ticket_log2_ = 0;
	job_rolling_mask_ = 0;
	search_.stop();
	update_place();
	freq_mhz_ = pll_output_mhz(model_, regs_[reg::pll0], regs_[reg::pll0_divider]);
	repace(t);
}

std::size_t SimChip::reply_len() const
{
	return model_.has_long_replies() && (regs_[reg::version_rolling] & kRollingEnable)
	           ? kRollingReplyLen
	           : kReplyLen;
}

std::uint16_t SimChip::rolling_mask() const
{
	const std::uint32_t v = regs_[reg::version_rolling];
	return model_.header_jobs() && (v & kRollingEnable) ? std::uint16_t(v & kRollingMask) : 0;
}

std::uint32_t SimChip::read_register(std::uint8_t r) const
{
	if (r == reg::chip_id)
		return std::uint32_t(model_.chip_id) << 16 | std::uint32_t(model_.core_byte) << 8 |
		       address_;
	if (model_.header_jobs() && r == reg::hash_counter_total)
		// One count is 2^32 hashes; each hash computed stands for 2^(32-zero_bits).
		return std::uint32_t((hashes_ - hashes_at_power_on_) >> zero_bits_);
	if (r == reg::nonce_error_counter)
		// The model's chip knows which of its nonces it corrupted: real chips count
		// their internal nonce check failures here.
		return std::uint32_t(wrong_ - wrong_at_power_on_);
	return regs_[r];
}

void SimChip::write_register(Duration t, std::uint8_t r, std::uint32_t value)
{
	if (r == reg::chip_id)
		return; // read-only: the address changes only through set-address
	regs_[r] = value;
	switch (r) {
	case reg::pll0:
	case reg::pll0_divider:
		update_clock(t);
		break;
	case reg::hash_counting:
		repace(t);
		break;
	case reg::ticket_mask: {
		const auto k = hashboard::bm13xx::ticket_mask_difficulty_log2(value);
		// Not a 2^k - 1 mask: the chip still checks every bit the mask selects.
		ticket_log2_ = k ? *k : unsigned(std::popcount(value));
		break;
	}
	case reg::misc_control:
	case reg::uart_baud:
		// The chip switches when the frame is in; the host follows after it.
		baud_ = uart_baud(model_, regs_[reg::misc_control], regs_[reg::uart_baud]);
		break;
	case reg::chip_nonce_offset:
		if (model_.has_chip_nonce_offset())
			update_place();
		break;
	default:
		// 0xA4 applies with the next job (the current one keeps its versions); the
		// reply length follows the register at once (reply_len()).
		break;
	}
}

void SimChip::update_clock(Duration t)
{
	const double freq = pll_output_mhz(model_, regs_[reg::pll0], regs_[reg::pll0_divider]);
	if (freq == freq_mhz_)
		return;
	// Work done at the old frequency is settled (the chain hashed up to t) before the
	// new rate applies.
	freq_mhz_ = freq;
	repace(t);
}

void SimChip::update_place()
{
	search_.set_space(nonce_space(
	    model_, ChipPlace{address_, regs_[reg::chip_nonce_offset], job_rolling_mask_}));
}

bool SimChip::hashing() const
{
	// BM1366+: hash counting number 0 (its reset value) halts hashing (mujina).
	return freq_mhz_ > 0 && (!model_.needs_hash_counting() || regs_[reg::hash_counting] != 0);
}

bool SimChip::reports(unsigned core) const
{
	if (!model_.has_report_enables())
		return true;
	const unsigned bit = kReportEnableShift + core / kCoresPerReportBit;
	return bit < 32 && (regs_[reg::misc_control] >> bit & 1u);
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
	update_place();
	// Before chain inactive every chip takes the address and relays it on.
	return inactive_;
}

bool SimChip::start_job(Duration t, const hashboard::bm13xx::MidstateJob &job)
{
	if (!model_.midstate_jobs())
		return false;
	job_rolling_mask_ = 0;
	update_place();
	search_.start(job);
	repace(t);
	return true;
}

bool SimChip::start_job(Duration t, const hashboard::bm13xx::HeaderJob &job)
{
	if (!model_.header_jobs())
		return false;
	job_rolling_mask_ = rolling_mask();
	update_place();
	search_.start(job, job_rolling_mask_);
	repace(t);
	return true;
}

void SimChip::set_conditions(double voltage_mv, double temperature_c)
{
	if (voltage_mv == voltage_mv_ && temperature_c == temperature_c_)
		return;
	voltage_mv_ = voltage_mv;
	temperature_c_ = temperature_c;
	wrong_probability_ = physics_.wrong_nonce_probability(conditions());
}

void SimChip::repace(Duration t)
{
	// Real chips search 2^32 nonces for one nonce of 32 zero bits; this chip needs
	// 2^zero_bits, so it computes that fraction of the nominal hashes and its nonces
	// still come at the real chip's rate.
	const double nominal = hashing() ? model_.hashes_per_second(freq_mhz_) : 0.0;
	pace_.set(t, std::ldexp(nominal, int(zero_bits_) - 32));
	paced_ = 0;
	wrong_probability_ = physics_.wrong_nonce_probability(conditions());
}

std::uint32_t SimChip::corrupt(std::uint32_t nonce, unsigned zeros, unsigned lane)
{
	// One flipped low counter bit keeps the nonce attributable (core and chip range
	// intact) but breaks its hash; the rare flip that still meets the target is passed
	// over.
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
		if (search_.zeros_here(flipped, lane) < int(zeros))
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
		// Hashes count whether or not the chip may report them (0x8C keeps counting);
		// a quarter of the cores without its report enable keeps its nonces to itself.
		if (!reports(hit.core)) {
			++unreported_;
			return;
		}
		if (hit.core < dead_cores_)
			return;
		++found_;
		std::uint32_t nonce = hit.nonce;
		if (wrong_rng_.chance(wrong_probability_)) {
			nonce = corrupt(nonce, zeros, hit.lane);
			++wrong_;
		}
		hashboard::bm13xx::NonceReply reply;
		reply.nonce = nonce;
		reply.excess_difficulty =
		    excess_difficulty(model_, hit.bits - double(zero_bits_), ticket_log2_);
		reply.job_byte = result_header(model_, search_.job_id(), hit.sub);
		if (len == kRollingReplyLen)
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
	    .ticket_mask = regs_[reg::ticket_mask],
	    .version_rolling =
	        (regs_[reg::version_rolling] & kRollingEnable) != 0 && model_.header_jobs(),
	    .reply_len = reply_len(),
	    .hashing = hashing(),
	    .hashes = hashes_,
	    .nonces_found = found_,
	    .nonces_unreported = unreported_,
	    .nonces_wrong = wrong_,
	    .frames_dropped = frames_dropped_,
	};
}

} // namespace hbsim::detail
