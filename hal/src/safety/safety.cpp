// SPDX-License-Identifier: MIT
#include <hashboard/board/safety.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace hashboard {
namespace {

std::string fixed(double x, int decimals = 1)
{
	return fmt::format("{:.{}f}", x, decimals);
}

bool is_powered(BoardState s)
{
	return s == BoardState::powered || s == BoardState::enumerated || s == BoardState::mining;
}

} // namespace

SafetySupervisor::SafetySupervisor(Board &board)
    : board_(board), limits_(board.config().limits), spec_(board.config().safety),
      last_kick_(board.clock().now().count())
{
}

void SafetySupervisor::kick(Duration now)
{
	last_kick_.store(now.count());
}

std::optional<TripReason> SafetySupervisor::tick(Duration now)
{
	kick(now);
	armed_.store(true);
	if (!is_powered(board_.state())) {
		warnings_.clear();
		return std::nullopt;
	}
	return check(now);
}

std::optional<TripReason> SafetySupervisor::trip(TripReason reason)
{
	if (board_.trip(reason))
		return reason;
	return std::nullopt;
}

std::optional<TripReason> SafetySupervisor::lost(const std::string &device,
                                                 const std::string &error, Duration now)
{
	const unsigned n = ++failures_[device];
	if (n < spec_.sensor_loss_reads)
		return std::nullopt;
	return trip({TripCause::sensor_loss, device,
	             std::to_string(n) + " failed reads in a row; last: " + error, now});
}

std::optional<TripReason> SafetySupervisor::check(Duration now)
{
	const bool was_warm = !warnings_.empty();
	warnings_.clear();
	hottest_c_.reset();

	for (const auto &s : board_.read_sensors()) {
		if (!s.celsius) {
			if (auto r = lost(s.name, s.error, now))
				return r;
			continue;
		}
		failures_[s.name] = 0;
		const double c = *s.celsius;
		hottest_c_ = std::max(hottest_c_.value_or(c), c);
		if (c >= limits_.temp_trip_c)
			return trip({TripCause::over_temperature, s.name,
			             "temperature " + fixed(c) + " C at or above the trip limit " +
			                 fixed(limits_.temp_trip_c) + " C",
			             now});
		if (c >= limits_.temp_warn_c)
			warnings_.push_back(s.name + " at " + fixed(c) + " C (warning limit " +
			                    fixed(limits_.temp_warn_c) + " C)");
	}

	double watts = 0;
	for (const auto &r : board_.read_regulators()) {
		if (!r.status) {
			if (auto t = lost(r.name, r.error, now))
				return t;
			continue;
		}
		failures_[r.name] = 0;
		if (r.status->faulted()) {
			return trip(
			    {TripCause::regulator_fault, r.name,
			     fmt::format("fault {} (STATUS_WORD 0x{:04x})",
			                 fmt::join(r.status->faults, ", "), r.status->status_word),
			     now});
		}
		watts += r.power_w();
	}
	if (limits_.power_max_w && watts > *limits_.power_max_w)
		return trip({TripCause::over_power, "",
		             "regulators deliver " + fixed(watts) + " W, above the limit " +
		                 fixed(*limits_.power_max_w) + " W",
		             now});

	for (const auto &f : board_.read_fans()) {
		if (!f.rpm) {
			if (auto t = lost(f.name, f.error, now))
				return t;
			continue;
		}
		failures_[f.name] = 0;
		if (limits_.fan_min_rpm <= 0 || f.duty <= 0 || *f.rpm >= limits_.fan_min_rpm) {
			fan_slow_since_.erase(f.name);
			continue;
		}
		const Duration since = fan_slow_since_.try_emplace(f.name, now).first->second;
		if (now - since >= spec_.fan_grace)
			return trip({TripCause::fan_failure, f.name,
			             fixed(*f.rpm, 0) + " rpm at " + fixed(f.duty * 100, 0) +
			                 " % duty, below the minimum " +
			                 fixed(limits_.fan_min_rpm, 0) + " rpm for " +
			                 fixed(to_seconds(now - since)) + " s",
			             now});
	}

	// Warm: every fan to full duty until the board cools below the warning limit.
	if (!warnings_.empty() && !was_warm)
		board_.set_fan_duty(1.0);
	return std::nullopt;
}

std::optional<TripReason> SafetySupervisor::check_watchdog(Duration now, bool from_other_thread)
{
	if (!armed_.load() || !is_powered(board_.state()))
		return std::nullopt;
	const Duration silent = now - Duration(last_kick_.load());
	if (silent <= spec_.watchdog_timeout)
		return std::nullopt;
	TripReason reason{TripCause::watchdog, "",
	                  "no control-loop tick for " + fixed(to_seconds(silent), 2) +
	                      " s (timeout " + fixed(to_seconds(spec_.watchdog_timeout), 2) + " s)",
	                  now};
	if (board_.trip(reason,
	                from_other_thread ? Board::TripScope::power_only : Board::TripScope::full))
		return reason;
	return std::nullopt;
}

Watchdog::Watchdog(SafetySupervisor &supervisor, Clock &clock, Duration period)
    : supervisor_(supervisor), clock_(clock), period_(period)
{
	if (clock_.is_virtual())
		throw std::invalid_argument(
		    "watchdog thread needs a real-time clock; in virtual time "
		    "call SafetySupervisor::check_watchdog directly");
	if (period_ <= Duration::zero())
		throw std::invalid_argument("watchdog period must be positive");
	thread_ = std::jthread([this](std::stop_token stop) {
		while (!stop.stop_requested()) {
			clock_.sleep_for(period_);
			if (!stop.stop_requested())
				supervisor_.check_watchdog(clock_.now(), true);
		}
	});
}

Watchdog::~Watchdog()
{
	thread_.request_stop();
	if (thread_.joinable())
		thread_.join();
}

} // namespace hashboard
