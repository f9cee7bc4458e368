// SPDX-License-Identifier: MIT
//
// The chips' facts. Sources, as in shared/reference/bm13xx.md and the JSON's `src`:
// capture (mujina's Bitaxe Gamma / S21 Pro / S19j Pro captures) beats firmware
// (ESP-Miner, cgminer-gekko) beats library (bm13xx-rs) and notes (skot); "guess" marks
// what no source gives.
#include "chip_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace hbsim::detail {
namespace {

// BM1366+ PLL0 at power-on: 0xC0540165 = 25 x 84 / (1 x 7 x 6) = 50 MHz with the
// post dividers stored minus one (bm13xx-rs BM1366 reset value). BM1368/BM1370: no
// source gives theirs; the BM1366 word is a guess.
constexpr std::uint32_t kBm1366ResetPll = 0xC0540165;
// BM1366+ 0x18: 0x0000C100 read back from a fresh BM1370 (capture, live-hardware
// experiment: AA550000C100001802); report enables 31..28 clear. Assumed alike on
// BM1366/68 (no capture).
constexpr std::uint32_t kBm1366ResetMisc = 0x0000C100;
// BM1366+ 0x28: BT8D 26 at the crystal = 115,741 Bd (skot BM1366 registers, mujina).
constexpr std::uint32_t kBm1366ResetUart = 0x01301A00;
// BM1366+ 0xA4: full mask, rolling off (skot BM1366 registers); assumed alike on 68/70.
constexpr std::uint32_t kBm1366ResetRolling = 0x0000FFFF;
// What BM1366, BM1368 and BM1370 hold after power-on (as sourced above).
constexpr PowerOnRegisters kBm1366ClassReset{
    .pll0 = kBm1366ResetPll,
    .pll0_divider = 0,
    .misc_control = kBm1366ResetMisc,
    .uart_baud = kBm1366ResetUart,
    .version_rolling = kBm1366ResetRolling,
};
// BM1368 and BM1370 (capture, BM1370): the chip keeps 4 bits of the job id (bits 6..3
// as sent) in [7:4] and the small core in [3:0]; the host reads (b5 & 0xF0) >> 1.
constexpr ResultHeaderLayout kSixteenSmallCoreHeader{.job_bits = 0x78, .job_shift = 1};

const std::array<ChipModel, 4> kChips{{
    {
        .name = "bm1397",
        .generation = ChipGeneration::bm1397,
        .chip_id = 0x1397,
        // AA 55 13 97 18 00 00 00 06 (published reply; skot: reset value 0x13971800).
        .core_byte = 0x18,
        // ESP-Miner: 168 cores, 672 small cores (4 a core: the midstate field).
        .cores = 168,
        .small_cores_per_core = 4,
        .hashing_units = 672,
        // bm13xx-rs: core [31:24], small core [23:22], address [21:14]; not captured.
        .core_shift = 24,
        .nominal_mhz = 425, // ESP-Miner's BM1397 default
        .reset =
            {
                // skot: PLL0 reset 0xC0600161 (raw: 2400 MHz VCO / 6 / 1 = 400 MHz) with the 0x70
                // divider at reset 0x03040607 (PLLDIV0 = 7: / 8) = 50 MHz.
                .pll0 = 0xC0600161,
                .pll0_divider = 0x03040607,
                // skot, bm13xx-rs: 0x00003A01, BT8D 26 = 115,741 Bd.
                .misc_control = 0x00003A01,
                .uart_baud = 0,
                .version_rolling = 0,
            },
        // Firmware (ESP-Miner, gekko): job id as sent (steps of 4) | midstate index.
        .header_layout = {.job_bits = 0xFC, .job_shift = 0},
    },
    {
        .name = "bm1366",
        .generation = ChipGeneration::bm1366,
        .chip_id = 0x1366,
        .core_byte = 0x00, // skot reset 0x13660000; open firmware matches 13 66 00 00
        // ESP-Miner: 112 cores, 894 small cores; the reply's small-core field has 3 bits.
        .cores = 112,
        .small_cores_per_core = 8,
        .hashing_units = 894,
        .core_shift = 25,   // capture (BM1362, 77-126 chip chains): core [31:25]
        .nominal_mhz = 485, // ESP-Miner's BM1366 word list
        .reset = kBm1366ClassReset,
        // Capture (BM1362) and firmware: 5-bit id in [7:3], small core in [2:0].
        .header_layout = {.job_bits = 0xF8, .job_shift = 0},
    },
    {
        .name = "bm1368",
        .generation = ChipGeneration::bm1368,
        .chip_id = 0x1368,
        .core_byte = 0x00, // ESP-Miner comment: AA 55 13 68 00 00 00 00 00 00 0F
        // ESP-Miner: 80 cores, 1276 small cores; 4-bit small-core field (16 a core).
        .cores = 80,
        .small_cores_per_core = 16,
        .hashing_units = 1276,
        .core_shift = 25,   // ESP-Miner treats it as BM1370
        .nominal_mhz = 490, // ESP-Miner's BM1368 word list
        .reset = kBm1366ClassReset,
        .header_layout = kSixteenSmallCoreHeader,
    },
    {
        .name = "bm1370",
        .generation = ChipGeneration::bm1370,
        .chip_id = 0x1370,
        .core_byte = 0x00, // capture: AA 55 13 70 00 00 00 00 00 00 10
        // ESP-Miner: 128 cores, 2040 small cores; capture: 4-bit small core in byte 5.
        .cores = 128,
        .small_cores_per_core = 16,
        .hashing_units = 2040,
        .core_shift = 25,   // capture convention, consistent with firmware
        .nominal_mhz = 525, // Bitaxe Gamma capture target
        .reset = kBm1366ClassReset,
        .header_layout = kSixteenSmallCoreHeader,
    },
}};

// VCO band a BM1366+ PLL locks in (mujina: 1600..3200 MHz for the BM1370; assumed for
// the BM1366/68). Every captured and firmware word lies inside it.
constexpr double kVcoMinMhz = 1600;
constexpr double kVcoMaxMhz = 3200;
// BM1397: no source bounds the VCO from below (ESP-Miner's 425 MHz word runs it at
// 850 MHz, gekko's at 2125-3000); the same upper bound is assumed.
constexpr double kBm1397VcoMaxMhz = 3200;

constexpr std::uint32_t kPllEnable = 1u << 30; // skot pll_parameter: PLLEN

} // namespace

