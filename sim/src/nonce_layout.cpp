// SPDX-License-Identifier: MIT
#include "nonce_layout.hpp"

#include <bit>

namespace hbsim::detail {
namespace {

constexpr std::uint32_t kChipNonceOffsetEnable = 1u << 31;
constexpr std::uint32_t kLongCounter = (1u << 18) - 1;  // 2^18 nonces from the start
constexpr std::uint32_t kShortCounter = (1u << 14) - 1; // below an address in [21:14]

unsigned small_core_bits(const ChipModel &m)
{
	return unsigned(std::countr_zero(m.small_cores_per_core));
}

// Small cores on versions need a version bit for each small-core bit.
bool small_cores_on_versions(const ChipModel &m, std::uint16_t rolling_mask)
{
	return m.header_jobs() && rolling_mask != 0 &&
	       unsigned(std::popcount(rolling_mask)) >= small_core_bits(m);
}

} // namespace

NonceSpace nonce_space(const ChipModel &m, const ChipPlace &p)
{
	NonceSpace s;
	const bool on_versions = small_cores_on_versions(m, p.rolling_mask);
	unsigned small_shift = 0; // nonce position of the small core, when it is in the nonce
	switch (m.generation) {
	case ChipGeneration::bm1397:
		small_shift = 22;
		s.base_be = std::uint32_t(p.address) << 14;
		s.count_mask = kShortCounter;
		s.field_mask = (1u << 22) - 1;
		break;
	case ChipGeneration::bm1366:
		s.field_mask = (1u << 25) - 1;
		if (on_versions) {
			s.base_be = std::uint32_t(p.address >> 1) << 18;
			s.count_mask = kLongCounter;
		} else {
			small_shift = 22;
			s.base_be = std::uint32_t(p.address) << 14;
			s.count_mask = kShortCounter;
			s.field_mask = (1u << 22) - 1;
		}
		break;
	case ChipGeneration::bm1368:
	case ChipGeneration::bm1370: {
		const std::uint32_t start = p.nonce_offset_reg & kChipNonceOffsetEnable
		                                ? p.nonce_offset_reg & 0xFFFF
		                                : std::uint32_t(p.address) << 8;
		s.base_be = start << 9;
		s.field_mask = (1u << 25) - 1;
		s.count_mask = kLongCounter;
		if (!on_versions) {
			// start << 9 leaves [8:0] clear, so the small core can sit in there
			// without the sum carrying into it.
			small_shift = 5;
			s.count_mask &= ~(0xFu << small_shift);
			s.field_mask &= ~(0xFu << small_shift);
		}
		break;
	}
	}
	s.lanes = on_versions ? m.small_cores_per_core : 1;
	s.units.reserve(std::size_t(m.cores) * m.small_cores_per_core);
	for (unsigned core = 0; core < m.cores; ++core)
		for (unsigned sc = 0; sc < m.small_cores_per_core; ++sc) {
			NonceSpace::Unit u{};
			u.bits_be = std::uint32_t(core) << m.core_shift;
			u.core = std::uint16_t(core);
			u.small_core = std::uint8_t(sc);
			if (on_versions)
				u.lane = std::uint8_t(sc);
			else
				u.bits_be |= std::uint32_t(sc) << small_shift;
			s.units.push_back(u);
		}
	return s;
}

unsigned nonce_core(const ChipModel &m, std::uint32_t be)
{
	return be >> m.core_shift;
}

std::optional<std::uint8_t> nonce_chip_address(const ChipModel &m, std::uint32_t be, bool rolling)
{
	switch (m.generation) {
	case ChipGeneration::bm1397:
		return std::uint8_t((be >> 14) & 0xFF);
	case ChipGeneration::bm1366:
		if (rolling)
			return std::uint8_t(((be >> 18) & 0x7F) << 1);
		return std::uint8_t((be >> 14) & 0xFF);
	case ChipGeneration::bm1368:
	case ChipGeneration::bm1370:
		return std::nullopt;
	}
	return std::nullopt;
}

} // namespace hbsim::detail
