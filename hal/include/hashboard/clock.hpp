// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <memory>

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

} // namespace hashboard
