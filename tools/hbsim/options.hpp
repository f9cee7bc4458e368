// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hbsim_tool {

// Leading zero bits when neither --zero-bits nor a board file says.
inline constexpr unsigned kDefaultZeroBits = 12;
inline constexpr std::uint64_t kDefaultSeed = 1;

struct Options {
	std::string family = "bm1366";
	unsigned chips = 4;
	std::optional<unsigned> zero_bits; // unset: the board's [sim] zero_bits, or 12
	std::optional<std::uint64_t> seed; // unset: the board's [sim] seed, or 1
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
