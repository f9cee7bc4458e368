// SPDX-License-Identifier: MIT
#pragma once

#include <hashboard/clock.hpp>

#include <cstdint>
#include <vector>

namespace hashboard {

// Hashes credited over a sliding window, in fixed time buckets: O(1) to add, O(buckets)
// to read, memory fixed at construction. Short windows show a tuning step's effect,
// long ones the figure a pool will see.
class RateWindow {
public:
	RateWindow(Duration window, unsigned buckets);
	void add(Duration when, double hashes);
	// Hashes per second over the window ending at now (over less at start-up: the time
	// since the first add, so an early reading is not diluted by empty buckets).
	double rate(Duration now) const;
	Duration window() const { return window_; }

private:
	void roll(Duration now);
	Duration window_;
	Duration bucket_;
	std::vector<double> sums_;
	std::int64_t head_ = -1; // index (in bucket units) of the newest bucket
	Duration first_{-1};
};

} // namespace hashboard
