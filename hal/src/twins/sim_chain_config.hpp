// SPDX-License-Identifier: MIT
//
// The simulated chain a board file describes, for the two places that build one: the
// in-process twin (SimDeviceFactory) and hbsim --board. Internal: the simulator's types
// stay out of the HAL's public headers.
#pragma once

#include <hashboard/board/board_config.hpp>
#include <hbsim/physics.hpp>
#include <hbsim/sim_chain.hpp>

#include <memory>

namespace hashboard {

// Family and chips from [[chain]], difficulty, seed (chain N: seed + 7919 N), ambient
// temperature and chain faults from [sim], voltage from the first rail that feeds it,
// and the chips' physics (ProcessPhysics from [sim], hidden parameters from the seed).
hbsim::SimChainConfig board_sim_chain_config(const BoardConfig &config, const ChainSpec &spec);

// The same physics board_sim_chain_config gives the chain (for the oracle).
std::shared_ptr<const hbsim::ProcessPhysics> board_chain_physics(const BoardConfig &config,
                                                                 const ChainSpec &spec);

// The regulator whose output each chip of the chain runs at ("" when none feeds it):
// its domain's, else the first rail that feeds the chain.
std::vector<std::string> chip_rails(const BoardConfig &config, const ChainSpec &spec);

} // namespace hashboard
