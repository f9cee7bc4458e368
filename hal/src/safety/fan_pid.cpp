// SPDX-License-Identifier: MIT
#include <hashboard/board/fan_pid.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace hashboard {

namespace {

bool gain_ok(double g)
{
	return std::isfinite(g) && g >= 0;
}

} // namespace

FanPid::FanPid(const Clock &clock, Params params) : clock_(clock), params_(params)
{
	if (!(params_.min_duty >= 0 && params_.min_duty <= params_.max_duty &&
	      params_.max_duty <= 1) ||
	    !gain_ok(params_.kp) || !gain_ok(params_.ki) || !gain_ok(params_.kd) ||
	    !std::isfinite(params_.target_c))
		throw std::invalid_argument(
		    "FanPid: need 0 <= min_duty <= max_duty <= 1 and finite gains >= 0");
	reset();
}

void FanPid::reset()
{
	// The integral starts at the floor, so a cool board sits at min_duty and the
	// integral only has to climb as far as the heat needs.
	integral_ = params_.min_duty;
	duty_ = params_.min_duty;
	started_ = false;
}

void FanPid::set_max_duty(double duty)
{
	if (!std::isfinite(duty))
		throw std::invalid_argument("FanPid: duty cap is not a number");
	params_.max_duty = std::clamp(duty, params_.min_duty, 1.0);
	integral_ = std::min(integral_, params_.max_duty);
}

double FanPid::update(double temperature_c)
{
	if (std::isnan(temperature_c))
		throw std::invalid_argument("FanPid: temperature is not a number");
	const Duration now = clock_.now();
	const double dt = started_ && now > last_ ? to_seconds(now - last_) : 0.0;
	const double error = temperature_c - params_.target_c;
	const double rate = dt > 0 ? (temperature_c - last_temp_c_) / dt : 0.0;

	const double proportional = params_.kp * error;
	const double derivative = params_.kd * rate;
	const double candidate = integral_ + params_.ki * error * dt;
	const double unclamped = candidate + proportional + derivative;
	// Anti-windup: integrate only while the output is inside its range, or when the
	// step would bring it back in; the integral itself never leaves the range either.
	const bool pushes_above = unclamped > params_.max_duty && error > 0;
	const bool pushes_below = unclamped < params_.min_duty && error < 0;
	if (!pushes_above && !pushes_below)
		integral_ = std::clamp(candidate, params_.min_duty, params_.max_duty);

	duty_ =
	    std::clamp(integral_ + proportional + derivative, params_.min_duty, params_.max_duty);
	last_temp_c_ = temperature_c;
	last_ = now;
	started_ = true;
	return duty_;
}

} // namespace hashboard
