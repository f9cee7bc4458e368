// SPDX-License-Identifier: MIT
//
// The simulated chain a board file describes, for the two places that build one: the
// in-process twin (SimDeviceFactory) and hbsim --board. Internal: the simulator's types
// stay out of the HAL's public headers.
#pragma once

#include <hashboard/board/board_config.hpp>
#include <hbsim/sim_chain.hpp>

namespace hashboard {

// Family and chips from [[chain]], difficulty, seed (chain N: seed + 7919 N), ambient
// temperature and chain faults from [sim], voltage from the first rail that feeds it.
hbsim::SimChainConfig board_sim_chain_config(const BoardConfig &config, const ChainSpec &spec);

} // namespace hashboard
