// SPDX-License-Identifier: MIT
//
// The chip family table: one row per family, the only place the HAL keeps these facts.
// docs/protocol.md gives each value's source (capture, firmware, or a stated guess).
#include <hashboard/chip_family.hpp>

#include <array>
#include <stdexcept>
#include <string>

namespace hashboard {
namespace {

// BM1397 names the same offsets; it has no version rolling, no soft reset and no
// per-chip nonce offset, and a PLL0 divider register (0x70) written before each PLL0
// word (ESP-Miner, gekko).
constexpr RegisterMap kBm1397Regs{
    .pll0_divider = 0x70,
};

constexpr RegisterMap kBm1366Regs{
    .hash_counter_total = 0x8C,
    .version_rolling = 0xA4,
    .soft_reset = 0xA8,
};

// BM1370 (and BM1368, which firmware treats alike): counters seeded per chip from
// CHIP_NONCE_OFFSET (S21 Pro capture).
constexpr RegisterMap kBm1370Regs{
    .chip_nonce_offset = 0x0C,
    .hash_counter_total = 0x8C,
    .version_rolling = 0xA4,
    .soft_reset = 0xA8,
};

// BM1366/68/70 PLL: post dividers stored minus one (capture: 0x50D20240 = 525 MHz), flag
// 0x50 with the VCO at or above 2400 MHz (capture 0x50C00230 at exactly 2400), FBDIV
// 144..235 (ESP-Miner) and a VCO band of 2000..3200 MHz (mujina, bm13xx-rs): with it the
// lowest-VCO solution is the factory word of the S21 Pro capture (56.25 MHz 0x40A20255,
// 600 MHz 0x50C00230).
constexpr PllLimits kPllBm1366{
    .ref_mhz = 25.0,
    .fbdiv_min = 144,
    .fbdiv_max = 235,
    .refdiv_min = 1,
    .refdiv_max = 2,
    .postdiv_min = 1,
    .postdiv_max = 7,
    .vco_min_mhz = 2000.0,
    .vco_max_mhz = 3200.0,
    .vco_high_range_mhz = 2400.0,
    .freq_min_mhz = 50.0,
    .freq_max_mhz = 800.0,
    .postdiv_minus_one = true,
    .has_vco_range_flag = true,
};

// BM1370: FBDIV 160..239 (ESP-Miner, capture era and current).
constexpr PllLimits kPllBm1370 = [] {
	PllLimits l = kPllBm1366;
	l.fbdiv_min = 160;
	l.fbdiv_max = 239;
	return l;
}();

// BM1397: raw post dividers, flag always 0x40, FBDIV 60..200, VCO not bounded (ESP-Miner,
// gekko; no capture settles it, docs/protocol.md). With no VCO floor the lowest-VCO
// solution is ESP-Miner's (425 MHz 0x40440221, 450 MHz 0x40480221).
constexpr PllLimits kPllBm1397{
    .ref_mhz = 25.0,
    .fbdiv_min = 60,
    .fbdiv_max = 200,
    .refdiv_min = 1,
    .refdiv_max = 2,
    .postdiv_min = 1,
    .postdiv_max = 7,
    .vco_min_mhz = 0.0,
    .vco_max_mhz = 3200.0,
    .vco_high_range_mhz = 0.0,
    .freq_min_mhz = 50.0,
    .freq_max_mhz = 800.0,
    .postdiv_minus_one = false,
    .has_vco_range_flag = false,
};

// BM1366+: BT8D in 0x28 bits [15:8], bits 27..16 as every observed write has them
// (0x130) and bit 28 set as ESP-Miner and the S19j Pro write it (0x11300200 at 1.04 MBd;
// the S21 Pro writes 0x01300000, a board file can choose that base).
constexpr BaudRecipe kBaudBm1366{.reg = 0x28,
                                 .divisor_shift = 8,
                                 .divisor_bits = 8,
                                 .divisor_high_shift = 0,
                                 .base = 0x11300000,
                                 .max_baud = 3125000,
                                 .clock_hz = kCrystalHz,
                                 .clocks_per_step = 8};

// BM1397: BT8D bits 4..0 in 0x18 [12:8], bits 8..5 in [27:24]; the other fields as
// ESP-Miner writes them (0x00007A31 at 115740 Bd, 0x00006031 at 3.125 MBd).
constexpr BaudRecipe kBaudBm1397{.reg = 0x18,
                                 .divisor_shift = 8,
                                 .divisor_bits = 5,
                                 .divisor_high_shift = 24,
                                 .base = 0x00006031,
                                 .max_baud = 3125000,
                                 .clock_hz = kCrystalHz,
                                 .clocks_per_step = 8};

// The BM13xx ticket: difficulty 2^k above the chip's own difficulty 1, bit by bit.
constexpr TicketRule kTicketBm13xx{.format = TicketFormat::above_difficulty_one, .fine_bits = 32};

// HBFP, the FPGA prototype (fpga/rtl/chip/bm13xx_chip.v, docs/fpga.md "Chip wrapper"):
// its clock is the FPGA's, 48 MHz from the HX8K top's PLL (fpga/syn/hx8k_top.v). PLL0
// (0x08) is stored and read back but drives nothing, so the only frequency is that
// clock: a PLL band of one point (all dividers 1 from a 48 MHz "reference"), which
// leaves the ramp nothing to do and never writes 0x08.
constexpr double kHbfpClockMhz = 48.0;
constexpr PllLimits kPllHbfp{
    .ref_mhz = kHbfpClockMhz,
    .fbdiv_min = 1,
    .fbdiv_max = 1,
    .refdiv_min = 1,
    .refdiv_max = 1,
    .postdiv_min = 1,
    .postdiv_max = 1,
    .vco_min_mhz = kHbfpClockMhz,
    .vco_max_mhz = kHbfpClockMhz,
    .vco_high_range_mhz = 0.0,
    .freq_min_mhz = kHbfpClockMhz,
    .freq_max_mhz = kHbfpClockMhz,
    .postdiv_minus_one = false,
    .has_vco_range_flag = false,
};

// HBFP: 0x28 bits 15..0 = FPGA clocks per bit - 1, nothing else in the register (reset
// 415 = 115385 Bd at 48 MHz). 3 MBd = 16 clocks a bit; the RTL bench runs its UART at
// 4 clocks a bit, so the limit is the host's, not the chip's.
constexpr BaudRecipe kBaudHbfp{.reg = 0x28,
                               .divisor_shift = 0,
                               .divisor_bits = 16,
                               .divisor_high_shift = 0,
                               .base = 0,
                               .max_baud = 3000000,
                               .clock_hz = kHbfpClockMhz * 1e6,
                               .clocks_per_step = 1};

// 0xA4: bit 31 auto midstate generation, bits 29..28 = 1 (8 midstates), low 16 bits the
// version mask >> 13 (mujina, ESP-Miner).
constexpr std::uint32_t kVersionRollingBase = 0x90000000;

// What BM1366, BM1368 and BM1370 share: header jobs with the version rolled by the chip,
// 11-byte replies once 0xA4 is on, the 0x28 baud divisor, the minus-one PLL, four hash
// domains, 0x10 written after the ramp (capture, firmware; docs/protocol.md).
constexpr ChipFamily kHeaderJobFamily{
    .name = "",
    .chip_id = 0,
    .cores = 0,
    .small_cores = 0,
    .small_cores_per_core = 0,
    .domains = 4,
    .reply_len = bm13xx::kRollingReplyLen,
    .job_format = JobFormat::header,
    .max_midstates = 1,
    .job_id_step = 0,
    .first_job_id = 0,
    .reply_job = {},
    .nonce = {},
    .regs = kBm1366Regs,
    .pll = kPllBm1366,
    .baud = kBaudBm1366,
    .default_freq_mhz = 50.0,
    .nominal_freq_mhz = 0,
    .version_rolling_base = kVersionRollingBase,
    .hcn_errata_ticks = 0,
    .writes_hash_counting = true,
    .ticket = kTicketBm13xx,
    .clocks_per_hash = 1,
};

// BM1368 and BM1370 (firmware treats them alike): 16 small cores a core, 4-bit job ids in
// byte 5 [7:4], no chip field: counters from CHIP_NONCE_OFFSET (S21 Pro capture).
constexpr ChipFamily kSixteenSmallCoreFamily = [] {
	ChipFamily f = kHeaderJobFamily;
	f.small_cores_per_core = 16;
	f.job_id_step = 24;
	f.first_job_id = 24;
	f.reply_job = {.job_mask = 0xF0, .job_shift = 1, .sub_mask = 0x0F};
	f.nonce = {.core_shift = 25,
	           .core_bits = 7,
	           .small_core_shift = 0,
	           .small_core_bits = 0,
	           .attribution = ChipAttribution::offset_range,
	           .addr_shift = 0,
	           .addr_bits = 0,
	           .addr_drop = 0,
	           .range_shift = 9,
	           .range_bits = 16};
	f.regs = kBm1370Regs;
	return f;
}();

constexpr std::array<ChipFamily, 5> kFamilies{{
    {
        .name = "bm1397",
        .chip_id = 0x1397,
        .cores = 168,
        .small_cores = 672,
        .small_cores_per_core = 4,
        .domains = 1,
        .reply_len = bm13xx::kReplyLen,
        .job_format = JobFormat::midstates,
        .max_midstates = 4,
        .job_id_step = 4,
        .first_job_id = 4,
        .reply_job = {.job_mask = 0xFC, .job_shift = 0, .sub_mask = 0x03},
        .nonce = {.core_shift = 24,
                  .core_bits = 8,
                  .small_core_shift = 22,
                  .small_core_bits = 2,
                  .attribution = ChipAttribution::address_field,
                  .addr_shift = 14,
                  .addr_bits = 8,
                  .addr_drop = 0,
                  .range_shift = 0,
                  .range_bits = 0},
        .regs = kBm1397Regs,
        .pll = kPllBm1397,
        .baud = kBaudBm1397,
        .default_freq_mhz = 50.0,
        .nominal_freq_mhz = 425.0,
        .version_rolling_base = 0,
        .hcn_errata_ticks = 0,
        .writes_hash_counting = false,
        .ticket = kTicketBm13xx,
        .clocks_per_hash = 1,
    },
    [] {
	    ChipFamily f = kHeaderJobFamily;
	    f.name = "bm1366";
	    f.chip_id = 0x1366;
	    f.cores = 112;
	    f.small_cores = 894;
	    f.small_cores_per_core = 8;
	    f.job_id_step = 8;
	    f.first_job_id = 8;
	    f.reply_job = {.job_mask = 0xF8, .job_shift = 0, .sub_mask = 0x07};
	    // With version rolling on (every host turns it on): address bits 7..1 in
	    // [24:18] (capture, 77..126-chip BM1362 chains).
	    f.nonce = {.core_shift = 25,
	               .core_bits = 7,
	               .small_core_shift = 0,
	               .small_core_bits = 0,
	               .attribution = ChipAttribution::address_field,
	               .addr_shift = 18,
	               .addr_bits = 7,
	               .addr_drop = 1,
	               .range_shift = 0,
	               .range_bits = 0};
	    f.regs = kBm1366Regs;
	    f.nominal_freq_mhz = 485.0;
	    return f;
    }(),
    [] {
	    ChipFamily f = kSixteenSmallCoreFamily;
	    f.name = "bm1368";
	    f.chip_id = 0x1368;
	    f.cores = 80;
	    f.small_cores = 1276;
	    f.nominal_freq_mhz = 490.0;
	    return f;
    }(),
    [] {
	    ChipFamily f = kSixteenSmallCoreFamily;
	    f.name = "bm1370";
	    f.chip_id = 0x1370;
	    f.cores = 128;
	    f.small_cores = 2040;
	    f.pll = kPllBm1370;
	    f.nominal_freq_mhz = 525.0;
	    // "HW errata of 134 per clock cycle", twice (ESP-Miner).
	    f.hcn_errata_ticks = 268;
	    return f;
    }(),
    // HBFP: the FPGA prototype's chip (fpga/rtl/chip/bm13xx_chip.v; docs/fpga.md, "Facts
    // for a HAL family entry"). 4 lanes in the HX8K build, each a core of one hashing
    // unit that takes 130 clocks a nonce; BM1397-style midstate jobs and byte 5; the
    // lane in nonce bits 31..28, the chip's address in 27..20.
    {
        .name = "hbfp",
        .chip_id = 0x1FA1,
        .cores = 4,
        .small_cores = 4,
        .small_cores_per_core = 1,
        .domains = 1,
        .reply_len = bm13xx::kReplyLen,
        .job_format = JobFormat::midstates,
        .max_midstates = 4,
        .job_id_step = 4,
        .first_job_id = 4,
        .reply_job = {.job_mask = 0xFC, .job_shift = 0, .sub_mask = 0x03},
        .nonce = {.core_shift = 28,
                  .core_bits = 4,
                  .small_core_shift = 0,
                  .small_core_bits = 0,
                  .attribution = ChipAttribution::address_field,
                  .addr_shift = 20,
                  .addr_bits = 8,
                  .addr_drop = 0,
                  .range_shift = 0,
                  .range_bits = 0},
        .regs = RegisterMap{},
        .pll = kPllHbfp,
        .baud = kBaudHbfp,
        .default_freq_mhz = kHbfpClockMhz,
        .nominal_freq_mhz = kHbfpClockMhz,
        .version_rolling_base = 0,
        .hcn_errata_ticks = 0,
        .writes_hash_counting = false,
        // 0x14 masks H7 (bits 7..0 one by one, the bytes above whole): 0xFFFFFFFF is
        // difficulty 1, nothing above it.
        .ticket = {.format = TicketFormat::hash_zero_bits, .fine_bits = 8},
        .clocks_per_hash = 130,
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
