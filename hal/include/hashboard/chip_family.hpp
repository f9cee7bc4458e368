// SPDX-License-Identifier: MIT
//
// Chip families as data. Everything the HAL and the simulator need to know about a chip
// lives in one ChipFamily row (hal/src/chip/families.cpp); only behaviour that really
// differs between families (the job format) is code, selected by job_format.
#pragma once

#include <hashboard/bm13xx/codec.hpp>

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
	std::uint8_t hash_counting = 0x10;
	std::uint8_t ticket_mask = 0x14;
	std::uint8_t misc_control = 0x18;
	std::uint8_t fast_uart = 0x28;
	std::uint8_t core_control = 0x3C;
	std::uint8_t nonce_error_counter = 0x4C;
	std::optional<std::uint8_t> hash_counter_total; // BM1366+: 0x8C, 2^32 hashes a count
	std::optional<std::uint8_t> version_rolling;    // BM1366+: 0xA4
};

struct PllLimits {
	double ref_mhz = 25.0;
	unsigned fbdiv_min, fbdiv_max;
	unsigned refdiv_min, refdiv_max;
	unsigned postdiv_min, postdiv_max; // both post dividers, postdiv1 >= postdiv2
	double vco_min_mhz, vco_max_mhz;
	double vco_high_range_mhz; // VCO at or above this sets the VCO-range bit
	double freq_min_mhz, freq_max_mhz;
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

// Where a chip puts its identity in the nonce it returns. Bit positions refer to the
// four nonce wire bytes read big-endian (wire byte 0 = bits 31..24); the header's
// nonce value is the same bytes read little-endian.
struct NonceLayout {
	unsigned core_shift, core_bits;
	unsigned small_core_shift, small_core_bits;
	unsigned addr_shift, addr_bits;
};

// How the chain's UART is raised from the reset baud.
struct BaudRecipe {
	double uart_clock_hz;          // clock the divisor divides after the fast-UART write
	std::uint32_t fast_uart_value; // written to fast_uart first; 0 = family has none
	unsigned divisor_shift;        // misc_control divisor field: baud = clk/(8*(div+1))
	unsigned divisor_bits;
	std::uint32_t misc_control_base; // the other misc_control bits the host writes
	std::uint32_t max_baud;
};

struct ChipFamily {
	std::string_view name;
	std::uint16_t chip_id;
	unsigned cores;
	unsigned small_cores;      // total hashing units: hashes per clock
	unsigned domains;          // voltage/hash-counter domains on the die
	std::size_t reply_len;     // 9, or 11 with version rolling
	JobFormat job_format;
	unsigned max_midstates;    // BM1397 4; header jobs 1
	unsigned job_id_step;      // job ids advance by this, mod 128
	std::uint8_t reply_subid_mask; // low bits of a reply's job byte: midstate/small core
	NonceLayout nonce;
	RegisterMap regs;
	PllLimits pll;
	BaudRecipe baud;
	double reset_baud;         // 25 MHz / (8 * 27)
	double default_freq_mhz;   // PLL after reset
	double nominal_freq_mhz;   // what boards usually run
	std::uint32_t version_rolling_value; // written to regs.version_rolling (BM1366+)

	double hashes_per_second(double freq_mhz) const { return freq_mhz * 1e6 * small_cores; }
	std::uint8_t next_job_id(std::uint8_t id) const
	{
		return std::uint8_t((id + job_id_step) & 0x7F);
	}
};

const ChipFamily &family_by_name(std::string_view name); // throws std::invalid_argument
const ChipFamily *family_by_chip_id(std::uint16_t chip_id);
std::span<const ChipFamily> all_families();

// PLL: the closest reachable frequency, then the lowest VCO; nullopt outside the limits.
std::optional<PllSetting> pll_for_frequency(const ChipFamily &family, double freq_mhz);
std::uint32_t pll_register_value(const ChipFamily &family, const PllSetting &pll);
std::optional<PllSetting> pll_from_register(const ChipFamily &family, std::uint32_t value);

// Baud: the misc_control (and fast_uart) writes that set the chips to baud, and the baud
// a misc_control divisor gives.
struct BaudWrites {
	std::uint32_t misc_control;
	std::optional<std::uint32_t> fast_uart;
	double actual_baud;
};
std::optional<BaudWrites> baud_writes(const ChipFamily &family, std::uint32_t baud);
double baud_from_registers(const ChipFamily &family, std::uint32_t misc_control, bool fast_uart);

// Register names: RegisterMap's member names (chip_id, pll0, ticket_mask, ...), for
// hbctl regs and the frame decoder. Lookup ignores case and takes '-' for '_'; a
// register the family does not have (version_rolling on BM1397) has no name.
std::optional<std::uint8_t> register_by_name(const ChipFamily &family, std::string_view name);
// "" for a register the family gives no name.
std::string_view register_name(const ChipFamily &family, std::uint8_t reg);
// Every named register of the family, in address order (help texts, error messages).
std::vector<std::pair<std::string_view, std::uint8_t>> register_names(const ChipFamily &family);

// Nonce field access.
struct NonceIdentity {
	unsigned core;
	unsigned small_core;
	unsigned addr;
};
NonceIdentity nonce_identity(const ChipFamily &family, std::uint32_t header_nonce);
// Puts core/small core/address into a header nonce (the simulator's side of the layout).
std::uint32_t nonce_with_identity(const ChipFamily &family, std::uint32_t header_nonce,
				  const NonceIdentity &id);

// ---- TEMPORARY (replay branch): the nonce-reply half of main's new family API ----------
// Declared exactly as in main's chip_family.hpp so code written against it builds here;
// hal/src/chain/reply_fields_compat.cpp implements it from a per-family table until main's
// table (ReplyJobByte, NonceLayout::attribution) lands. Delete both on merging main.

// Which chip sent a nonce.
enum class ChipAttribution {
	address_field, // the chip's address sits in fixed nonce bits (BM1397, BM1366)
	offset_range,  // a counter seeded from CHIP_NONCE_OFFSET (BM1370, BM1368)
};
ChipAttribution chip_attribution(const ChipFamily &family); // main: family.nonce.attribution

// What a nonce reply's bytes say, read by the family's rules.
struct ReplyFields {
	std::uint8_t job_id;  // as the host sent it
	unsigned sub_id;      // midstate index (BM1397) or small core (BM1366+)
	unsigned core;
	unsigned small_core;  // BM1366+: = sub_id; BM1397: from the nonce bits
	std::optional<std::uint8_t> address; // address_field families
	std::uint32_t range_value;           // offset_range families: the counter field
};
ReplyFields decode_nonce_reply(const ChipFamily &family, const bm13xx::NonceReply &reply);

// The byte 5 a chip of the family sends for a job id and sub id (tests, hbctl frames).
std::uint8_t encode_reply_job_byte(const ChipFamily &family, std::uint8_t job_id, unsigned sub_id);

} // namespace hashboard
