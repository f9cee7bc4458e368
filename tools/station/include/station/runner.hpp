// SPDX-License-Identifier: MIT
//
// Runs a test plan on a Board: power-up and device checks, enumeration, the pattern
// test and what follows from it, then power-down. The board must be off; it is left off
// (or tripped, when the safety supervisor stopped it).
#pragma once

#include <station/plan.hpp>
#include <station/result.hpp>

#include <hashboard/board/board.hpp>

#include <functional>
#include <string>

namespace station {

struct RunOptions {
	std::string serial;
	std::string board_file;
	bool simulated = false;
	// One line at each step's start and end, and while a long step runs.
	std::function<void(const std::string &)> progress;
	// The board's own log lines (bring-up, trips).
	std::function<void(const std::string &)> log;
};

RunResult run_test_plan(hashboard::Board &board, const TestPlan &plan, const RunOptions &options);

// A step's repair hint text and the verdict line, as the console shows them.
std::string format_finding(const Finding &f);

// Expected valid nonces of a chip in seconds: Poisson with this mean.
double expected_nonces(double seconds, double hashes_per_second, unsigned ticket_log2);
// Below this many valid nonces a chip with that mean fails the pattern test.
double min_valid_nonces(double expected, const PatternStep &step);

} // namespace station
