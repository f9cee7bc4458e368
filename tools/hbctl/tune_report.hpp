// SPDX-License-Identifier: MIT
// hbctl tune: the live progress lines, the per-chip table and summary, and the JSON
// report (goal, result, per-chip MHz, the voltage sweep, every measuring window).
#pragma once

#include <hashboard/tuning/tuner.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <optional>
#include <string>

namespace hbctl {

// What the run was, beside the tuner's result.
struct TuneRun {
	std::string board_file;
	std::string board;
	std::string serial;
	bool simulated = false;
	std::optional<std::string> profile; // the file saved, when one was
};

// One line per measuring window: time, phase, TH/s, W, J/TH, hottest C, error rate,
// the chips' median MHz and the tuner's note.
void print_tune_step(std::FILE *out, const hashboard::TuneStep &step);
// The chips' frequencies (chain by chain, a row of positions at a time), then the
// rails, hashrate, power and J/TH, and why the tune stopped.
void print_tune_result(std::FILE *out, const hashboard::TuneResult &result);
boost::json::object tune_report_json(const hashboard::TuneGoal &goal,
                                     const hashboard::TuneResult &result, const TuneRun &run);

} // namespace hbctl
