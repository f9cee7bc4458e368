// SPDX-License-Identifier: MIT
//
// Chip families as data. Everything the HAL knows about a chip lives in one ChipFamily
// row (core/src/chip/families.cpp) and its bring-up recipes (core/src/chip/recipes.cpp);
// only behaviour that really differs between families (the job format, nonce
// attribution) is code, selected by the row. docs/protocol.md gives every value's
// source. The simulator keeps its own chip-side facts (sim/src/chip_model.*) on purpose:
// it is what checks this table.
#pragma once

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/bm13xx/wire.hpp>
#include <hashboard/clock.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashboard {

enum class JobFormat {
	midstates, // BM1397: host sends 1 or 4 midstates, reply low bits = midstate index
	header,    // BM1366+: host sends header fields, chip rolls version itself
};

// Register offsets the HAL uses by name (hbctl regs takes these names too).
struct RegisterMap {
	std::uint8_t chip_id = 0x00;
	std::uint8_t pll0 = 0x08;
	std::optional<std::uint8_t> chip_nonce_offset{}; // BM1370 (BM1368): 0x0C
	std::uint8_t hash_counting = 0x10;
	std::uint8_t ticket_mask = 0x14;
	std::uint8_t misc_control = 0x18;
	std::uint8_t uart_baud = 0x28; // BM1366+: BT8D; BM1397: fast-UART/PLL3 select
	std::uint8_t core_control = 0x3C;
	std::uint8_t nonce_error_counter = 0x4C;
	std::optional<std::uint8_t> pll0_divider{};       // BM1397: 0x70
	std::optional<std::uint8_t> hash_counter_total{}; // BM1366+: 0x8C, 2^32 hashes a count
	std::optional<std::uint8_t> version_rolling{};    // BM1366+: 0xA4
	std::optional<std::uint8_t> soft_reset{};         // BM1366+: 0xA8
};

struct PllLimits {
	double ref_mhz = 25.0;
	unsigned fbdiv_min, fbdiv_max;
	unsigned refdiv_min, refdiv_max;
	unsigned postdiv_min, postdiv_max; // both post dividers, postdiv1 >= postdiv2
	double vco_min_mhz, vco_max_mhz;
	double vco_high_range_mhz; // VCO at or above this sets the 0x50 flag (BM1366+)
	double freq_min_mhz, freq_max_mhz;
	bool postdiv_minus_one;  // BM1366+: fields hold divider - 1; BM1397: raw
	bool has_vco_range_flag; // BM1397 always writes flag 0x40
};

struct PllSetting {
	unsigned fbdiv, refdiv, postdiv1, postdiv2;
	double freq_mhz(double ref_mhz = 25.0) const
	{
		return ref_mhz * fbdiv / (refdiv * postdiv1 * postdiv2);
	}
	double vco_mhz(double ref_mhz = 25.0) const { return ref_mhz * fbdiv / refdiv; }
	bool operator==(const PllSetting &) const = default;
};

// Byte 5 of a nonce reply: the job id the host sent, and a sub-id.
//   job id = (byte5 & job_mask) >> job_shift;  sub id = byte5 & sub_mask
// BM1397 0xFC/0/0x03 (sub = midstate), BM1366 0xF8/0/0x07, BM1368/70 0xF0/1/0x0F.
struct ReplyJobByte {
	std::uint8_t job_mask;
	unsigned job_shift;
	std::uint8_t sub_mask;
};

// Which chip sent a nonce.
enum class ChipAttribution {
	address_field, // the chip's address sits in fixed nonce bits (BM1397, BM1366)
	offset_range,  // a counter seeded from CHIP_NONCE_OFFSET (BM1370, BM1368)
};

// Nonce fields. Bit positions refer to the four nonce wire bytes read big-endian (wire
// byte 0 = bits 31..24); the header's nonce value is the same bytes read little-endian.
struct NonceLayout {
	unsigned core_shift, core_bits;
	unsigned small_core_shift, small_core_bits; // in the nonce (BM1397); else 0 bits
	ChipAttribution attribution;
	// address_field: address = field << addr_drop (BM1366: bits 7..1 in [24:18]).
	unsigned addr_shift, addr_bits, addr_drop;
	// offset_range: the counter field [24:9] that starts at each chip's offset.
	unsigned range_shift, range_bits;
};

