// SPDX-License-Identifier: MIT
//
// A tuned board's settings, saved per board serial so the daemon and hbctl apply them
// at the next start (docs/tuning.md). TOML, written atomically (a temporary file
// renamed over the old one), read back with the file, line and key of any error.
#pragma once

#include <hashboard/tuning/tuner.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard {

struct TuneProfile {
	std::string serial;
	std::string board; // the board file's name: a profile is refused on another board
	TuneMode mode = TuneMode::efficiency;
	TuneGoal goal;
	std::string saved_at; // UTC, ISO 8601
	std::map<std::string, double> rail_mv;
	std::map<unsigned, std::vector<double>> chip_mhz;
	double hashrate_ths = 0;
	double power_w = 0;
	double j_per_th = 0;
};

// Serials are [A-Za-z0-9._-]{1,64}, not starting with '.': they name files
// (std::invalid_argument otherwise).
void check_serial(std::string_view serial);
std::filesystem::path profile_path(const std::filesystem::path &dir, std::string_view serial);
TuneProfile profile_from_result(const TuneResult &result, std::string serial, std::string board,
                                const TuneGoal &goal);
// Creates dir when missing. Throws std::runtime_error naming the file on failure.
void save_profile(const std::filesystem::path &file, const TuneProfile &profile);
// Throws ConfigError (hashboard/config_file.hpp) naming file, line and key.
TuneProfile load_profile(const std::filesystem::path &file);

} // namespace hashboard
