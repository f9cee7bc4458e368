// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hbsim_tool {

struct Options {
	std::string family = "bm1366";
	unsigned chips = 4;
	unsigned zero_bits = 12;
	std::uint64_t seed = 1;
	std::optional<unsigned> dead_chip;
	std::optional<unsigned> mute_chip;
	double bit_error_rate = 0;
	double freq_limit_mhz = 0; // 0: the simulator's default
	bool pty = false;
	std::string unix_path;    // --unix
	std::string control_path; // empty: a fresh path under $TMPDIR
	bool log_frames = false;
	bool json = false;
};

} // namespace hbsim_tool
