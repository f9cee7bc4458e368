// SPDX-License-Identifier: MIT
// hbsim hashes for real, in real time, on one core: chains whose chips would need more
// SHA-256d per second than that are refused before anything is served, and chains that
// come close are warned about.
#pragma once

#include "options.hpp"

#include <hbsim/sim_chain.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hbsim_tool {

// SHA-256d per second one core computes with the active SHA-256 implementation.
double one_core_hash_rate();

// The largest zero_bits at which every chain together leaves one core room to spare.
unsigned max_real_time_zero_bits(const std::vector<hbsim::SimChainConfig> &chains);

// What set the chains' zero_bits, for messages: "--zero-bits 20", "--zero-bits 12 (the
// default)", or "boards/x.toml: sim.zero_bits = 6".
std::string zero_bits_source(const Options &opt, unsigned zero_bits);

// Throws std::invalid_argument naming source and the bound when the chips would need
// more than twice what one core computes (they cannot keep up, whatever the estimate's
// error); returns a warning when they would need most of it (replies may come late).
std::optional<std::string> check_real_time(const std::vector<hbsim::SimChainConfig> &chains,
                                           const std::string &source);

} // namespace hbsim_tool
