// SPDX-License-Identifier: MIT
//
// A test plan (docs/station.md): the steps a manufacturing or repair station runs on one
// board, in order, each with its thresholds. Read from TOML like a board file: every
// key typed and range-checked, unknown keys refused, every error a ConfigError naming
// file, line and key. Thresholds a plan leaves out are scaled from the board file, so
// one generic plan serves every shipped board.
#pragma once

#include <hashboard/board/board_config.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace station {

enum class StepKind { supply, sensors, fans, enumeration, pattern, counters, temperature };
std::string_view step_kind_name(StepKind kind);

// Each regulator reaches its set voltage (the board file's default_mv, clamped to the
// limits) within tolerance, and reports power good.
struct SupplyStep {
	double tolerance_mv = 25;
};
// Each sensor reads, within a plausible range.
struct SensorsStep {
	double min_c = -20;
	std::optional<double> max_c; // unset: the board's temp_trip_c
};
// Each fan turns at least min_rpm at duty, settle_s after the duty was set.
struct FansStep {
	double duty = 1.0;
	double settle_s = 3;
	std::optional<double> min_rpm; // unset: the board's fan_min_rpm, else 500
};
// Every chip of every chain answers; a break names its position and voltage domain.
struct EnumerationStep {};
// Known work for seconds (longer, up to max_seconds, until the slowest chip's expected
// count reaches min_expected): per chip, valid nonces against the Poisson expectation
// and the hardware-error rate.
struct PatternStep {
	double seconds = 10;
	double max_seconds = 120;
	double min_expected = 40;
	// A chip fails below min(min_fraction * expected, expected - z * sqrt(expected)),
	// and at least below one nonce: the z term bounds a healthy chip's false failures.
	double min_fraction = 0.5;
	double z = 4;
	double max_hw_error_rate = 0.05;
	// Cores: a chip fails when fewer of its cores found a valid nonce than this fraction
	// of the number expected to (cores x (1 - exp(-expected / cores))); 0: not judged.
	double min_core_fraction = 0;
};
// The chips' own hash counters over the pattern run against what the host credited.
struct CountersStep {
	double tolerance = 0.25; // |host - chip| / chip, widened by the count's own noise
};
// The sensors' rise over the pattern run, and the hottest reading.
struct TemperatureStep {
	double max_rise_c = 45;
	std::optional<double> max_c; // unset: the board's temp_warn_c
};

struct PlanStep {
	StepKind kind = StepKind::supply;
	std::string name; // the plan's, else the kind's name
	SupplyStep supply;
	SensorsStep sensors;
	FansStep fans;
	EnumerationStep enumeration;
	PatternStep pattern;
	CountersStep counters;
	TemperatureStep temperature;
};

struct TestPlan {
	std::string file; // "" for the built-in default
	std::string name;
	std::string description;
	std::optional<std::string> board; // the board file's name it is for; unset: any
	std::vector<PlanStep> steps;
};

// Throws ConfigError (file, line, key) for a syntax or semantic error or an unreadable
// file. config is the board it will run on: a plan for another board is refused.
TestPlan load_test_plan(const std::filesystem::path &file, const hashboard::BoardConfig &config);
TestPlan parse_test_plan(std::string_view text, const std::string &source_name,
                         const hashboard::BoardConfig &config);
// Every step, thresholds from the board file (plans/default.toml says the same).
TestPlan default_test_plan();

} // namespace station
