// SPDX-License-Identifier: MIT
// Baud divisors, version rolling, hash counting number, nonce offsets and nonce reply
// fields: the family-table rules that are arithmetic rather than data.
#include <hashboard/chip_family.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hashboard {
namespace {

std::uint32_t field_mask(unsigned bits)
{
	return bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
}

std::uint32_t divisor_of(const BaudRecipe &r, std::uint32_t value)
{
	std::uint32_t div = (value >> r.divisor_shift) & field_mask(r.divisor_bits);
	if (r.divisor_high_shift)
		div |= ((value >> r.divisor_high_shift) & 0xFu) << r.divisor_bits;
	return div;
}

unsigned divisor_limit(const BaudRecipe &r)
{
	return field_mask(r.divisor_bits + (r.divisor_high_shift ? 4 : 0));
}

std::uint32_t with_divisor(const BaudRecipe &r, std::uint32_t base, std::uint32_t div)
{
	std::uint32_t v = base & ~(field_mask(r.divisor_bits) << r.divisor_shift);
	v |= (div & field_mask(r.divisor_bits)) << r.divisor_shift;
	if (r.divisor_high_shift) {
		v &= ~(0xFu << r.divisor_high_shift);
		v |= ((div >> r.divisor_bits) & 0xFu) << r.divisor_high_shift;
	}
	return v;
}

std::uint32_t next_pow2(unsigned n)
{
	return std::bit_ceil(std::max(1u, n));
}

} // namespace

double baud_from_register(const ChipFamily &family, std::uint32_t value)
{
	const BaudRecipe &r = family.baud;
	return r.clock_hz / (double(r.clocks_per_step) * (divisor_of(r, value) + 1));
}

std::optional<BaudWrite> baud_write(const ChipFamily &family, std::uint32_t baud,
                                    std::optional<std::uint32_t> base)
{
	const BaudRecipe &r = family.baud;
	if (baud == 0 || baud > r.max_baud)
		return std::nullopt;
	const double step_hz = r.clock_hz / double(r.clocks_per_step);
	const double exact = step_hz / baud - 1.0;
	const auto div = std::uint32_t(std::lround(std::max(0.0, exact)));
	if (div > divisor_limit(r))
		return std::nullopt;
	const double actual = step_hz / (div + 1);
	if (std::fabs(actual - baud) / baud > kBaudTolerance)
		return std::nullopt;
	return BaudWrite{r.reg, with_divisor(r, base.value_or(r.base), div), actual};
}

std::optional<TicketWrite> ticket_write(const ChipFamily &family, unsigned zero_bits, unsigned k)
{
	const TicketRule &t = family.ticket;
	if (t.format == TicketFormat::above_difficulty_one) {
		if (k > 32)
			return std::nullopt;
		return TicketWrite{bm13xx::ticket_mask_for_difficulty_log2(k), k};
	}
	// The mask names the hash's leading zero bits themselves, so the chain's difficulty 1
	// (zero_bits) is part of it; in the same bit order as the BM13xx mask.
	const unsigned n = zero_bits + k;
	if (n > 32 || (n > t.fine_bits && n % 8 != 0))
		return std::nullopt;
	return TicketWrite{bm13xx::ticket_mask_for_difficulty_log2(n), k};
}

TicketWrite ticket_write_at_most(const ChipFamily &family, unsigned zero_bits, unsigned k)
{
	for (unsigned j = k + 1; j-- > 0;)
		if (const auto w = ticket_write(family, zero_bits, j))
			return *w;
	throw std::invalid_argument(std::string(family.name) +
	                            "'s ticket register cannot ask for nonces of " +
	                            std::to_string(zero_bits) + " leading zero bits (zero_bits)");
}

std::uint32_t version_rolling_value(const ChipFamily &family, std::uint32_t version_mask)
{
	return family.version_rolling_base | ((version_mask >> 13) & 0xFFFFu);
}

std::uint32_t hash_counting_number(const ChipFamily &family, unsigned chips, double freq_mhz)
{
	if (!(freq_mhz > 0))
		return 0;
	// ESP-Miner's order of operations: its examples (0x000C2FB7 for one BM1370 at
	// 525 MHz, 0x0001A644 for six BM1366 at 485 MHz) come out exactly so.
	const double slice = 4294967296.0 / next_pow2(family.cores) / next_pow2(chips);
	const double v = slice * (kCrystalHz / 1e6) / freq_mhz * 0.5 - family.hcn_errata_ticks;
	return v <= 0 ? 0u : std::uint32_t(std::min(v, 4294967295.0));
}

