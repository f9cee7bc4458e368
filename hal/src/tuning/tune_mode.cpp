// SPDX-License-Identifier: MIT
// The tune modes by name: the command line, profiles and reports all spell them so.
#include <hashboard/tuning/tuner.hpp>

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

namespace hashboard {
namespace {

constexpr std::array<std::pair<TuneMode, std::string_view>, 5> kModes{{
    {TuneMode::hashrate, "hashrate"},
    {TuneMode::efficiency, "efficiency"},
    {TuneMode::fixed, "fixed"},
    {TuneMode::heat, "heat"},
    {TuneMode::quiet, "quiet"},
}};

} // namespace

std::string_view tune_mode_name(TuneMode mode)
{
	for (const auto &[m, name] : kModes)
		if (m == mode)
			return name;
	throw std::logic_error("tune_mode_name: unknown TuneMode " +
	                       std::to_string(static_cast<int>(mode)));
}

TuneMode parse_tune_mode(std::string_view name)
{
	for (const auto &[m, n] : kModes)
		if (n == name)
			return m;
	std::string valid;
	for (const auto &[m, n] : kModes)
		valid += (valid.empty() ? "" : ", ") + std::string(n);
	throw std::invalid_argument("unknown tune mode '" + std::string(name) +
	                            "'; valid: " + valid);
}

} // namespace hashboard
