// SPDX-License-Identifier: MIT
// The steps that read the board's devices: supply, sensors, fans.
#include "steps.hpp"

#include <fmt/format.h>

#include <cmath>

namespace station::detail {
namespace {

// The domains a regulator feeds, and the chain when they are all on one.
struct Fed {
	std::string domains;
	std::optional<unsigned> chain;
};

Fed fed_by(const hashboard::BoardConfig &cfg, const std::string &regulator)
{
	Fed f;
	bool one_chain = true;
	for (const auto &d : cfg.domains) {
		if (d.regulator != regulator)
			continue;
		f.domains += (f.domains.empty() ? "" : ",") + d.name;
		if (f.chain && *f.chain != d.chain)
			one_chain = false;
		f.chain = d.chain;
	}
	if (!one_chain)
		f.chain.reset();
	return f;
}

} // namespace

void run_supply(Context &c, const PlanStep &s, StepResult &r)
{
	const auto &cfg = c.board.config();
	const double tol = s.supply.tolerance_mv;
	r.threshold = fmt::format("within {:g} mV of the set point, power good", tol);
	if (c.power_error) {
		fail(r,
		     {"power-up failed: " + *c.power_error,
		      {},
		      {},
		      "",
		      "",
		      "the device the message names: its fault status, wiring and input supply"});
		return;
	}
	double worst = 0;
	std::string worst_name;
	for (const auto &reading : c.board.read_regulators()) {
		const auto &spec = cfg.regulator(reading.name);
		const Fed fed = fed_by(cfg, reading.name);
		const double set = cfg.vout_limits(spec).clamp(spec.default_mv);
		const std::string device = "regulator " + reading.name;
		if (!reading.error.empty() || !reading.vout_mv) {
			fail(r, {"does not read: " + reading.error,
			         fed.chain,
			         {},
			         fed.domains,
			         device,
			         "the regulator's bus wiring and address, its supply"});
			continue;
		}
		const double dev = *reading.vout_mv - set;
		if (std::abs(dev) >= std::abs(worst)) {
			worst = dev;
			worst_name = reading.name;
		}
		if (std::abs(dev) > tol)
			fail(r,
			     {fmt::format("VOUT {:.1f} mV, set {:.1f} mV ({:+.1f} mV)",
			                  *reading.vout_mv, set, dev),
			      fed.chain,
			      {},
			      fed.domains,
			      device,
			      dev < 0 ? "a sagging output: the power stage, its sense lines, or a "
			                "short or overload in the domain it feeds"
			              : "the output runs high: its feedback and sense lines"});
		if (reading.status && (!reading.status->power_good || reading.status->faulted())) {
			std::string faults;
			for (const auto &x : reading.status->faults)
				faults += (faults.empty() ? "" : ",") + x;
			fail(r, {"no power good" + (faults.empty() ? "" : " (" + faults + ")"),
			         fed.chain,
			         {},
			         fed.domains,
			         device,
			         "the regulator's fault status: input voltage, over-current in its "
			         "domain, over-temperature"});
		}
	}
	r.measured = worst_name.empty() ? "no regulator"
	                                : fmt::format("worst {:+.1f} mV ({})", worst, worst_name);
}

void run_sensors(Context &c, const PlanStep &s, StepResult &r)
{
	const auto &cfg = c.board.config();
	const double lo = s.sensors.min_c;
	const double hi = s.sensors.max_c.value_or(cfg.limits.temp_trip_c);
	r.threshold = fmt::format("reads, {:g}..{:g} C", lo, hi);
	unsigned ok = 0, total = 0;
	for (const auto &reading : c.board.read_sensors()) {
		++total;
		std::optional<unsigned> chain;
		for (const auto &spec : cfg.sensors)
			if (spec.name == reading.name)
				chain = spec.chain;
		const std::string device = "sensor " + reading.name;
		if (!reading.celsius) {
			fail(r,
			     {"does not read: " + reading.error,
			      chain,
			      {},
			      "",
			      device,
			      "the sensor's bus wiring, address and supply, or the sensor itself"});
			continue;
		}
		if (*reading.celsius < lo || *reading.celsius > hi) {
			fail(r, {fmt::format("reads {:.1f} C, outside {:g}..{:g} C",
			                     *reading.celsius, lo, hi),
			         chain,
			         {},
			         "",
			         device,
			         "an implausible reading: a broken or misplaced sensor, or the "
			         "board is already too hot"});
			continue;
		}
		++ok;
	}
	r.measured = fmt::format("{} of {} sensors read", ok, total);
}

void run_fans(Context &c, const PlanStep &s, StepResult &r)
{
	const auto &cfg = c.board.config();
	const double min_rpm =
	    s.fans.min_rpm.value_or(cfg.limits.fan_min_rpm > 0 ? cfg.limits.fan_min_rpm : 500.0);
	r.threshold = fmt::format(">= {:g} rpm at duty {:g}", min_rpm, s.fans.duty);
	c.board.set_fan_duty(s.fans.duty);
	// Fan loops stay off while the fans settle: the duty is the step's, not the loop's.
	hashboard::Clock &clock = c.board.clock();
	const hashboard::Duration end =
	    clock.now() + hashboard::from_seconds(s.fans.settle_s, "fans settle_s");
	while (clock.now() < end) {
		clock.sleep_for(std::min<hashboard::Duration>(std::chrono::milliseconds(100),
		                                              end - clock.now()));
		c.supervisor.kick(clock.now());
	}
	std::optional<double> slowest;
	unsigned total = 0;
	for (const auto &reading : c.board.read_fans()) {
		++total;
		const std::string device = "fan " + reading.name;
		if (!reading.rpm) {
			fail(r, {"tach does not read: " + reading.error,
			         {},
			         {},
			         "",
			         device,
			         "the fan's connector and tach wire, its controller"});
			continue;
		}
		slowest = slowest ? std::min(*slowest, *reading.rpm) : *reading.rpm;
		if (*reading.rpm < min_rpm)
			fail(r,
			     {fmt::format("{:.0f} rpm at duty {:.2f}", *reading.rpm, reading.duty),
			      {},
			      {},
			      "",
			      device,
			      *reading.rpm <= 0 ? "a stalled or unplugged fan: its connector, "
			                          "power and tach wire, a blocked rotor"
			                        : "a slow fan: worn bearings, a blocked intake, "
			                          "its PWM wire"});
	}
	r.measured = slowest ? fmt::format("slowest {:.0f} rpm of {} fans", *slowest, total)
	                     : fmt::format("{} fans, none reads", total);
}

} // namespace station::detail
