// SPDX-License-Identifier: MIT
#include "chain_setup.hpp"

#include "twins/sim_chain_config.hpp"
#include <hashboard/board/board_config.hpp>

#include <stdexcept>
#include <string>

namespace hbsim_tool {

namespace {

void check_position(const char *option, const std::optional<unsigned> &k, unsigned chips)
{
	if (k && *k >= chips)
		throw std::invalid_argument(std::string(option) + " " + std::to_string(*k) +
		                            ": the chain has chips 0 to " +
		                            std::to_string(chips - 1));
}

} // namespace

hbsim::SimChainConfig chain_config(const Options &opt)
{
	hbsim::SimChainConfig c;
	c.family = opt.family;
	c.chips = opt.chips;
	c.zero_bits = opt.zero_bits.value_or(c.zero_bits);
	c.seed = opt.seed.value_or(c.seed);
	check_position("--dead-chip", opt.dead_chip, opt.chips);
	check_position("--mute-chip", opt.mute_chip, opt.chips);
	c.faults.dead_chip = opt.dead_chip;
	c.faults.mute_chip = opt.mute_chip;
	c.faults.bit_error_rate = opt.bit_error_rate;
	c.freq_limit_mhz = opt.freq_limit_mhz;
	hbsim::validate(c);
	return c;
}

std::vector<BoardChain> board_chains(const Options &opt)
{
	hashboard::BoardConfig board = hashboard::load_board_config(opt.board_file);
	if (opt.zero_bits)
		board.sim.zero_bits = *opt.zero_bits;
	if (opt.seed)
		board.sim.seed = *opt.seed;
	std::vector<BoardChain> chains;
	for (const auto &spec : board.chains)
		chains.push_back({spec.id, hashboard::board_sim_chain_config(board, spec)});
	return chains;
}

} // namespace hbsim_tool
