// SPDX-License-Identifier: MIT
//
// The baseline the tuning benchmark compares with: a rule-based tuner like today's
// firmware's, on the same TuningPort (it sees what the tuner sees). The voltage stays
// at stock; every chip starts at the stock frequency and moves one PLL step (6.25 MHz)
// a round: down when its wrong-nonce rate is over 0.5 %, up when it is under 0.1 %,
// no step up while the board is near its power limit. It stops when a round moves
// fewer than 1 % of the chips, or after 20 rounds.
#pragma once

#include <hashboard/tuning/tuner.hpp>
#include <hashboard/tuning/tuning_port.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bench {

struct RuleResult {
	double hashrate_ths = 0;
	double power_w = 0;
	double j_per_th = 0;
	double error_rate = 0;
	double took_s = 0;
	unsigned rounds = 0;
};

inline RuleResult rule_based_tune(hashboard::TuningPort &port, double power_limit_w,
                                  hashboard::Duration window)
{
	using namespace hashboard;
	const TuningTopology &topo = port.topology();
	const Duration start = port.now();
	for (const auto &rail : topo.rails)
		port.set_rail_mv(rail.regulator, rail.stock_mv);
	for (const auto &[id, n] : topo.chips) {
		std::vector<double> f = port.chain_mhz(id);
		for (unsigned p = 0; p < n && p < f.size(); ++p)
			f[p] = topo.stock_mhz.at(id);
		port.set_chain_mhz(id, f);
		port.set_ticket_log2(id, port.ticket_log2_floor(id));
	}
	RuleResult r;
	for (; r.rounds < 20; ++r.rounds) {
		const TuningSample s = port.run(window);
		if (s.tripped)
			break;
		const bool room = s.max_power_w < power_limit_w * 0.97;
		unsigned moved = 0, chips = 0;
		for (const auto &[id, counts] : s.chips) {
			std::vector<double> f = port.chain_mhz(id);
			for (std::size_t p = 0; p < counts.size() && p < f.size(); ++p) {
				++chips;
				const double n = double(counts[p].valid + counts[p].errors);
				if (n <= 0)
					continue;
				const double rate = double(counts[p].errors) / n;
				double next = f[p];
				if (counts[p].errors >= 2 && rate > 0.005)
					next -= 6.25;
				else if (rate < 0.001 && room)
					next += 6.25;
				next = std::clamp(next, topo.freq_min_mhz, topo.freq_max_mhz);
				if (next != f[p]) {
					f[p] = next;
					++moved;
				}
			}
			port.set_chain_mhz(id, f);
		}
		if (moved * 100 < chips)
			break;
	}
	const TuningSample s = port.run(window * 2);
	std::uint64_t n = 0, e = 0;
	for (const auto &[id, counts] : s.chips)
		for (const auto &c : counts) {
			n += c.valid + c.errors;
			e += c.errors;
		}
	r.hashrate_ths = s.hashrate_ths;
	r.power_w = s.power_w;
	r.j_per_th = s.hashrate_ths > 0 ? s.power_w / s.hashrate_ths : 0;
	r.error_rate = n ? double(e) / double(n) : 0;
	r.took_s = to_seconds(port.now() - start);
	return r;
}

} // namespace bench
