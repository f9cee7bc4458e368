// SPDX-License-Identifier: MIT
#pragma once

#include "options.hpp"

#include <hbsim/sim_chain.hpp>

namespace hbsim_tool {

// The simulated chain the options describe; std::invalid_argument for a bad family or a
// fault position past the end of the chain.
hbsim::ChainConfig chain_config(const Options &opt);

} // namespace hbsim_tool
