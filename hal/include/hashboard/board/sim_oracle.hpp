// SPDX-License-Identifier: MIT
//
// The physics oracle, for tests and benchmarks only: from the simulated chips' hidden
// parameters (hbsim::ProcessPhysics, drawn from the board's seed) and the board's limits
// it computes the best a tuner could reach, in thermal steady state: (a) the highest
// hashrate under a power limit, (b) the best J/TH (optionally above a hashrate floor),
// as per-rail voltages and per-chip frequencies. Method: docs/physics.md. No tuner may
// use it: a tuner sees only what a real board shows.
#pragma once

#include <hashboard/board/board_config.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hashboard {

struct OracleOptions {
	double fan_duty = 1.0;               // every fan's, held
	std::optional<double> ambient_c;     // unset: the board file's [sim] ambient_c
	std::optional<double> power_limit_w; // unset: [limits] power_max_w
	double max_error_rate = 1e-3;        // per chip: the stable frequency's rate
	double voltage_step_mv = 5;          // the rails' search grid
};

struct OracleResult {
	bool feasible = false; // within every limit (power, temperature, V, f, error rate)
	std::map<std::string, double, std::less<>> rail_mv;
	std::map<unsigned, std::vector<double>> chip_mhz; // chain id -> per chip
	double hashrate_ths = 0; // good hashes: a wrong nonce counts for nothing
	double power_w = 0;      // the chips' (the rails' output)
	double j_per_th = 0;
	double board_c = 0;        // the board temperature a plain sensor reads
	double hottest_chip_c = 0; // the outlet chip's
	double worst_error_rate = 0;
};

class SimOracle {
public:
	explicit SimOracle(const BoardConfig &config, OracleOptions options = {});
	~SimOracle();
	SimOracle(const SimOracle &) = delete;
	SimOracle &operator=(const SimOracle &) = delete;

	// Steady state of one setting (a chain missing from chip_mhz, a rail from rail_mv:
	// unpowered and stopped).
	OracleResult evaluate(const std::map<std::string, double, std::less<>> &rail_mv,
	                      const std::map<unsigned, std::vector<double>> &chip_mhz) const;
	// Stock-style: one voltage on every rail, one frequency on every chip.
	OracleResult uniform(double mv, double mhz) const;
	// (a) The most hashrate within the power limit (and the temperature limit).
	OracleResult best_hashrate() const;
	// (b) The lowest J/TH with at least min_ths.
	OracleResult best_efficiency(double min_ths = 0) const;
	// The power the oracle may spend: the power limit, or less where the board's
	// sensors would reach temp_warn_c at the fan duty.
	double power_limit_w() const;

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

} // namespace hashboard
