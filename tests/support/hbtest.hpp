// SPDX-License-Identifier: MIT
// Helpers shared by the test programs.
#pragma once

#include <boost/json.hpp>

#include <filesystem>
#include <string>

namespace hbtest {

// Parses tests/vectors/<name>; fails the test run with a clear message if it is missing.
boost::json::value load_vector(const std::string &name);
// tests/vectors/bm13xx_captures.json (the shared captures: init sequences, job frames,
// replies, PLL and baud words), read once.
const boost::json::object &captures();

// The shipped board files (boards/).
inline std::filesystem::path boards_dir()
{
	return HB_BOARDS_DIR;
}

// 1-based number of the first line of text that contains needle (fails the test when
// none does): where a board-file error must point.
unsigned line_of(const std::string &text, const std::string &needle);

// Paths of the built tools, for tests that run them as separate processes.
inline const char *hbsim_bin()
{
	return HB_HBSIM_BIN;
}
inline const char *hbctl_bin()
{
	return HB_HBCTL_BIN;
}

} // namespace hbtest
