// SPDX-License-Identifier: MIT
#include "ftdi_baud.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace hashboard::transport {

namespace {

// n + k/8 in eighths: n from 2 (16) to 16383 with k = 7 (the divisor field is 14 bits).
constexpr std::uint32_t kMinDivisorX8 = 2 * 8;
constexpr std::uint32_t kMaxDivisorX8 = 16383 * 8 + 7;

} // namespace

FtdiRate nearest_ftdi_rate(std::uint32_t requested, std::uint32_t clock_hz)
{
	if (requested == 0)
		throw std::invalid_argument("FTDI baud must be above 0");
	const double clock = clock_hz;

	// Rounded to the nearest eighth in integers: the same rounding libftdi does.
	const std::uint64_t eighths =
	    (std::uint64_t{clock_hz} * 16 + requested) / (std::uint64_t{requested} * 2);
	const auto divisor_x8 = static_cast<std::uint32_t>(
	    std::clamp<std::uint64_t>(eighths, kMinDivisorX8, kMaxDivisorX8));
	const double ordinary = clock * 8 / divisor_x8;

	const std::array<FtdiRate, 3> candidates{{
	    {ordinary, divisor_x8, requested},
	    {clock, 0, clock_hz},
	    {clock * 2 / 3, 8, static_cast<std::uint32_t>(std::lround(clock * 2 / 3))},
	}};
	return *std::min_element(
	    candidates.begin(), candidates.end(), [&](const FtdiRate &a, const FtdiRate &b) {
		    return std::abs(a.error(requested)) < std::abs(b.error(requested));
	    });
}

std::uint32_t ftdi_clock_for(std::uint32_t requested, bool high_speed_chip)
{
	// The 12 MHz reference serves every rate its largest divisor reaches (~732 Bd).
	if (high_speed_chip && std::uint64_t{requested} * 16383 > kFtdiHighSpeedClockHz)
		return kFtdiHighSpeedClockHz;
	return kFtdiClassicClockHz;
}

std::optional<FtdiRate> ftdi_rate_within_tolerance(std::uint32_t requested, bool high_speed_chip)
{
	const FtdiRate rate =
	    nearest_ftdi_rate(requested, ftdi_clock_for(requested, high_speed_chip));
	if (std::abs(rate.error(requested)) > kHostDivisorTolerance)
		return std::nullopt;
	return rate;
}

} // namespace hashboard::transport
