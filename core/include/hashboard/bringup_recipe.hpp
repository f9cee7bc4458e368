// SPDX-License-Identifier: MIT
//
// What real hosts write to bring a chain of a family up, as data: the writes, their
// order, repeats and waits, broadcast or per chip. Chain::enumerate() and
// Chain::bring_up() execute a recipe step by step; docs/protocol.md ("Bring-up") gives
// each recipe's source (capture or firmware). The recipes live in
// core/src/chip/recipes.cpp.
#pragma once

#include <hashboard/chip_family.hpp>
#include <hashboard/clock.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace hashboard {

// Whose bring-up a chain follows.
enum class BringupStyle {
	// Open firmware (ESP-Miner) on Bitaxe-class boards: addresses 256/chips apart, the
	// baud raised after the PLL ramp (Bitaxe Gamma capture, BM1370).
	open_firmware,
	// Stock firmware on multi-chip hashboards: address interval 2 over 128 set-address
	// commands, domain relays, the baud raised before the per-chip pass, per-chip nonce
	// offsets (S21 Pro capture, BM1370).
	factory,
};
std::string_view bringup_style_name(BringupStyle style);
BringupStyle bringup_style_by_name(std::string_view name); // throws std::invalid_argument

enum class StepOp {
	write,           // reg = value, to `target`, `repeat` times
	version_rolling, // 0xA4 with the chain's version mask, `repeat` times
	read_chip_ids,   // broadcast read of reg 0: counts the chips (enumeration)
	chain_inactive,
	set_addresses, // one set-address per chip, or per slot (factory)
	probe_chips,   // the HAL's own: an addressed read of reg 0 per chip (breaks)
	ticket_mask,   // 0x14 with the chain's ticket difficulty
	chip_pass,     // chip_writes to each chip in turn, chip by chip
	domain_config, // 0x58 at each domain's last chip, 0x68, 0x2C relays at the ends
	baud,          // the chain's UART divisor; the host follows after `wait`
	pll_ramp,      // stepped PLL0 writes to the targets (0x70 first on BM1397)
	hash_counting, // 0x10: the board's factory value or the computed one
	nonce_offsets, // 0x0C per chip (BM1370 chains of more than one chip)
	wait,
};

enum class StepTarget { all, each_chip };

struct RegWrite {
	std::uint8_t reg;
	std::uint32_t value;
};

struct RecipeStep {
	StepOp op;
	StepTarget target = StepTarget::all;
	std::uint8_t reg = 0;
	std::uint32_t value = 0;
	unsigned repeat = 1;
	Duration wait{}; // after the step (wait: its length)
	// chip_pass: the writes each chip gets; domain_config: broadcasts between the 0x58
	// writes (step value) and the 0x2C relays.
	std::vector<RegWrite> chip_writes{};
};

struct BringupRecipe {
	std::string_view family;
	BringupStyle style;
	std::string_view source; // where the sequence comes from (capture / firmware)
	PllSolver pll_solver;
	double ramp_start_mhz;
	// 0 = the family's default spacing (the largest power of two with chips x step <= 256,
	// which is ESP-Miner's 256 / chips for chain lengths that are powers of two).
	unsigned address_interval;
	bool address_every_slot; // set-address for all 256 / interval slots (factory)
	Duration pace{};         // between consecutive configuration writes
	// The baud register's other bits; unset: the family's (BaudRecipe::base).
	std::optional<std::uint32_t> baud_base;
	std::vector<RecipeStep> steps;
};

// nullptr when the family has no recipe in that style.
const BringupRecipe *find_bringup_recipe(const ChipFamily &family, BringupStyle style);
// The recipe, or std::invalid_argument naming the styles the family has.
const BringupRecipe &bringup_recipe(const ChipFamily &family, BringupStyle style);

// S21 Pro: 0x2C = gap << 16 | 3 at both ends of each domain, the gap falling by the
// domain's chip count from the host end (0x4F) to the far end (0x13).
std::uint32_t uart_relay_value(unsigned domain, unsigned domains, unsigned chips_per_domain);

} // namespace hashboard
