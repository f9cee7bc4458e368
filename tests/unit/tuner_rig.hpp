// SPDX-License-Identifier: MIT
//
// A simulated board brought up in virtual time with a tuner port on it, and a check of
// every limit at every step of the port (each sensor sample and each window), read
// from the simulator's twins (the truth, not what the tuner measured).
#pragma once

#include "board_rig.hpp"

#include <hashboard/board/safety.hpp>
#include <hashboard/tuning/tuner.hpp>
#include <hashboard/work.hpp>

#include <algorithm>
#include <memory>
#include <string>

namespace tunertest {

using namespace hashboard;

struct LimitWatch {
	double power_cap = 0;
	double temp_ceiling = 0;
	unsigned checks = 0;
	unsigned power_over = 0;
	unsigned temp_over = 0;
	unsigned volt_out = 0;
	unsigned freq_out = 0;
	double fan_cap = 0; // 0: not checked
	unsigned fan_over = 0;
	double max_power = 0;
	double max_temp = 0;
};

struct TunerRig {
	// start_mhz: the chips' frequency after bring-up (0: the board file's).
	explicit TunerRig(const BoardConfig &c, double start_mhz = 0)
	    : rig(c), work(c.sim.seed.value_or(1))
	{
		rig.board->power_up();
		if (start_mhz > 0)
			for (unsigned id : rig.board->chain_ids())
				rig.board->set_chain_frequency(id, start_mhz);
		rig.board->start_chains();
		supervisor = std::make_unique<SafetySupervisor>(*rig.board);
		port = std::make_unique<BoardTuningPort>(*rig.board, *supervisor,
		                                         [this](unsigned) { return work.next(); });
		port->set_observer([this](const TuningSample &) { check(); });
	}

	// The truth at this instant against the limits.
	void check()
	{
		const BoardConfig &c = rig.config;
		++watch.checks;
		double power = 0;
		for (const auto &r : c.regulators) {
			auto &twin = rig.twins->regulator(r.name);
			power += twin.output_power_w();
			const auto lim = c.vout_limits(r);
			const double mv = twin.vout_mv();
			if (twin.output_power_w() > 0 &&
			    (mv < lim.min_mv - 1e-6 || mv > lim.max_mv + 1e-6))
				++watch.volt_out;
		}
		watch.max_power = std::max(watch.max_power, power);
		if (watch.power_cap > 0 && power > watch.power_cap)
			++watch.power_over;
		for (const auto &s : c.sensors) {
			const double t = rig.twins->sensor(s.name).read_celsius();
			watch.max_temp = std::max(watch.max_temp, t);
			if (watch.temp_ceiling > 0 && t > watch.temp_ceiling)
				++watch.temp_over;
		}
		if (watch.fan_cap > 0)
			for (const auto &f : c.fans)
				if (rig.twins->fan(f.name).duty() > watch.fan_cap + 1e-9)
					++watch.fan_over;
		if (watch.fan_cap > 0)
			for (const auto &f : c.fans)
				if (rig.twins->fan(f.name).duty() > watch.fan_cap + 1e-9)
					++watch.fan_over;
		for (unsigned id : rig.board->chain_ids())
			for (unsigned p = 0; p < rig.board->chain(id).chips().size(); ++p) {
				const double f = rig.twins->chip_frequency_mhz(id, p);
				if (f > c.limits.freq_max_mhz + 1e-6)
					++watch.freq_out;
			}
	}

	boardtest::Rig rig;
	SyntheticWorkSource work;
	std::unique_ptr<SafetySupervisor> supervisor;
	std::unique_ptr<BoardTuningPort> port;
	LimitWatch watch;
};

} // namespace tunertest
