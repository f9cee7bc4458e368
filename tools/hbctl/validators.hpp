// SPDX-License-Identifier: MIT
// The checks every numeric hbctl option goes through, as CLI11 validators: a bad value
// is a usage error (exit 2) whose message names the option ("--seconds: ..."), before
// anything runs. CLI11 itself takes "nan", "inf" and "1e10" as doubles and wraps "-1"
// into an unsigned, so no option uses its bare conversions. Limits: docs/hbctl.md.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace hbctl {

// The longest run hbctl takes (mine --seconds, board mine --seconds): one day.
constexpr double kMaxRunSeconds = 86400;
// The shortest report interval: a table more often than this is noise, and a smaller
// one is a loop that only prints.
constexpr double kMinReportSeconds = 0.01;
// PLL ramp steps: below this a ramp takes hours of chip time to get anywhere.
constexpr double kMinRampStepMhz = 1.0;
constexpr double kMaxRampStepMhz = 1000.0;
constexpr double kMaxRampIntervalMs = 10000.0;
// The simulator in virtual time computes 2^(zero_bits-32) of the nominal hashes: above
// this a simulated second costs minutes of CPU (32 is hashing for real).
constexpr unsigned kMaxVirtualZeroBits = 16;

// A finite number in [min, max] ("nan", "inf" and out-of-range values refused).
CLI::Validator finite_range(double min, double max);
// A finite number above 0 and at most max.
CLI::Validator positive_up_to(double max);
// A whole number in [min, max], decimal digits (or 0x hex) only: no sign, no fraction,
// no wrap-around of "-1". It hands CLI11 the number in decimal (CLI11 would read "010"
// as octal), so add it with ->transform(), not ->check().
CLI::Validator whole_range(std::uint64_t min, std::uint64_t max);

} // namespace hbctl
