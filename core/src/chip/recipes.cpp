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
#include <stdexcept>
#include <string>

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
	return {.op = StepOp::domain_config, .value = io, .wait = wait,
		.chip_writes = std::move(broadcasts)};
}

RecipeStep chip_pass(std::vector<RegWrite> writes, Duration wait = {})
{
	return {.op = StepOp::chip_pass, .target = StepTarget::each_chip, .wait = wait,
		.chip_writes = std::move(writes)};
}

// What both BM1370 hosts write around the addresses (Bitaxe and S21 Pro captures): core
// clock words, ticket, IO strength ...
std::vector<RecipeStep> bm1370_core_setup()
{
	return {write(0x3C, 0x80008B00), write(0x3C, 0x8000800C), op(StepOp::ticket_mask),
		write(0x58, 0x00011111)};
}

// ... each chip's soft reset, report enables, core words and core enable, then the
// analog and core writes before the ramp.
std::vector<RecipeStep> bm1370_chips_and_analog()
{
	return {chip_pass({{0xA8, 0x000701F0}, {0x18, 0xF000C100}, {0x3C, 0x80008B00},
			   {0x3C, 0x8000800C}, {0x3C, 0x800082AA}}),
		write(0xB9, 0x00004480), write(0x54, 0x00000002), write(0xB9, 0x00004480),
		write(0x3C, 0x80008DEE)};
}

