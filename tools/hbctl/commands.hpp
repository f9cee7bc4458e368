// SPDX-License-Identifier: MIT
#pragma once

#include "options.hpp"

#include <CLI/CLI.hpp>

#include <functional>

namespace hbctl {

// Each command registers its subcommand and returns the function that runs it; the
// function returns the process exit code.
using Runner = std::function<int()>;

Runner add_scan_command(CLI::App &app);
Runner add_mine_command(CLI::App &app);
Runner add_board_command(CLI::App &app);
Runner add_frames_command(CLI::App &app);
Runner add_regs_command(CLI::App &app);
Runner add_attach_command(CLI::App &app);
Runner add_tune_command(CLI::App &app);
Runner add_test_command(CLI::App &app);

} // namespace hbctl