Duration hash_counting_epoch(const ChipFamily &family, std::uint32_t hcn)
{
	// Each hash counting period advances every small core by one version slot; 2^16
	// versions shared by a core's small cores (factory figures: S21 Pro 0x1EB5 ->
	// 1.29 s with 16 small cores, S19k Pro 0x115A -> 1.46 s with 8).
	const double s =
	    double(hcn) / kCrystalHz * 65536.0 / double(std::max(1u, family.small_cores_per_core));
	return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

unsigned ticket_log2_for_wire(const ChipFamily &family, double hashes_per_second, double baud,
                              double utilisation)
{
	if (!(baud > 0) || !(utilisation > 0 && utilisation <= 1) || !(hashes_per_second >= 0))
		throw std::invalid_argument("ticket_log2_for_wire: hashes >= 0, baud > 0, "
		                            "0 < utilisation <= 1");
	const double bits_per_s =
	    hashes_per_second / 4294967296.0 * double(family.reply_len) * kBitsPerByte;
	unsigned k = 0;
	while (k < 31 && bits_per_s / std::ldexp(1.0, int(k)) > baud * utilisation)
		++k;
	return k;
}

unsigned ticket_log2_for_rate(double hashes_per_second, double nonces_per_second)
{
	if (!(hashes_per_second >= 0) || !(nonces_per_second > 0) ||
	    !std::isfinite(hashes_per_second) || !std::isfinite(nonces_per_second))
		throw std::invalid_argument("ticket_log2_for_rate: hashes >= 0, 0 < nonces < inf");
	const double per_nonce = hashes_per_second / nonces_per_second / 4294967296.0;
	unsigned k = 0;
	while (k < 31 && std::ldexp(1.0, int(k)) < per_nonce)
		++k;
	return k;
}

unsigned ticket_log2_for_share(double share_difficulty, unsigned zero_bits)
{
	if (!(share_difficulty > 0) || !std::isfinite(share_difficulty) || zero_bits > 32)
		throw std::invalid_argument("ticket_log2_for_share: 0 < difficulty < inf, "
		                            "zero bits 0..32");
	// The share target is 0xFFFF * 2^208 / difficulty, a hair below 2^224 / difficulty,
	// so a whole log2 passes exactly (difficulty 2 on real chips: ticket 2^1).
	const double k = std::floor(32.0 - double(zero_bits) + std::log2(share_difficulty) + 1e-9);
	return unsigned(std::clamp(k, 0.0, 31.0));
}

std::uint32_t chip_nonce_offset_value(unsigned index, unsigned chips)
{
	if (chips == 0 || index >= chips)
		return 0;
	// S21 Pro: 0x80000000, 0x800003F1, 0x800007E1 ... 0x8000FC10 for 65 chips.
	const std::uint32_t start = std::uint32_t(65536ull * index / chips) + (index > 0 ? 1u : 0u);
	return 0x80000000u | (start & 0xFFFFu);
}

ReplyFields decode_nonce_reply(const ChipFamily &family, const bm13xx::NonceReply &reply)
{
	const ReplyJobByte &rj = family.reply_job;
	const NonceLayout &l = family.nonce;
	// Field bit numbers refer to the wire bytes read big-endian.
	const std::uint32_t be = __builtin_bswap32(reply.nonce);
	ReplyFields f{};
	f.job_id = std::uint8_t((reply.job_byte & rj.job_mask) >> rj.job_shift);
	f.sub_id = reply.job_byte & rj.sub_mask;
	f.core = (be >> l.core_shift) & field_mask(l.core_bits);
	f.small_core = l.small_core_bits
	                   ? (be >> l.small_core_shift) & field_mask(l.small_core_bits)
	                   : f.sub_id;
	if (l.attribution == ChipAttribution::address_field)
		f.address =
		    std::uint8_t(((be >> l.addr_shift) & field_mask(l.addr_bits)) << l.addr_drop);
	else
		f.range_value = (be >> l.range_shift) & field_mask(l.range_bits);
	return f;
}

std::uint8_t encode_reply_job_byte(const ChipFamily &family, std::uint8_t job_id, unsigned sub_id)
{
	const ReplyJobByte &rj = family.reply_job;
	return std::uint8_t(((job_id << rj.job_shift) & rj.job_mask) | (sub_id & rj.sub_mask));
}

} // namespace hashboard
