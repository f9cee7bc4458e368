// SPDX-License-Identifier: MIT
//
// The safety supervisor: the control loop calls tick(now); it reads every sensor, fan
// and regulator and trips the board (Board::trip: PLLs down fast, reset asserted,
// regulators off) on over-temperature, fan failure, a regulator fault, over-power or a
// lost sensor. A separate watchdog check trips the board when the control loop itself
// stops ticking: in real time a Watchdog thread calls it; in virtual time the caller
// (a test) calls check_watchdog(now) itself.
#pragma once

#include <hashboard/board/board.hpp>
#include <hashboard/clock.hpp>

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hashboard {

class SafetySupervisor {
public:
	// Limits come from the board file ([limits] and [safety]).
	explicit SafetySupervisor(Board &board);

	// One control-loop step, on the control thread: kicks the watchdog (and arms it on
	// the first tick), then, while the board is powered, enumerated or mining, checks
	// every device. Returns the reason when this tick tripped the board.
	std::optional<TripReason> tick(Duration now);
	// Proof of life from the control loop without a device check (long bring-up steps).
	void kick(Duration now);
	// Trips the board (watchdog) when the watchdog is armed, the board is powered and
	// nothing kicked it for longer than the timeout. from_other_thread: cut power only,
	// because the stuck control thread may be inside a chain link. Safe from any thread.
	std::optional<TripReason> check_watchdog(Duration now, bool from_other_thread = false);
	// Stops the watchdog until the next tick (before a slow orderly power-down).
	void disarm() { armed_.store(false); }

	// Sensors at or above the warning limit at the last tick (fans are then at full duty).
	const std::vector<std::string> &warnings() const { return warnings_; }
	std::optional<double> hottest_c() const { return hottest_c_; }

private:
	std::optional<TripReason> check(Duration now);
	std::optional<TripReason> lost(const std::string &device, const std::string &error,
	                               Duration now);
	std::optional<TripReason> trip(TripReason reason);

	Board &board_;
	const BoardLimits limits_;
	const SafetySpec spec_;
	std::atomic<Duration::rep> last_kick_;
	std::atomic<bool> armed_{false};
	std::map<std::string, unsigned> failures_; // consecutive failed reads per device
	std::map<std::string, Duration> fan_slow_since_;
	std::vector<std::string> warnings_;
	std::optional<double> hottest_c_;
};

// Calls check_watchdog from its own thread every period. clock is the board's, and
// must be a real-time one (std::invalid_argument otherwise): in virtual time nothing
// moves while the control loop is stuck, so the caller checks by itself.
class Watchdog {
public:
	Watchdog(SafetySupervisor &supervisor, Clock &clock, Duration period);
	~Watchdog(); // stops and joins
	Watchdog(const Watchdog &) = delete;
	Watchdog &operator=(const Watchdog &) = delete;

private:
	SafetySupervisor &supervisor_;
	Clock &clock_;
	Duration period_;
	std::jthread thread_;
};

} // namespace hashboard
