// SPDX-License-Identifier: MIT
//
// A PI(D) loop from a temperature to a fan duty: hotter than the target -> more duty.
// Time steps come from the injected Clock, so the loop runs the same in virtual time.
#pragma once

#include <hashboard/clock.hpp>

namespace hashboard {

class FanPid {
public:
	struct Params {
		double target_c = 65.0;
		double kp = 0.05;  // duty per °C of error
		double ki = 0.004; // duty per °C·s
		double kd = 0.0;   // duty per °C/s, on the measurement (no kick on a new target)
		double min_duty = 0.2; // fans stall or stop reporting rpm below some duty
		double max_duty = 1.0;
	};

	// Throws std::invalid_argument unless 0 <= min_duty <= max_duty <= 1 and the gains
	// are finite and not negative.
	FanPid(const Clock &clock, Params params);

	// One control step: the duty to apply for this temperature. The first step after
	// construction or reset() has no elapsed time, so it is proportional only.
	double update(double temperature_c);
	double duty() const { return duty_; }
	const Params &params() const { return params_; }
	void set_target(double target_c) { params_.target_c = target_c; }
	// A noise cap: the loop never asks for more (clamped to [min_duty, 1]).
	void set_max_duty(double duty);
	// Forget the integral and the time base (after a fan or sensor was replaced).
	void reset();

private:
	const Clock &clock_;
	Params params_;
	double integral_ = 0;
	double duty_ = 0;
	double last_temp_c_ = 0;
	Duration last_{0};
	bool started_ = false;
};

} // namespace hashboard