// How the chain's UART is raised from the reset baud: a divisor in one register,
// baud = clock_hz / (clocks_per_step x (divisor + 1)), the register's other bits kept at
// base. BM13xx: BT8D of the 25 MHz crystal, 8 clocks a step; HBFP (the FPGA chip): the
// FPGA clock's clocks per bit - 1, one clock a step.
struct BaudRecipe {
	std::uint8_t reg;       // BM1366+: 0x28; BM1397: 0x18
	unsigned divisor_shift; // BT8D's low bits
	unsigned divisor_bits;
	unsigned divisor_high_shift; // BM1397: BT8D bits 8..5 in [27:24]; 0 = none
	std::uint32_t base;          // the other bits real hosts write
	std::uint32_t max_baud;      // highest rate reachable from the crystal
	double clock_hz;             // what the divisor divides: kCrystalHz on BM13xx
	unsigned clocks_per_step;    // BM13xx 8; HBFP 1
};

// What the ticket mask register (0x14) means.
enum class TicketFormat {
	// BM13xx: the chip reports nonces of difficulty 2^k above its own difficulty 1
	// (mask = 2^k - 1, bits reversed in each byte); the chip's difficulty 1 is where
	// zero_bits puts it (32 on a real chip, fewer on the simulated one).
	above_difficulty_one,
	// HBFP: a mask on the hash's last word H7: the chip reports a nonce when the hash has
	// `n` leading zero bits, n = zero_bits + k, in the same bit order as above; n up to
	// fine_bits bit by bit, above that in whole bytes (fpga/rtl/chip/bm13xx_chip.v).
	hash_zero_bits,
};

struct TicketRule {
	TicketFormat format;
	unsigned fine_bits; // hash_zero_bits: leading zero bits settable one by one
};

struct ChipFamily {
	std::string_view name;
	std::uint16_t chip_id;
	unsigned cores;
	unsigned small_cores; // total hashing units: hashes per clock
	unsigned small_cores_per_core;
	unsigned domains;      // hash-counter domains on the die
	std::size_t reply_len; // bm13xx::kReplyLen, or kRollingReplyLen with version rolling
	JobFormat job_format;
	unsigned max_midstates;    // BM1397 4; header jobs 1
	unsigned job_id_step;      // job ids advance by this, mod 128
	std::uint8_t first_job_id; // what open firmware starts at
	ReplyJobByte reply_job;
	NonceLayout nonce;
	RegisterMap regs;
	PllLimits pll;
	BaudRecipe baud;
	double default_freq_mhz;            // where a ramp starts from (the PLL after reset)
	double nominal_freq_mhz;            // what boards usually run
	std::uint32_t version_rolling_base; // 0xA4 = base | (mask >> 13) (BM1366+)
	std::uint32_t hcn_errata_ticks;     // subtracted from the computed 0x10 (BM1370)
	bool writes_hash_counting;          // BM1397: open firmware never writes 0x10
	TicketRule ticket;                  // what 0x14 holds
	unsigned clocks_per_hash;           // per small core: 1 on BM13xx; HBFP 130 a lane

	double hashes_per_second(double freq_mhz) const
	{
		return freq_mhz * 1e6 * small_cores / clocks_per_hash;
	}
	std::uint8_t next_job_id(std::uint8_t id) const
	{
		return std::uint8_t((id + job_id_step) & 0x7F);
	}
};

const ChipFamily &family_by_name(std::string_view name); // throws std::invalid_argument
const ChipFamily *family_by_chip_id(std::uint16_t chip_id);
std::span<const ChipFamily> all_families();

// How a host picks PLL dividers for a frequency.
enum class PllSolver {
	// The closest reachable frequency, then the lowest VCO in the family's band: the
	// factory's choice (S21 Pro capture: 56.25 MHz 0x40A20255, 600 MHz 0x50C00230).
	lowest_vco,
	// The first divider set within 1 MHz, REFDIV 2 then 1, POSTDIV1 and POSTDIV2 from 7
	// down, FBDIV rounded up: ESP-Miner of June 2025, whose words the Bitaxe capture
	// shows (62.5 MHz 0x50D20265 ... 525 MHz 0x50D20240). Only words inside the
	// family's VCO band; where none is within 1 MHz, lowest_vco's.
	first_within_1mhz,
};

// PLL dividers for freq_mhz; nullopt outside the limits.
std::optional<PllSetting> pll_for_frequency(const ChipFamily &family, double freq_mhz,
                                            PllSolver solver = PllSolver::lowest_vco);
std::uint32_t pll_register_value(const ChipFamily &family, const PllSetting &pll);
std::optional<PllSetting> pll_from_register(const ChipFamily &family, std::uint32_t value);

// Baud: the register write that sets the chips to (about) baud, and the baud a value of
// that register gives. nullopt when no divisor gets within tolerance.
struct BaudWrite {
	std::uint8_t reg;
	std::uint32_t value;
	double actual_baud;
};
std::optional<BaudWrite> baud_write(const ChipFamily &family, std::uint32_t baud,
                                    std::optional<std::uint32_t> base = std::nullopt);
