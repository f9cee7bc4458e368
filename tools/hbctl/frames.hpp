// SPDX-License-Identifier: MIT
// hbctl frames decode / encode / replay: the parts, registered under one "frames" group.
#pragma once

#include "commands.hpp"

namespace hbctl {

Runner add_frames_decode(CLI::App &frames);
Runner add_frames_encode(CLI::App &frames);
Runner add_frames_replay(CLI::App &frames);

} // namespace hbctl
