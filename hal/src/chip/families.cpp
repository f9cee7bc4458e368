// SPDX-License-Identifier: MIT
//
// The chip family table: one row per family, the only place these facts live.
// docs/protocol.md gives each value's source; values marked "model" there are this
// project's choices where no public capture settles the question yet.
#include <hashboard/chip_family.hpp>

#include <array>
#include <stdexcept>
#include <string>

namespace hashboard {
namespace {

constexpr RegisterMap kBm1397Regs{};

constexpr RegisterMap kBm1366Regs{
	.hash_counter_total = 0x8C,
	.version_rolling = 0xA4,
};

// PLL limits common to the BM13xx parts: FBDIV and the dividers that open firmware
// drives, with the VCO kept inside the band where the PLL locks.
constexpr PllLimits kPll{
	.ref_mhz = 25.0,
	.fbdiv_min = 144,
	.fbdiv_max = 235,
	.refdiv_min = 1,
	.refdiv_max = 2,
	.postdiv_min = 1,
	.postdiv_max = 7,
	.vco_min_mhz = 1600.0,
	.vco_max_mhz = 3200.0,
	.vco_high_range_mhz = 2400.0,
	.freq_min_mhz = 50.0,
	.freq_max_mhz = 800.0,
};

// 25 MHz / (8 * (26 + 1)) = 115740 Bd after reset.
constexpr double kResetBaud = 25e6 / (8.0 * 27.0);

// BM1366+: the fast-UART register switches the divisor to a 200 MHz clock (a model value,
// docs/protocol.md) so 1 MBd is exact.
constexpr BaudRecipe kFastUartBaud{.uart_clock_hz = 200e6,
				   .fast_uart_value = 0x00000001,
				   .divisor_shift = 8,
				   .divisor_bits = 5,
				   .misc_control_base = 0,
				   .max_baud = 1000000};

// BM1368/BM1370: 7 core bits, 16 small cores a core, then the chip address (model).
constexpr NonceLayout kSixteenSmallCoreNonce{.core_shift = 25,
					     .core_bits = 7,
					     .small_core_shift = 21,
					     .small_core_bits = 4,
					     .addr_shift = 13,
					     .addr_bits = 8};

// Version-rolling register: enable (bit 31), set (bit 28), mask 0x1fffe000 >> 13.
constexpr std::uint32_t kVersionRollingAll = 0x9000FFFF;

const std::array<ChipFamily, 4> kFamilies{{
	{
		.name = "bm1397",
		.chip_id = 0x1397,
		.cores = 168,
		.small_cores = 672,
		.domains = 4,
		.reply_len = 9,
		.job_format = JobFormat::midstates,
		.max_midstates = 4,
		.job_id_step = 4,
		.reply_subid_mask = 0x03,
		.nonce = {.core_shift = 24, .core_bits = 8, .small_core_shift = 22,
			  .small_core_bits = 2, .addr_shift = 14, .addr_bits = 8},
		.regs = kBm1397Regs,
		.pll = kPll,
		.baud = {.uart_clock_hz = 25e6, .fast_uart_value = 0, .divisor_shift = 8,
			 .divisor_bits = 5, .misc_control_base = 0, .max_baud = 3125000},
		.reset_baud = kResetBaud,
		.default_freq_mhz = 50.0,
		.nominal_freq_mhz = 425.0,
		.version_rolling_value = 0,
	},
	{
		.name = "bm1366",
		.chip_id = 0x1366,
		.cores = 112,
		.small_cores = 894,
		.domains = 1,
		.reply_len = 11,
		.job_format = JobFormat::header,
		.max_midstates = 1,
		.job_id_step = 8,
		.reply_subid_mask = 0x07,
		.nonce = {.core_shift = 25, .core_bits = 7, .small_core_shift = 22,
			  .small_core_bits = 3, .addr_shift = 14, .addr_bits = 8},
		.regs = kBm1366Regs,
		.pll = kPll,
		.baud = kFastUartBaud,
		.reset_baud = kResetBaud,
		.default_freq_mhz = 50.0,
		.nominal_freq_mhz = 485.0,
		.version_rolling_value = kVersionRollingAll,
	},
	{
		.name = "bm1368",
		.chip_id = 0x1368,
		.cores = 80,
		.small_cores = 1276,
		.domains = 1,
		.reply_len = 11,
		.job_format = JobFormat::header,
		.max_midstates = 1,
		.job_id_step = 24,
		.reply_subid_mask = 0x07,
		.nonce = kSixteenSmallCoreNonce,
		.regs = kBm1366Regs,
		.pll = kPll,
		.baud = kFastUartBaud,
		.reset_baud = kResetBaud,
		.default_freq_mhz = 50.0,
		.nominal_freq_mhz = 490.0,
		.version_rolling_value = kVersionRollingAll,
	},
	{
		.name = "bm1370",
		.chip_id = 0x1370,
		.cores = 128,
		.small_cores = 2040,
		.domains = 1,
		.reply_len = 11,
		.job_format = JobFormat::header,
		.max_midstates = 1,
		.job_id_step = 24,
		.reply_subid_mask = 0x07,
		.nonce = kSixteenSmallCoreNonce,
		.regs = kBm1366Regs,
		.pll = kPll,
		.baud = kFastUartBaud,
		.reset_baud = kResetBaud,
		.default_freq_mhz = 50.0,
		.nominal_freq_mhz = 525.0,
		.version_rolling_value = kVersionRollingAll,
	},
}};

} // namespace

std::span<const ChipFamily> all_families()
{
	return kFamilies;
}

const ChipFamily &family_by_name(std::string_view name)
{
	for (const auto &f : kFamilies)
		if (f.name == name)
			return f;
	std::string known;
	for (const auto &f : kFamilies)
		known += (known.empty() ? "" : ", ") + std::string(f.name);
	throw std::invalid_argument("unknown chip family '" + std::string(name) +
				    "' (known: " + known + ")");
}

const ChipFamily *family_by_chip_id(std::uint16_t chip_id)
{
	for (const auto &f : kFamilies)
		if (f.chip_id == chip_id)
			return &f;
	return nullptr;
}

} // namespace hashboard
