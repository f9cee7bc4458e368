// SPDX-License-Identifier: MIT
//
// The rates an FTDI UART can make (FTDI application note AN232B-05): the baud is a
// reference clock divided by n + k/8, with n from 2 to 16383 and k from 0 to 7, plus two
// special divisors, 0 (the reference itself) and 1 (two thirds of it). The reference is
// 3 MHz on the FT232R, FT230X and older parts; the H series (FT232H, FT2232H, FT4232H)
// also have a 12 MHz one for every rate above about 732 Bd. A rate the divisor misses by
// more than kHostDivisorTolerance (FTDI's own 3 %) is refused rather than set.
#pragma once

#include <hashboard/bm13xx/wire.hpp>

#include <cstdint>
#include <optional>

namespace hashboard::transport {

inline constexpr std::uint32_t kFtdiClassicClockHz = 3'000'000;
inline constexpr std::uint32_t kFtdiHighSpeedClockHz = 12'000'000;

struct FtdiRate {
	double actual;            // what the chosen divisor makes
	std::uint32_t divisor_x8; // n * 8 + k, or 0 / 8 for the special divisors 0 and 1
	// What to hand ftdi_set_baudrate so that libftdi programs this same divisor: the
	// request itself for ordinary divisors (libftdi rounds to the nearest eighth too),
	// the exact rate for the special ones (libftdi picks those by threshold, not by
	// distance, and would take 2 MBd for a request just under 3 MBd).
	std::uint32_t library_request;

	// Signed: above zero when the chip runs faster than asked.
	double error(std::uint32_t requested) const { return actual / requested - 1.0; }
};

// The divisor nearest to the request on a reference clock (kFtdi*ClockHz).
FtdiRate nearest_ftdi_rate(std::uint32_t requested, std::uint32_t clock_hz);

// The reference clock libftdi uses for this request on a chip of that class.
std::uint32_t ftdi_clock_for(std::uint32_t requested, bool high_speed_chip);

// The rate the chip makes for the request, or nothing when that is more than
// kHostDivisorTolerance off.
std::optional<FtdiRate> ftdi_rate_within_tolerance(std::uint32_t requested, bool high_speed_chip);

} // namespace hashboard::transport
