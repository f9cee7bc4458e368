// SPDX-License-Identifier: MIT
//
// Where a chip puts itself in the nonces it returns, from the chip's side. Bit numbers
// are those of the four nonce wire bytes read big-endian (wire byte 0 = bits 31..24);
// the header's nonce is the same bytes read little-endian. Facts and choices:
//
//   BM1397          core [31:24], small core [23:22], address [21:14], counter [13:0]
//                   (bm13xx-rs; not captured)
//   BM1366 rolling  core [31:25], address bits 7..1 in [24:18], counter [17:0]; the
//                   small core works on its own version (capture, BM1362 chains)
//   BM1366 no roll  core [31:25], small core [24:22], address [21:14], counter [13:0]
//                   (bm13xx-rs)
//   BM1368/BM1370   core [31:25]; no fixed chip field: [24:0] counts up from the
//                   chip's start << 9, start = CHIP_NONCE_OFFSET (0x0C [15:0], when bit
//                   31 enables it; capture) or address << 8 (inference); the small core
//                   works on its own version (capture: small core = version low 4 bits).
//                   Without rolling the small core takes bits [8:5] (guess).
//
// Every chip sweeps 2^18 nonces per core and version from its start (BM1397 and BM1366
// without rolling: 2^14), so a chip at an even address also covers the odd address
// after it: on a chain with address interval 2 it owns both values (choice; the
// capture's BM1366 counter [17:0] is exactly that).
#pragma once

#include "chip_model.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace hbsim::detail {

struct NonceSpace {
	// One per core and small core: the units that hash side by side.
	struct Unit {
		std::uint32_t bits_be; // core (and small core, when it is a nonce field)
		std::uint16_t core;
		std::uint8_t small_core;
		std::uint8_t lane; // which of the side-by-side versions it hashes (0..lanes-1)
	};
	std::vector<Unit> units;
	std::uint32_t base_be = 0;    // the chip's start, added to the counter
	std::uint32_t count_mask = 0; // the counter's bit positions
	std::uint32_t field_mask = 0; // where base + counter lands
	unsigned lanes = 1;           // versions hashed side by side (small cores on versions)
};

struct ChipPlace {
	std::uint8_t address = 0;
	std::uint32_t nonce_offset_reg = 0; // 0x0C as written (BM1368/70)
	// The version mask the job is rolled with (0xA4 [15:0] when rolling is on), else 0.
	std::uint16_t rolling_mask = 0;
};

NonceSpace nonce_space(const ChipModel &m, const ChipPlace &place);

// ---- reading the fields back (the tests' and the log's side) -------------------------

unsigned nonce_core(const ChipModel &m, std::uint32_t nonce_be);
// The chip address a nonce names, where the layout has a chip field: BM1397 [21:14];
// BM1366 with rolling: [24:18] << 1 (bit 0 is a counter bit); without: [21:14].
// BM1368/70 have none (attribute by CHIP_NONCE_OFFSET range with nonce_counter_high).
std::optional<std::uint8_t> nonce_chip_address(const ChipModel &m, std::uint32_t nonce_be,
                                               bool rolling);
// Bits [24:9]: what CHIP_NONCE_OFFSET seeds on BM1368/70.
inline std::uint16_t nonce_counter_high(std::uint32_t nonce_be)
{
	return std::uint16_t((nonce_be >> 9) & 0xFFFF);
}

// The header nonce (wire bytes little-endian) from the big-endian reading and back.
constexpr std::uint32_t byteswap32(std::uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

} // namespace hbsim::detail
