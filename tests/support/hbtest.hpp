// SPDX-License-Identifier: MIT
// Helpers shared by the test programs.
#pragma once

#include <boost/json.hpp>

#include <string>

namespace hbtest {

// Parses tests/vectors/<name>; fails the test run with a clear message if it is missing.
boost::json::value load_vector(const std::string &name);

// Paths of the built tools, for tests that run them as separate processes.
inline const char *hbsim_bin() { return HB_HBSIM_BIN; }
inline const char *hbctl_bin() { return HB_HBCTL_BIN; }

} // namespace hbtest