double baud_from_register(const ChipFamily &family, std::uint32_t value);

// The ticket mask write for ticket difficulty 2^k on a chain whose difficulty-1 nonces
// have zero_bits leading zero bits (32 on real chips): nullopt when the family's register
// cannot say it (HBFP: 9..15 leading zero bits). ticket_log2 is k.
struct TicketWrite {
	std::uint32_t mask;
	unsigned ticket_log2;
};
std::optional<TicketWrite> ticket_write(const ChipFamily &family, unsigned zero_bits, unsigned k);
// The highest difficulty 2^j, j <= k, the register can say (a bring-up's default ticket
// on a family that cannot reach it); std::invalid_argument when not even j = 0 can.
TicketWrite ticket_write_at_most(const ChipFamily &family, unsigned zero_bits, unsigned k);

// Version rolling register value for a pool's version mask (header bits 28..13).
std::uint32_t version_rolling_value(const ChipFamily &family, std::uint32_t version_mask);

// Hash counting number (register 0x10) as open firmware computes it: the 25 MHz ticks a
// core takes to sweep its slice of the nonce space (2^32 / cores / chips, both rounded
// up to powers of two) at two nonces per hash clock, less the family's errata.
std::uint32_t hash_counting_number(const ChipFamily &family, unsigned chips, double freq_mhz);
// The time the chips take to run through every rolled version of a header job at that
// hash counting number (factory values: 0x1EB5 on BM1370 -> 1.29 s): job pacing.
Duration hash_counting_epoch(const ChipFamily &family, std::uint32_t hcn);

// The smallest ticket difficulty 2^k whose nonce replies fill at most `utilisation` of
// the chip-to-host wire at `baud` when the chips hash `hashes_per_second` in all: a
// difficulty-1 nonce per 2^32 hashes, reply_len bytes of 10 bits each. Nonces beyond
// the wire's capacity would queue, arrive late and come back stale.
unsigned ticket_log2_for_wire(const ChipFamily &family, double hashes_per_second, double baud,
                              double utilisation);

// The smallest ticket difficulty 2^k at which chips hashing `hashes_per_second` report at
// most `nonces_per_second` nonces (one per 2^(32+k) hashes).
unsigned ticket_log2_for_rate(double hashes_per_second, double nonces_per_second);

// The largest ticket difficulty 2^k (0..31) that still passes every share of pool
// difficulty `share_difficulty` from chips whose difficulty-1 nonce has `zero_bits`
// leading zero bits (32 on real chips; fewer on a scaled-down simulator): a nonce passes
// ticket k with zero_bits + k leading zeros, a share has about 32 + log2(difficulty).
// 0 when even that is above some shares (a pool difficulty below the chips' own).
unsigned ticket_log2_for_share(double share_difficulty, unsigned zero_bits);

// CHIP_NONCE_OFFSET (0x0C) for chip `index` of `chips` on a multi-chip BM1370 chain:
// bit 31 enable, low 16 bits the start of the chip's counter range (S21 Pro capture).
std::uint32_t chip_nonce_offset_value(unsigned index, unsigned chips);

// Register names: RegisterMap's member names (chip_id, pll0, ticket_mask, ...), for
// hbctl regs and the frame decoder. Lookup ignores case and takes '-' for '_'; a
// register the family does not have (version_rolling on BM1397) has no name.
std::optional<std::uint8_t> register_by_name(const ChipFamily &family, std::string_view name);
// "" for a register the family gives no name.
std::string_view register_name(const ChipFamily &family, std::uint8_t reg);
// Every named register of the family, in address order (help texts, error messages).
std::vector<std::pair<std::string_view, std::uint8_t>> register_names(const ChipFamily &family);

// What a nonce reply's bytes say, read by the family's rules.
struct ReplyFields {
	std::uint8_t job_id; // as the host sent it
	unsigned sub_id;     // midstate index (BM1397) or small core (BM1366+)
	unsigned core;
	unsigned small_core;                 // BM1366+: = sub_id; BM1397: from the nonce bits
	std::optional<std::uint8_t> address; // address_field families
	std::uint32_t range_value;           // offset_range families: the counter field
};
ReplyFields decode_nonce_reply(const ChipFamily &family, const bm13xx::NonceReply &reply);

// The byte 5 a chip of the family sends for a job id and sub id (tests, hbctl frames).
std::uint8_t encode_reply_job_byte(const ChipFamily &family, std::uint8_t job_id, unsigned sub_id);

} // namespace hashboard