const ChipModel &chip_model(std::string_view name)
{
	for (const auto &c : kChips)
		if (c.name == name)
			return c;
	throw std::invalid_argument("simulated chain: unknown chip '" + std::string(name) +
	                            "' (known: " + known_chip_names() + ")");
}

std::string known_chip_names()
{
	std::string out;
	for (const auto &c : kChips)
		out += (out.empty() ? "" : ", ") + std::string(c.name);
	return out;
}

PllFields pll_fields(const ChipModel &m, std::uint32_t w)
{
	// skot pll_parameter layout: FBDIV [27:16], REFDIV [13:8], POSTDIV1 [6:4],
	// POSTDIV2 [2:0], PLLEN bit 30 (LOCKED 31, VCO range 28 are status/range bits).
	PllFields f{};
	f.fbdiv = (w >> 16) & 0xFFF;
	f.refdiv = (w >> 8) & 0x3F;
	f.postdiv1 = (w >> 4) & 0x7;
	f.postdiv2 = w & 0x7;
	f.enabled = (w & kPllEnable) != 0;
	if (m.header_jobs()) {
		// BM1366/68/70 store the post dividers minus one (capture: 0x50D20240 is
		// logged as 525 MHz; 0xC0540165 = 50 MHz).
		++f.postdiv1;
		++f.postdiv2;
	}
	// BM1397: raw (ESP-Miner and gekko write them so; no capture settles it).
	return f;
}

double pll_output_mhz(const ChipModel &m, std::uint32_t pll0, std::uint32_t divider)
{
	const PllFields f = pll_fields(m, pll0);
	if (!f.enabled || f.fbdiv == 0 || f.refdiv == 0 || f.postdiv1 == 0 || f.postdiv2 == 0)
		return 0;
	const double vco = kCrystalHz / 1e6 * f.fbdiv / f.refdiv;
	if (m.header_jobs() ? (vco < kVcoMinMhz || vco > kVcoMaxMhz) : vco > kBm1397VcoMaxMhz)
		return 0;
	double out = vco / (f.postdiv1 * f.postdiv2);
	if (m.midstate_jobs())
		// skot: 0x70 PLLDIV0 [3:0] divides PLL0 by PLLDIV0 + 1 (reset 7; open firmware
		// writes 0x0F0F0F00 = divide by 1 before every PLL0 write). The reset pair gives
		// 400 / 8 = 50 MHz, which is what makes this reading hang together.
		out /= double((divider & 0xF) + 1);
	return out;
}

double uart_baud(const ChipModel &m, std::uint32_t misc_control, std::uint32_t uart)
{
	// baud = 25 MHz / (8 x (BT8D + 1)) with the UART on the crystal. The PLL-clocked
	// UART (BCLK_SEL, above 3.125 MBd) is not modelled: the divisor is read against the
	// crystal whatever BCLK_SEL says.
	unsigned bt8d;
	if (m.midstate_jobs())
		// BM1397, 0x18 (skot): BT8D [12:8] low five bits, [27:24] high four.
		bt8d = ((misc_control >> 8) & 0x1F) | ((misc_control >> 24) & 0xF) << 5;
	else
		// BM1366+, 0x28 (capture): BT8D [15:8]; 0x18 is no baud register there.
		bt8d = (uart >> 8) & 0xFF;
	return kCrystalHz / (8.0 * (bt8d + 1));
}

std::uint8_t result_header(const ChipModel &m, std::uint8_t job_id, unsigned sub)
{
	const ResultHeaderLayout &l = m.header_layout;
	return std::uint8_t((job_id & l.job_bits) << l.job_shift | (sub & l.sub_mask()));
}

ResultHeader decode_result_header(const ChipModel &m, std::uint8_t b)
{
	const ResultHeaderLayout &l = m.header_layout;
	return {std::uint8_t((b >> l.job_shift) & l.job_bits), unsigned(b & l.sub_mask())};
}

std::uint8_t excess_difficulty(const ChipModel &m, double hash_bits, unsigned ticket_bits)
{
	// BM1366+ (capture): half-bit units above the ticket. BM1397: no capture says
	// what byte 4 carries, so the chip sends 0.
	if (m.midstate_jobs())
		return 0;
	const double half_bits = std::floor(2.0 * (hash_bits - double(ticket_bits)));
	return std::uint8_t(std::clamp(half_bits, 0.0, 255.0));
}

} // namespace hbsim::detail
