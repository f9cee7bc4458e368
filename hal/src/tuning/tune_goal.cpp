// SPDX-License-Identifier: MIT
#include <hashboard/tuning/tuner.hpp>

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hashboard {

namespace {

struct ModeName {
	TuneMode mode;
	std::string_view name;
};
constexpr std::array kModes{
    ModeName{TuneMode::hashrate, "hashrate"}, ModeName{TuneMode::efficiency, "efficiency"},
    ModeName{TuneMode::fixed, "fixed"},       ModeName{TuneMode::heat, "heat"},
    ModeName{TuneMode::quiet, "quiet"},
};

void require(bool ok, const std::string &what)
{
	if (!ok)
		throw std::invalid_argument("tuning goal: " + what);
}

} // namespace

std::string_view tune_mode_name(TuneMode mode)
{
	for (const auto &m : kModes)
		if (m.mode == mode)
			return m.name;
	return "unknown";
}

TuneMode parse_tune_mode(std::string_view name)
{
	for (const auto &m : kModes)
		if (m.name == name)
			return m.mode;
	throw std::invalid_argument("unknown tuning mode '" + std::string(name) +
	                            "' (hashrate, efficiency, fixed, heat, quiet)");
}

void validate_goal(const TuneGoal &g)
{
	if (g.power_limit_w)
		require(std::isfinite(*g.power_limit_w) && *g.power_limit_w > 0,
		        "power limit must be a positive number of watts");
	require(std::isfinite(g.min_ths) && g.min_ths >= 0,
	        "hashrate floor must be a number of TH/s >= 0");
	if (g.temp_ceiling_c)
		require(std::isfinite(*g.temp_ceiling_c) && *g.temp_ceiling_c > 0 &&
		            *g.temp_ceiling_c < 150,
		        "temperature ceiling must be in (0, 150) C");
	require(std::isfinite(g.fan_cap) && g.fan_cap > 0 && g.fan_cap <= 1,
	        "fan cap must be a duty in (0, 1]");
	require(std::isfinite(g.heat_w) && g.heat_w >= 0, "heat must be a number of watts >= 0");
	require(std::isfinite(g.fixed_mhz) && g.fixed_mhz >= 0,
	        "fixed frequency must be a number of MHz >= 0");
	if (g.mode == TuneMode::heat || g.mode == TuneMode::quiet)
		require(g.heat_w > 0, std::string(tune_mode_name(g.mode)) +
		                          " mode needs a heat output in watts (heat_w)");
	if (g.mode == TuneMode::fixed)
		require(g.fixed_mhz > 0, "fixed mode needs a frequency (fixed_mhz)");
}

} // namespace hashboard
