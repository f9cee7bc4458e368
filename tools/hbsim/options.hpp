// SPDX-License-Identifier: MIT
#pragma once

#include <hbsim/sim_chain.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace hbsim_tool {

// What hbsim serves when no option says otherwise: the simulator's default chain.
struct Options {
	std::string family = hbsim::SimChainConfig{}.family;
	unsigned chips = hbsim::SimChainConfig{}.chips;
	std::optional<unsigned> zero_bits; // unset: the board's [sim] zero_bits, or the default
	std::optional<std::uint64_t> seed; // unset: the board's [sim] seed, or the default
	std::optional<unsigned> dead_chip;
	std::optional<unsigned> mute_chip;
	double bit_error_rate = 0;
	double freq_limit_mhz = 0; // 0: the simulator's default
	std::string board_file;    // --board: one chain per [[chain]] of the file
	bool pty = false;
	std::string unix_path;    // --unix
	std::string unix_dir;     // --unix-dir, with --board: chain<id>.sock and chain<id>.ctl
	std::string control_path; // empty: a fresh path under $TMPDIR
	bool log_frames = false;
	bool json = false;
};

} // namespace hbsim_tool