std::vector<RecipeStep> steps(std::initializer_list<std::vector<RecipeStep>> parts)
{
	std::vector<RecipeStep> out;
	for (const auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

// BM1370, ESP-Miner of June 2025 = the Bitaxe Gamma capture (mujina REFERENCE.md,
// ESP-Miner 0d0643c bm1370.c).
BringupRecipe bm1370_open_firmware()
{
	return {
		.family = "bm1370",
		.style = BringupStyle::open_firmware,
		.source = "capture: Bitaxe Gamma (1x BM1370, ESP-Miner June 2025)",
		.pll_solver = PllSolver::first_within_1mhz,
		.ramp_start_mhz = 62.5,
		.address_interval = 0,
		.address_every_slot = false,
		.pace = {},
		.baud_base = 0x11300000,
		.steps = steps({
			{op(StepOp::version_rolling, 3), op(StepOp::read_chip_ids),
			 op(StepOp::version_rolling), write(0xA8, 0x00070000), write(0x18, 0xF000C100),
			 op(StepOp::chain_inactive), op(StepOp::set_addresses), op(StepOp::probe_chips)},
			bm1370_core_setup(),
			bm1370_chips_and_analog(),
			{op(StepOp::pll_ramp), op(StepOp::nonce_offsets), op(StepOp::hash_counting),
			 op(StepOp::baud, 1, 20ms), op(StepOp::version_rolling)},
		}),
	};
}

// BM1370, stock firmware on a 65-chip S21 Pro board (capture, mujina REFERENCE.md).
BringupRecipe bm1370_factory()
{
	return {
		.family = "bm1370",
		.style = BringupStyle::factory,
		.source = "capture: Antminer S21 Pro hash board (65x BM1370, stock firmware)",
		.pll_solver = PllSolver::lowest_vco,
		.ramp_start_mhz = 56.25,
		.address_interval = 2,
		.address_every_slot = true,
		.pace = 10ms,
		.baud_base = 0x01300000,
		.steps = steps({
			{op(StepOp::version_rolling, 3), op(StepOp::read_chip_ids),
			 write(0xA8, 0x00070000), write(0x18, 0xF000C100), op(StepOp::chain_inactive),
			 op(StepOp::set_addresses), op(StepOp::probe_chips)},
			bm1370_core_setup(),
			// The host waits ~60 ms for the baud write to drain before it switches.
			{domain_config(0x0001F111, {{0x68, 0x5AA55AA5}}, 130ms), op(StepOp::baud, 1, 60ms)},
			bm1370_chips_and_analog(),
			{op(StepOp::pll_ramp), op(StepOp::nonce_offsets), op(StepOp::hash_counting),
			 op(StepOp::version_rolling)},
		}),
	};
}

// BM1368, ESP-Miner 5c27713 bm1368.c (firmware; chain inactive before the broadcast
// block and set-address after it, as that firmware does; 500 ms after each chip).
BringupRecipe bm1368_open_firmware()
{
	return {
		.family = "bm1368",
		.style = BringupStyle::open_firmware,
		.source = "firmware: ESP-Miner 5c27713 (Bitaxe Supra)",
		.pll_solver = PllSolver::lowest_vco,
		.ramp_start_mhz = 56.25,
		.address_interval = 0,
		.address_every_slot = false,
		.pace = {},
		.baud_base = 0x11300000,
		.steps = {
			op(StepOp::version_rolling, 4),
			op(StepOp::read_chip_ids),
			op(StepOp::chain_inactive),
			write(0xA8, 0x00070000),
			write(0x18, 0xFF0FC100),
			write(0x3C, 0x80008B00),
			write(0x3C, 0x80008018),
			op(StepOp::ticket_mask),
			write(0x54, 0x00000003),
			write(0x58, 0x02111111),
			op(StepOp::set_addresses),
			op(StepOp::probe_chips),
			chip_pass({{0xA8, 0x000701F0}, {0x18, 0xF000C100}, {0x3C, 0x80008B00},
				   {0x3C, 0x80008018}, {0x3C, 0x800082AA}},
				  500ms),
			op(StepOp::ticket_mask),
			op(StepOp::pll_ramp),
			op(StepOp::nonce_offsets),
			op(StepOp::hash_counting),
			op(StepOp::version_rolling),
			op(StepOp::baud, 1, 20ms),
		},
	};
}

// BM1366, ESP-Miner 5c27713 bm1366.c (firmware).
BringupRecipe bm1366_open_firmware()
{
	return {
		.family = "bm1366",
		.style = BringupStyle::open_firmware,
		.source = "firmware: ESP-Miner 5c27713 (Bitaxe Ultra, Hex)",
		.pll_solver = PllSolver::lowest_vco,
		.ramp_start_mhz = 56.25,
		.address_interval = 0,
		.address_every_slot = false,
		.pace = {},
		.baud_base = 0x11300000,
		.steps = {
			op(StepOp::version_rolling, 3),
			op(StepOp::read_chip_ids),
			write(0xA8, 0x00070000),
			write(0x18, 0xFF0FC100),
			op(StepOp::chain_inactive),
			op(StepOp::set_addresses),
			op(StepOp::probe_chips),
			write(0x3C, 0x80008540),
			write(0x3C, 0x80008020),
			op(StepOp::ticket_mask),
			write(0x54, 0x00000003),
			write(0x58, 0x02111111),
			chip_pass({{0xA8, 0x000701F0}, {0x18, 0xF000C100}, {0x3C, 0x80008540},
				   {0x3C, 0x80008020}, {0x3C, 0x800082AA}}),
			op(StepOp::pll_ramp),
			op(StepOp::hash_counting),
			op(StepOp::version_rolling),
			op(StepOp::baud, 1, 20ms),
		},
	};
}

// BM1366 on multi-chip stock boards. No S19k Pro bring-up is public: this is the
// ESP-Miner BM1366 register set in the order of the S21 Pro factory capture, with the
// S19 XP fragments (reported by bm13xx-rs: 0x58 0x02111111, domain relays, baud at
// 1.04 MBd, 0x10 from the board) where they say more. A capture would settle it.
BringupRecipe bm1366_factory()
{
	return {
		.family = "bm1366",
		.style = BringupStyle::factory,
		.source = "derived: ESP-Miner BM1366 writes in the S21 Pro factory order, S19 XP "
			  "fragments (no S19k Pro capture is public)",
		.pll_solver = PllSolver::lowest_vco,
		.ramp_start_mhz = 56.25,
		.address_interval = 2,
		.address_every_slot = true,
		.pace = 10ms,
		.baud_base = 0x11300000,
		.steps = {
			op(StepOp::version_rolling, 3),
			op(StepOp::read_chip_ids),
			write(0xA8, 0x00070000),
			write(0x18, 0xFF0FC100),
			op(StepOp::chain_inactive),
			op(StepOp::set_addresses),
			op(StepOp::probe_chips),
			write(0x3C, 0x80008540),
			write(0x3C, 0x80008020),
			op(StepOp::ticket_mask),
			write(0x54, 0x00000003),
			write(0x58, 0x02111111),
			domain_config(0x0211F111, {}, 130ms),
			op(StepOp::baud, 1, 200ms),
			chip_pass({{0xA8, 0x000701F0}, {0x18, 0xF000C100}, {0x3C, 0x80008540},
				   {0x3C, 0x80008020}, {0x3C, 0x800082AA}}),
			op(StepOp::pll_ramp),
			op(StepOp::hash_counting),
			op(StepOp::version_rolling),
		},
	};
}

// BM1397, ESP-Miner 5c27713 bm1397.c (firmware; no capture). No 0x10 and no 0xA4:
// that firmware writes neither; the baud is raised after the ramp.
BringupRecipe bm1397_open_firmware()
{
	return {
		.family = "bm1397",
		.style = BringupStyle::open_firmware,
		.source = "firmware: ESP-Miner 5c27713 (Bitaxe Max)",
		.pll_solver = PllSolver::lowest_vco,
		.ramp_start_mhz = 56.25,
		.address_interval = 0,
		.address_every_slot = false,
		.pace = {},
		.baud_base = 0x00006031,
		.steps = {
			op(StepOp::read_chip_ids, 1, 20ms),
			op(StepOp::chain_inactive),
			op(StepOp::set_addresses),
			op(StepOp::probe_chips),
			write(0x80, 0x00000000),
			write(0x84, 0x00000000),
			write(0x20, 0x00000001),
			write(0x3C, 0x80008074),
			op(StepOp::ticket_mask),
			write(0x68, 0xC0700111),
			write(0x28, 0x0600000F),
			write(0x18, 0x00007A31),
			op(StepOp::pll_ramp),
			op(StepOp::baud, 1, 20ms),
		},
	};
}

const std::array<BringupRecipe, 6> &recipes()
{
	static const std::array<BringupRecipe, 6> all{
		bm1370_open_firmware(), bm1370_factory(),	bm1368_open_firmware(),
		bm1366_open_firmware(), bm1366_factory(), bm1397_open_firmware(),
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
			known += (known.empty() ? "" : ", ") + std::string(bringup_style_name(r.style));
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
