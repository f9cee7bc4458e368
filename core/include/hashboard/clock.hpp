// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hashboard {

// All HAL time is a duration since the clock's own epoch. Nothing in the HAL reads the
// system time directly: a Clock is injected, so the simulator can run in virtual time
// (as fast as the CPU allows, deterministic) or in real time (pty, sockets, hardware).
using Duration = std::chrono::nanoseconds;

class Clock {
public:
	virtual ~Clock() = default;
	virtual Duration now() const = 0;
	virtual void sleep_for(Duration d) = 0;
	// True when time only moves when someone advances it (tests, in-process simulator).
	virtual bool is_virtual() const = 0;
};

// std::chrono::steady_clock, epoch at construction.
class SteadyClock final : public Clock {
public:
	SteadyClock();
	Duration now() const override;
	void sleep_for(Duration d) override;
	bool is_virtual() const override { return false; }

private:
	std::chrono::steady_clock::time_point start_;
};

// Time advances only through sleep_for()/advance_to(). Single-threaded by design: the
// in-process simulator and the HAL share one thread in virtual time.
class VirtualClock final : public Clock {
public:
	Duration now() const override { return now_; }
	void sleep_for(Duration d) override { advance_to(now_ + d); }
	bool is_virtual() const override { return true; }
	// Never moves backwards: an earlier time is ignored.
	void advance_to(Duration t)
	{
		if (t > now_)
			now_ = t;
	}

private:
	Duration now_{0};
};

inline double to_seconds(Duration d)
{
	return std::chrono::duration<double>(d).count();
}

// Seconds as a Duration, checked, for every conversion of a number someone typed or a
// file gave: NaN, an infinity, a negative value or one past Duration's range (about 292
// years) would otherwise convert to garbage (undefined behaviour), so they throw
// std::invalid_argument naming `what`.
inline Duration from_seconds(double seconds, std::string_view what = "duration")
{
	// Below the exact limit, so the product cannot round past it.
	constexpr double kMax = 9.0e9;
	if (!std::isfinite(seconds) || seconds < 0 || seconds > kMax)
		throw std::invalid_argument(std::string(what) + ": " + std::to_string(seconds) +
		                            " s is not a duration 0.." + std::to_string(kMax) +
		                            " s");
	return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

} // namespace hashboard
