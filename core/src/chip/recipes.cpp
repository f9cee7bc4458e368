// SPDX-License-Identifier: MIT
//
// Bring-up recipes: what real hosts write, in the order they write it. Each recipe names
// its source; the capture-backed ones (BM1370 open firmware = Bitaxe Gamma capture,
// BM1370 factory = S21 Pro capture) are checked write for write by
// tests/unit/test_capture_bringup.cpp against shared/vectors/bm13xx_captures.json.
// Where the order inside a step is not published (the per-chip pass on 65 chips, the
// domain relays) the ESP-Miner order is used; docs/protocol.md says so.
#include <hashboard/bringup_recipe.hpp>

#include <array>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace hashboard {
namespace {

using namespace std::chrono_literals;

RecipeStep write(std::uint8_t reg, std::uint32_t value, unsigned repeat = 1)
{
	return {.op = StepOp::write, .reg = reg, .value = value, .repeat = repeat};
}

RecipeStep op(StepOp o, unsigned repeat = 1, Duration wait = {})
{
	return {.op = o, .repeat = repeat, .wait = wait};
}

// 0x58 = io at each domain's last chip, then the broadcasts, then the 0x2C relays.
RecipeStep domain_config(std::uint32_t io, std::vector<RegWrite> broadcasts, Duration wait)
{
	return {.op = StepOp::domain_config,
	        .value = io,
	        .wait = wait,
	        .chip_writes = std::move(broadcasts)};
}

RecipeStep chip_pass(std::vector<RegWrite> writes, Duration wait = {})
{
	return {.op = StepOp::chip_pass,
	        .target = StepTarget::each_chip,
	        .wait = wait,
	        .chip_writes = std::move(writes)};
}

// Every BM1366-class host starts the chips the same way: soft reset, then 0x18 with the
// report enables (0xF000C100 on the BM1370, 0xFF0FC100 in ESP-Miner's BM1366/68 code).
std::vector<RecipeStep> soft_reset_and_reporting(std::uint32_t misc_control)
{
	return {write(0xA8, 0x00070000), write(0x18, misc_control)};
}

// Addressing: chain inactive, one set-address per chip (or slot), the HAL's probe.
std::vector<RecipeStep> addressing()
{
	return {op(StepOp::chain_inactive), op(StepOp::set_addresses), op(StepOp::probe_chips)};
}

// Each chip in turn: soft reset with the core reset bits, report enables, the family's
// two core clock words and the core enable (capture for the BM1370; ESP-Miner for the
// BM1366/68, whose core words differ).
RecipeStep core_chip_pass(std::uint32_t core_a, std::uint32_t core_b, Duration wait = {})
{
	return chip_pass({{0xA8, 0x000701F0},
	                  {0x18, 0xF000C100},
	                  {0x3C, core_a},
	                  {0x3C, core_b},
	                  {0x3C, 0x800082AA}},
	                 wait);
}

// What both BM1370 hosts write around the addresses (Bitaxe and S21 Pro captures): core
// clock words, ticket, IO strength ...
constexpr std::uint32_t kBm1370CoreA = 0x80008B00;
constexpr std::uint32_t kBm1370CoreB = 0x8000800C;
std::vector<RecipeStep> bm1370_core_setup()
{
	return {write(0x3C, kBm1370CoreA), write(0x3C, kBm1370CoreB), op(StepOp::ticket_mask),
	        write(0x58, 0x00011111)};
}

// ... each chip's soft reset, report enables, core words and core enable, then the
// analog and core writes before the ramp.
std::vector<RecipeStep> bm1370_chips_and_analog()
{
	return {core_chip_pass(kBm1370CoreA, kBm1370CoreB), write(0xB9, 0x00004480),
	        write(0x54, 0x00000002), write(0xB9, 0x00004480), write(0x3C, 0x80008DEE)};
}

// What ESP-Miner writes to BM1366 and BM1368 chains before the per-chip pass: the core
// clock words, ticket, analog mux and IO strength (bm1366.c, bm1368.c).
constexpr std::uint32_t kBm1366CoreA = 0x80008540;
constexpr std::uint32_t kBm1366CoreB = 0x80008020;
constexpr std::uint32_t kBm1368CoreA = 0x80008B00;
constexpr std::uint32_t kBm1368CoreB = 0x80008018;
std::vector<RecipeStep> bm1366_class_core_setup(std::uint32_t core_a, std::uint32_t core_b)
{
	return {write(0x3C, core_a), write(0x3C, core_b), op(StepOp::ticket_mask),
	        write(0x54, 0x00000003), write(0x58, 0x02111111)};
}

std::vector<RecipeStep> steps(std::initializer_list<std::vector<RecipeStep>> parts)
{
	std::vector<RecipeStep> out;
	for (const auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

// What open firmware (ESP-Miner, Bitaxe-class boards) does on every family: addresses
// 256/chips apart, set-address for the chips only, no pacing, the lowest-VCO PLL words
// from 56.25 MHz, the baud register's other bits as the family table has them.
BringupRecipe open_firmware(std::string_view family, std::string_view source,
                            std::vector<RecipeStep> recipe_steps)
{
	return {
	    .family = family,
	    .style = BringupStyle::open_firmware,
	    .source = source,
	    .pll_solver = PllSolver::lowest_vco,
	    .ramp_start_mhz = 56.25,
	    .address_interval = 0,
	    .address_every_slot = false,
	    .pace = {},
	    .baud_base = std::nullopt,
	    .steps = std::move(recipe_steps),
	};
}

// What stock firmware does on multi-chip hashboards (S21 Pro capture): address interval
// 2 over every slot, 10 ms between configuration writes.
BringupRecipe factory(std::string_view family, std::string_view source,
                      std::vector<RecipeStep> recipe_steps)
{
	BringupRecipe r = open_firmware(family, source, std::move(recipe_steps));
	r.style = BringupStyle::factory;
	r.address_interval = 2;
	r.address_every_slot = true;
	r.pace = 10ms;
	return r;
}

// BM1370, ESP-Miner of June 2025 = the Bitaxe Gamma capture (mujina REFERENCE.md,
// ESP-Miner 0d0643c bm1370.c).
BringupRecipe bm1370_open_firmware()
{
	BringupRecipe r = open_firmware(
	    "bm1370", "capture: Bitaxe Gamma (1x BM1370, ESP-Miner June 2025)",
	    steps({
	        {op(StepOp::version_rolling, 3), op(StepOp::read_chip_ids),
	         op(StepOp::version_rolling)},
	        soft_reset_and_reporting(0xF000C100),
	        addressing(),
	        bm1370_core_setup(),
	        bm1370_chips_and_analog(),
	        {op(StepOp::pll_ramp), op(StepOp::nonce_offsets), op(StepOp::hash_counting),
	         op(StepOp::baud, 1, 20ms), op(StepOp::version_rolling)},
	    }));
	r.pll_solver = PllSolver::first_within_1mhz;
	r.ramp_start_mhz = 62.5;
	return r;
}

// BM1370, stock firmware on a 65-chip S21 Pro board (capture, mujina REFERENCE.md).
BringupRecipe bm1370_factory()
{
	BringupRecipe r = factory(
	    "bm1370", "capture: Antminer S21 Pro hash board (65x BM1370, stock firmware)",
	    steps({
	        {op(StepOp::version_rolling, 3), op(StepOp::read_chip_ids)},
	        soft_reset_and_reporting(0xF000C100),
	        addressing(),
	        bm1370_core_setup(),
	        // The host waits ~60 ms for the baud write to drain before it switches.
	        {domain_config(0x0001F111, {{0x68, 0x5AA55AA5}}, 130ms), op(StepOp::baud, 1, 60ms)},
	        bm1370_chips_and_analog(),
	        {op(StepOp::pll_ramp), op(StepOp::nonce_offsets), op(StepOp::hash_counting),
	         op(StepOp::version_rolling)},
	    }));
	r.baud_base = 0x01300000; // the S21 Pro's, not ESP-Miner's 0x11300000
	return r;
}

// BM1368, ESP-Miner 5c27713 bm1368.c (firmware; chain inactive before the broadcast
// block and set-address after it, as that firmware does; 500 ms after each chip).
BringupRecipe bm1368_open_firmware()
{
	return open_firmware(
	    "bm1368", "firmware: ESP-Miner 5c27713 (Bitaxe Supra)",
	    steps({
	        {op(StepOp::version_rolling, 4), op(StepOp::read_chip_ids),
	         op(StepOp::chain_inactive)},
	        soft_reset_and_reporting(0xFF0FC100),
	        bm1366_class_core_setup(kBm1368CoreA, kBm1368CoreB),
	        {op(StepOp::set_addresses), op(StepOp::probe_chips),
	         core_chip_pass(kBm1368CoreA, kBm1368CoreB, 500ms), op(StepOp::ticket_mask),
	         op(StepOp::pll_ramp), op(StepOp::nonce_offsets), op(StepOp::hash_counting),
	         op(StepOp::version_rolling), op(StepOp::baud, 1, 20ms)},
	    }));
}

// What both BM1366 recipes share (firmware; the factory one in factory order): the
// count and addresses first ...
std::vector<RecipeStep> bm1366_prologue()
{
	return steps({{op(StepOp::version_rolling, 3), op(StepOp::read_chip_ids)},
	              soft_reset_and_reporting(0xFF0FC100),
	              addressing()});
}

// ... and after the per-chip pass the ramp, 0x10 and rolling (no nonce offsets: the
// BM1366 puts its address in the nonce).
std::vector<RecipeStep> bm1366_ramp_and_rolling()
{
	return {op(StepOp::pll_ramp), op(StepOp::hash_counting), op(StepOp::version_rolling)};
}

// BM1366, ESP-Miner 5c27713 bm1366.c (firmware).
BringupRecipe bm1366_open_firmware()
{
	return open_firmware("bm1366", "firmware: ESP-Miner 5c27713 (Bitaxe Ultra, Hex)",
	                     steps({
	                         bm1366_prologue(),
	                         bm1366_class_core_setup(kBm1366CoreA, kBm1366CoreB),
	                         {core_chip_pass(kBm1366CoreA, kBm1366CoreB)},
	                         bm1366_ramp_and_rolling(),
	                         {op(StepOp::baud, 1, 20ms)},
	                     }));
}

// BM1366 on multi-chip stock boards. No S19k Pro bring-up is public: this is the
// ESP-Miner BM1366 register set in the order of the S21 Pro factory capture, with the
// S19 XP fragments (reported by bm13xx-rs: 0x58 0x02111111, domain relays, baud at
// 1.04 MBd, 0x10 from the board) where they say more. A capture would settle it.
BringupRecipe bm1366_factory()
{
	return factory("bm1366",
	               "derived: ESP-Miner BM1366 writes in the S21 Pro factory order, S19 XP "
	               "fragments (no S19k Pro capture is public)",
	               steps({
	                   bm1366_prologue(),
	                   bm1366_class_core_setup(kBm1366CoreA, kBm1366CoreB),
	                   {domain_config(0x0211F111, {}, 130ms), op(StepOp::baud, 1, 200ms),
	                    core_chip_pass(kBm1366CoreA, kBm1366CoreB)},
	                   bm1366_ramp_and_rolling(),
	               }));
}

// BM1397, ESP-Miner 5c27713 bm1397.c (firmware; no capture). No 0x10 and no 0xA4:
// that firmware writes neither; the baud is raised after the ramp.
BringupRecipe bm1397_open_firmware()
{
	return open_firmware(
	    "bm1397", "firmware: ESP-Miner 5c27713 (Bitaxe Max)",
	    steps({
	        {op(StepOp::read_chip_ids, 1, 20ms)},
	        addressing(),
	        {write(0x80, 0x00000000), write(0x84, 0x00000000), write(0x20, 0x00000001),
	         write(0x3C, 0x80008074), op(StepOp::ticket_mask), write(0x68, 0xC0700111),
	         write(0x28, 0x0600000F), write(0x18, 0x00007A31), op(StepOp::pll_ramp),
	         op(StepOp::baud, 1, 20ms)},
	    }));
}

// HBFP, the FPGA prototype: what its RTL needs (fpga/rtl/chip/bm13xx_chip.v, docs/fpga.md
// "Chip wrapper"): count, chain inactive, addresses, the ticket mask, then the baud. It
// has no report enables, core or analog registers, hash counting number or version
// rolling to set, and its PLL0 drives nothing (the ramp step has nothing to move).
BringupRecipe hbfp_open_firmware()
{
	return open_firmware(
	    "hbfp", "RTL: fpga/rtl/chip/bm13xx_chip.v (docs/fpga.md)",
	    steps({
	        {op(StepOp::read_chip_ids)},
	        addressing(),
	        {op(StepOp::ticket_mask), op(StepOp::pll_ramp), op(StepOp::baud, 1, 20ms)},
	    }));
}

const std::array<BringupRecipe, 7> &recipes()
{
	static const std::array<BringupRecipe, 7> all{
	    bm1370_open_firmware(), bm1370_factory(), bm1368_open_firmware(),
	    bm1366_open_firmware(), bm1366_factory(), bm1397_open_firmware(),
	    hbfp_open_firmware(),
	};
	return all;
}

} // namespace

std::string_view bringup_style_name(BringupStyle style)
{
	return style == BringupStyle::factory ? "factory" : "open-firmware";
}

BringupStyle bringup_style_by_name(std::string_view name)
{
	if (name == "factory")
		return BringupStyle::factory;
	if (name == "open-firmware" || name == "open_firmware")
		return BringupStyle::open_firmware;
	throw std::invalid_argument("unknown bring-up style '" + std::string(name) +
	                            "' (known: open-firmware, factory)");
}

const BringupRecipe *find_bringup_recipe(const ChipFamily &family, BringupStyle style)
{
	for (const auto &r : recipes())
		if (r.family == family.name && r.style == style)
			return &r;
	return nullptr;
}

const BringupRecipe &bringup_recipe(const ChipFamily &family, BringupStyle style)
{
	if (const auto *r = find_bringup_recipe(family, style))
		return *r;
	std::string known;
	for (const auto &r : recipes())
		if (r.family == family.name)
			known +=
			    (known.empty() ? "" : ", ") + std::string(bringup_style_name(r.style));
	throw std::invalid_argument(std::string(family.name) + " has no " +
	                            std::string(bringup_style_name(style)) +
	                            " bring-up recipe (it has: " + known + ")");
}

std::uint32_t uart_relay_value(unsigned domain, unsigned domains, unsigned chips_per_domain)
{
	// 0x4F .. 0x13 in steps of 5 on the S21 Pro (13 x 5 chips); the reported S21 XP
	// (0x69 .. 0x15, 13 x 7) and S19 XP (0x7C .. 0x18, 11 x 10) follow the same rule.
	const unsigned gap = 0x0E + chips_per_domain * (domains - domain);
	return std::uint32_t(gap & 0xFFFF) << 16 | 0x3;
}

} // namespace hashboard
