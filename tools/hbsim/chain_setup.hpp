// SPDX-License-Identifier: MIT
#pragma once

#include "options.hpp"

#include <hbsim/sim_chain.hpp>

#include <vector>

namespace hbsim_tool {

// The simulated chain the options describe; std::invalid_argument for a bad family or a
// fault position past the end of the chain.
hbsim::SimChainConfig chain_config(const Options &opt);

// One chain of a board file, as hbsim --board serves it.
struct BoardChain {
	unsigned id = 0;
	hbsim::SimChainConfig config;
};

// Every chain of --board's file, built as the in-process twin builds them (family,
// chips, [sim] seed and chain faults), with --zero-bits and --seed over the file's
// [sim] values. Throws std::invalid_argument (a BoardConfigError names file, line, key).
std::vector<BoardChain> board_chains(const Options &opt);

} // namespace hbsim_tool
