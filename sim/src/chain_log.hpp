// SPDX-License-Identifier: MIT
//
// What the chain writes to hbsim's log about the frames it handles: the frame itself,
// then what it changed in the chips, one line per run of chips that changed alike
// ("chips 0-125: PLL 56.25 MHz"), so a broadcast to a long chain stays one line.
#pragma once

#include "sim_log.hpp"

#include <hbsim/sim_chain.hpp>

#include <hashboard/bm13xx/codec.hpp>

#include <vector>

namespace hbsim::detail {

void log_frame(const SimLog &log, Duration t, const hashboard::bm13xx::HostFrame &frame);
void log_changes(const SimLog &log, Duration t, const std::vector<ChipView> &before,
                 const std::vector<ChipView> &after);

} // namespace hbsim::detail
