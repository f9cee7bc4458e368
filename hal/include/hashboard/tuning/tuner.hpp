// SPDX-License-Identifier: MIT
//
// The autotuner (docs/tuning.md): per-chip frequency and per-rail voltage to a goal,
// from what the board shows (tuning_port.hpp). Each chip's highest stable frequency at
// a voltage is found from its wrong-nonce rate: the chips step up together until each
// one's rate is well above the target, where a few hundred nonces measure it, and the
// rate's logistic curve (its slope shared by a rail's chips, fitted from them all) is
// followed back down to the target rate. Rails then move through a voltage sweep to
// the goal. Every setting is checked against the board's limits before it is made.
#pragma once

#include <hashboard/tuning/tuning_port.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard {

enum class TuneMode {
	hashrate,   // the most hashrate under the power limit
	efficiency, // the lowest J/TH, at no less than min_ths
	fixed,      // the given frequency on every chip, lowered where the ceiling needs it
	heat,       // hold heat_w of heat with the fans at or below fan_cap
	quiet,      // heat with a low fan cap (kQuietFanCap unless fan_cap is lower)
};
std::string_view tune_mode_name(TuneMode mode);
// Throws std::invalid_argument naming the modes.
TuneMode parse_tune_mode(std::string_view name);

inline constexpr double kQuietFanCap = 0.4;

struct TuneGoal {
	TuneMode mode = TuneMode::efficiency;
	std::optional<double> power_limit_w;  // unset: the board's power_max_w
	double min_ths = 0;                   // efficiency's floor
	std::optional<double> temp_ceiling_c; // unset: temp_warn_c - 3
	double heat_w = 0;                    // heat and quiet
	double fan_cap = 1.0;                 // the fans' duty cap (noise)
	double fixed_mhz = 0;                 // fixed
};
// Throws std::invalid_argument for a goal the mode cannot use (NaN, negative, a heat
// mode without heat_w, fixed without fixed_mhz, a cap outside (0, 1]).
void validate_goal(const TuneGoal &goal);

struct TunerOptions {
	double target_error_rate = 1e-3; // a chip's wrong-nonce rate it is tuned to
	double probe_error_rate = 0.03;  // a knee is seen from this rate up
	double step = 0.02;              // frequency step while climbing (fraction)
	double voltage_step_mv = 25;
	unsigned window_nonces = 150; // per chip, for each measuring window
	Duration min_window = std::chrono::seconds(2);
	Duration max_window = std::chrono::seconds(20);
	Duration settle = std::chrono::seconds(120);     // thermal settling before the last fit
	Duration time_budget = std::chrono::minutes(30); // bounded convergence
	double power_margin = 0.03; // the search stays this far under the power limit
};

// One point of the voltage sweep, the V/F plot's data.
struct SweepPoint {
	double mv = 0;
	double median_mhz = 0;
	double min_mhz = 0;
	double max_mhz = 0;
	double hashrate_ths = 0;
	double power_w = 0;
	double j_per_th = 0;
	double hottest_c = 0;
};

// One measuring window, for live progress and the report.
struct TuneStep {
	double t_s = 0;
	std::string phase;
	double hashrate_ths = 0;
	double power_w = 0;
	double hottest_c = 0;
	double error_rate = 0; // the board's wrong-nonce share in the window
	double min_mhz = 0;    // the chips' settings during the window
	double median_mhz = 0;
	double max_mhz = 0;
	std::string note; // why the search changed course ("power", "temperature" ...)
};

struct TuneResult {
	TuneMode mode = TuneMode::efficiency;
	bool converged = false;
	std::string stop_reason; // "converged", "time budget", "trip: ..." ...
	double took_s = 0;       // board time the tune took
	std::map<std::string, double> rail_mv;
	std::map<unsigned, std::vector<double>> chip_mhz;
	double hashrate_ths = 0;
	double power_w = 0;
	double j_per_th = 0;
	double hottest_c = 0;
	double error_rate = 0;
	std::vector<SweepPoint> sweep;
	std::vector<TuneStep> steps;
};

class Tuner {
public:
	using Progress = std::function<void(const TuneStep &)>;
	// Throws std::invalid_argument for a bad goal (validate_goal).
	Tuner(TuningPort &port, TuneGoal goal, TunerOptions options = {});
	// Runs the whole tune and leaves the board at its result.
	TuneResult tune(const Progress &progress = {});
	// Applies a result (a saved profile's settings), clamped to today's limits.
	void apply(const std::map<std::string, double> &rail_mv,
	           const std::map<unsigned, std::vector<double>> &chip_mhz);
	// One step of holding the goal after tune(): heat modes hold the power, every mode
	// keeps under the temperature ceiling, and chips whose wrong-nonce rate drifted above
	// the target step down. Runs for about d; returns the window it measured.
	TuningSample hold(Duration d);
	const TuneGoal &goal() const { return goal_; }

private:
	struct State;
	TuningPort &port_;
	TuneGoal goal_;
	TunerOptions options_;
	std::shared_ptr<State> state_;
};

} // namespace hashboard
