// SPDX-License-Identifier: MIT
// The runner's shared state and its steps, one function per step kind (internal).
#pragma once

#include <station/runner.hpp>

#include <hashboard/board/safety.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace station::detail {

// What the pattern run leaves for the steps that measure over it.
struct PatternWindow {
	double seconds = 0;
	bool tripped = false;
	std::vector<hashboard::SensorReading> before, after;
	std::map<unsigned, std::vector<hashboard::ChipCounters>> counters_before, counters_after;
};

struct Context {
	hashboard::Board &board;
	const TestPlan &plan;
	const RunOptions &options;
	RunResult &result;
	hashboard::SafetySupervisor &supervisor;
	std::optional<std::string> power_error;  // power_up threw this
	std::optional<std::string> chains_error; // start_chains threw this
	bool chains_started = false;
	std::optional<PatternWindow> pattern;

	void say(const std::string &line) const
	{
		if (options.progress)
			options.progress(line);
	}
	// The voltage domain a chip sits in ("" when the board file names none).
	std::string domain_of(unsigned chain, unsigned position) const;
	ChipResult *chip(unsigned chain, unsigned position);
	// start_chains once, for the first step that needs the chips; false when it failed
	// (chains_error says why) or the board is not powered.
	bool ensure_chains();
	// Why a step that needs power or chips cannot run, or nullopt when it can.
	std::optional<std::string> blocked(bool needs_chains);
};

void run_supply(Context &c, const PlanStep &s, StepResult &r);
void run_sensors(Context &c, const PlanStep &s, StepResult &r);
void run_fans(Context &c, const PlanStep &s, StepResult &r);
void run_enumeration(Context &c, const PlanStep &s, StepResult &r);
void run_pattern(Context &c, const PlanStep &s, StepResult &r);
void run_counters(Context &c, const PlanStep &s, StepResult &r);
void run_temperature(Context &c, const PlanStep &s, StepResult &r);

// Marks a step failed with one more finding.
void fail(StepResult &r, Finding f);

} // namespace station::detail
