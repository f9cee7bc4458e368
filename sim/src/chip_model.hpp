// SPDX-License-Identifier: MIT
//
// What a simulated BM13xx chip knows about itself, written from the chip's side and
// from the public facts only (shared/reference/bm13xx.md, shared/vectors/). It must not
// come from the HAL's family table: that table is what the simulator checks, so the two
// are independent readings of the same captures. Each fact names its source in
// chip_model.cpp; docs/simulator.md lists them with what is inferred or guessed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hbsim::detail {

enum class ChipGeneration {
	bm1397, // midstate jobs, 9-byte replies, baud in 0x18, raw PLL post dividers
	bm1366, // header jobs, 5-bit job id + 3-bit small core in byte 5
	bm1368, // header jobs, 4-bit job id + 4-bit small core (treated like BM1370)
	bm1370, // header jobs, 4-bit job id + 4-bit small core, CHIP_NONCE_OFFSET
};

// Register addresses the chip gives a meaning to (BM1366+ names; BM1397 shares most).
namespace reg {
inline constexpr std::uint8_t chip_id = 0x00;
inline constexpr std::uint8_t pll0 = 0x08;
inline constexpr std::uint8_t chip_nonce_offset = 0x0C; // BM1368/70
inline constexpr std::uint8_t hash_counting = 0x10;
inline constexpr std::uint8_t ticket_mask = 0x14;
inline constexpr std::uint8_t misc_control = 0x18;
inline constexpr std::uint8_t uart_baud = 0x28; // BM1366+ (fast UART configuration)
inline constexpr std::uint8_t nonce_error_counter = 0x4C;
inline constexpr std::uint8_t pll0_divider = 0x70;       // BM1397
inline constexpr std::uint8_t hash_counter_total = 0x8C; // BM1366+
inline constexpr std::uint8_t version_rolling = 0xA4;    // BM1366+
} // namespace reg

// Power-on register values.
struct PowerOnRegisters {
	std::uint32_t pll0;
	std::uint32_t pll0_divider; // BM1397 0x70
	std::uint32_t misc_control; // 0x18
	std::uint32_t uart_baud;    // 0x28 (BM1366+)
	std::uint32_t version_rolling;
};

// How byte 5 of a nonce reply packs the job id the host sent and the sub id (midstate
// index or small core): sent job id bits `job_bits`, moved left by `job_shift`, over the
// sub id in the low bits the job id leaves free.
struct ResultHeaderLayout {
	std::uint8_t job_bits;
	unsigned job_shift;
	constexpr std::uint8_t sub_mask() const { return std::uint8_t(~(job_bits << job_shift)); }
};

struct ChipModel {
	std::string_view name;
	ChipGeneration generation;
	std::uint16_t chip_id;
	std::uint8_t core_byte;        // reg 0 bits 15..8
	unsigned cores;                // cores that hash (the nonce's core field may be wider)
	unsigned small_cores_per_core; // as the reply's small-core / midstate field counts them
	unsigned hashing_units;        // hashes per clock: the chip's nominal rate
	unsigned core_shift;           // core field: big-endian nonce bits [31:core_shift]
	double nominal_mhz;            // where boards usually run it
	PowerOnRegisters reset;
	ResultHeaderLayout header_layout; // byte 5

	bool midstate_jobs() const { return generation == ChipGeneration::bm1397; }
	bool header_jobs() const { return !midstate_jobs(); }
	// BM1366+: reset value 0 of 0x10 halts hashing. BM1397: open firmware never writes
	// it and the chips mine, so it does not gate hashing there.
	bool needs_hash_counting() const { return header_jobs(); }
	// BM1366+: 0x18 bits 31..28 enable nonce reporting, one bit per quarter of the cores.
	bool has_report_enables() const { return header_jobs(); }
	// BM1366+: 11-byte replies once 0xA4 enables version rolling; BM1397 always 9.
	bool has_long_replies() const { return header_jobs(); }
	bool has_chip_nonce_offset() const
	{
		return generation == ChipGeneration::bm1368 || generation == ChipGeneration::bm1370;
	}
	double hashes_per_second(double mhz) const { return mhz * 1e6 * hashing_units; }
};

// Throws std::invalid_argument naming the known chips.
const ChipModel &chip_model(std::string_view name);
std::string known_chip_names();

// ---- clocks -------------------------------------------------------------------------

// The crystal every chip's UART and PLL start from. Stated here, not taken from the
// core's wire.hpp: the chip's own reading, the independent check of the host's.
inline constexpr double kCrystalHz = 25e6;

struct PllFields {
	unsigned fbdiv, refdiv, postdiv1, postdiv2; // dividers as they divide (not as stored)
	bool enabled;                               // PLLEN, bit 30
};
PllFields pll_fields(const ChipModel &m, std::uint32_t pll0);
// The hash clock the PLL0 word gives, in MHz; 0 when it gives none (PLL disabled,
// undefined divider, VCO out of range). divider: BM1397's 0x70 (ignored on the others).
double pll_output_mhz(const ChipModel &m, std::uint32_t pll0, std::uint32_t divider);

// The UART rate the chip talks at: from 0x28 on BM1366+, from 0x18 on BM1397.
double uart_baud(const ChipModel &m, std::uint32_t misc_control, std::uint32_t uart_baud);

// ---- reply fields -------------------------------------------------------------------

// Byte 5 of a nonce reply ("result header"): the job id as the chip keeps it and the
// midstate index (BM1397) or small core (BM1366+).
std::uint8_t result_header(const ChipModel &m, std::uint8_t job_id, unsigned sub);
struct ResultHeader {
	std::uint8_t job_id; // in the form the host sent it
	unsigned sub;        // midstate index (BM1397) or small core
};
ResultHeader decode_result_header(const ChipModel &m, std::uint8_t byte5);

// Byte 4 on BM1366+: how far the hash beat the ticket, in half-bit units.
// hash_bits: -log2(hash / 2^256), the hash's leading zeros with their fraction;
// ticket_bits: the leading zeros the ticket asked for.
std::uint8_t excess_difficulty(const ChipModel &m, double hash_bits, unsigned ticket_bits);

} // namespace hbsim::detail
