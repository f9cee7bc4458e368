// SPDX-License-Identifier: MIT
// The tuner's search (docs/tuning.md): knees per chip at a rail voltage, a voltage sweep
// to the goal, thermal settling and a last fit, then holding the goal.
#include "knee_fit.hpp"

#include <hashboard/tuning/tuner.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace hashboard {

namespace {

using namespace std::chrono_literals;
using tuning::RatePoint;

// The highest wrong-nonce share a knee is fitted from: above it the logit's distance to
// the target rate makes any error in the slope a large one in the frequency.
constexpr double kProbeCeiling = 0.25;
// The heat modes' room above the target: a room 10 C cooler lowers a small board's
// leakage by about a fifth, its power by about 5 % (docs/tuning.md).
constexpr double kHeatHeadroom = 0.08;

// The tune stops at once on a trip (the board is in its safe state) or the budget.
struct Abort {
	std::string reason;
};

double median(std::vector<double> v)
{
	if (v.empty())
		return 0;
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
}

} // namespace

struct Tuner::State {
	TuningPort &port;
	TuneGoal goal;
	TunerOptions opt;
	const TuningTopology &topo;
	Duration started{};
	std::map<std::string, double> rail_mv;
	std::map<unsigned, std::vector<double>> knees; // the tuned frequencies at rail_mv
	double scale = 1.0;                            // heat modes: fraction of the knees
	std::vector<TuneStep> steps;
	Tuner::Progress progress;
	double nonce_rate = 0; // per chip per second, median, last window
	std::string phase;
	// Counts since the settings last changed, for hold()'s drift check.
	std::map<unsigned, std::vector<RatePoint>> since_change;
	double tuned_hottest_c = 0;

	State(TuningPort &p, TuneGoal g, TunerOptions o)
	    : port(p), goal(g), opt(o), topo(p.topology())
	{
	}

	double ceiling() const { return goal.temp_ceiling_c.value_or(topo.temp_warn_c - 3); }
	// The power the settings may draw: the board's limit, the goal's, the heat target.
	double power_cap() const
	{
		double cap = topo.power_max_w.value_or(std::numeric_limits<double>::infinity());
		if (goal.power_limit_w)
			cap = std::min(cap, *goal.power_limit_w);
		// Heat modes tune for a little more than the target, so the hold loop has room
		// to give more heat as the room cools (leakage falls with temperature).
		if (goal.mode == TuneMode::heat || goal.mode == TuneMode::quiet)
			cap = std::min(cap, goal.heat_w * (1 + kHeatHeadroom));
		return cap;
	}
	double fan_cap() const
	{
		return goal.mode == TuneMode::quiet ? std::min(goal.fan_cap, kQuietFanCap)
		                                    : goal.fan_cap;
	}
	double clamp_mhz(double f) const
	{
		return std::clamp(f, topo.freq_min_mhz, topo.freq_max_mhz);
	}

	void apply(const std::map<unsigned, std::vector<double>> &mhz)
	{
		for (const auto &[id, f] : mhz) {
			std::vector<double> set(f.size());
			for (std::size_t p = 0; p < f.size(); ++p)
				set[p] = clamp_mhz(f[p]);
			// A chain of fewer answering chips than its board file says keeps the
			// targets of the rest as they were.
			std::vector<double> all = port.chain_mhz(id);
			for (std::size_t p = 0; p < set.size() && p < all.size(); ++p)
				all[p] = set[p];
			port.set_chain_mhz(id, all);
		}
		since_change.clear();
	}
	std::map<unsigned, std::vector<double>> current() const
	{
		std::map<unsigned, std::vector<double>> out;
		for (const auto &[id, n] : topo.chips) {
			const auto &all = port.chain_mhz(id);
			out[id].assign(all.begin(),
			               all.begin() + std::min<std::size_t>(n, all.size()));
		}
		return out;
	}
	void set_rails(double mv_or_nan, const std::map<std::string, double> *each = nullptr)
	{
		for (const auto &rail : topo.rails) {
			const double want = each ? each->at(rail.regulator) : mv_or_nan;
			rail_mv[rail.regulator] = port.set_rail_mv(
			    rail.regulator, std::clamp(want, rail.min_mv, rail.max_mv));
		}
		since_change.clear();
	}

	Duration window() const
	{
		if (nonce_rate <= 0)
			return opt.min_window;
		const Duration d = from_seconds(double(opt.window_nonces) / nonce_rate, "window");
		return std::clamp(d, opt.min_window, opt.max_window);
	}

	TuningSample measure(Duration d)
	{
		if (port.now() - started > opt.time_budget)
			throw Abort{"time budget"};
		std::vector<double> set;
		for (const auto &[id, chips] : current())
			set.insert(set.end(), chips.begin(), chips.end());
		RunStop stop;
		stop.power_w = power_cap();
		stop.hottest_c = ceiling();
		TuningSample s = port.run(d, stop);
		if (s.tripped)
			throw Abort{"trip: " + s.trip};
		std::vector<double> rates;
		std::uint64_t n = 0, e = 0;
		const double secs = std::max(to_seconds(s.elapsed), 1e-9);
		for (const auto &[id, chips] : s.chips) {
			auto &acc = since_change[id];
			acc.resize(chips.size());
			for (std::size_t p = 0; p < chips.size(); ++p) {
				rates.push_back(double(chips[p].valid + chips[p].errors) / secs);
				n += chips[p].valid + chips[p].errors;
				e += chips[p].errors;
				acc[p].nonces += chips[p].valid + chips[p].errors;
				acc[p].errors += chips[p].errors;
			}
		}
		if (const double r = median(rates); r > 0)
			nonce_rate = r;
		TuneStep step;
		step.t_s = to_seconds(port.now() - started);
		step.phase = phase;
		step.hashrate_ths = s.hashrate_ths;
		step.power_w = s.power_w;
		step.hottest_c = s.hottest_c.value_or(0);
		step.error_rate = n ? double(e) / double(n) : 0;
		if (!set.empty()) {
			step.min_mhz = *std::min_element(set.begin(), set.end());
			step.max_mhz = *std::max_element(set.begin(), set.end());
			step.median_mhz = median(set);
		}
		if (s.max_power_w > power_cap() * (1 - opt.power_margin))
			step.note = "power";
		else if (s.hottest_c.value_or(0) >= ceiling() - 1)
			step.note = "temperature";
		steps.push_back(step);
		if (progress)
			progress(step);
		return s;
	}

	// The measured limits: over the power cap or the ceiling, every chip steps down.
	bool over_limits(const TuningSample &s) const
	{
		return s.stopped || s.max_power_w > power_cap() ||
		       s.hottest_c.value_or(0) >= ceiling();
	}
	bool near_limits(const TuningSample &s) const
	{
		return s.max_power_w > power_cap() * (1 - opt.power_margin) ||
		       s.hottest_c.value_or(0) >= ceiling() - 1;
	}
	// Over a limit: down by as much as the excess asks (a few percent per degree: the
	// temperature follows the power with the board's time constant).
	void back_off(const TuningSample &s)
	{
		const double hot = s.hottest_c.value_or(0) - ceiling();
		const double over = s.max_power_w / power_cap() - 1;
		double f = opt.step / 2;
		if (hot > -1)
			f = std::max(f, 0.02 * (hot + 1));
		if (over > 0)
			f = std::max(f, over * 1.2);
		step_all_down(std::min(f, 0.15));
		knees = current();
	}
	void step_all_down(double fraction)
	{
		auto f = current();
		for (auto &[id, chips] : f)
			for (double &x : chips)
				x *= 1 - fraction;
		apply(f);
	}

	// Each chip's frequency at the target wrong-nonce rate at today's rail voltages,
	// climbing from start; chips the power or temperature stopped keep where they were.
	std::map<unsigned, std::vector<double>>
	find_knees(const std::map<unsigned, std::vector<double>> &start)
	{
		struct Track {
			std::vector<RatePoint> points;
			double clean = 0; // the highest frequency measured below the probe rate
			bool done = false;
			bool probed = false;
		};
		std::map<unsigned, std::vector<Track>> tracks;
		auto f = start;
		for (auto &[id, chips] : f) {
			tracks[id].resize(chips.size());
			for (double &x : chips)
				x = clamp_mhz(x);
		}
		apply(f);
		bool limited = false;
		for (unsigned round = 0; round < 14; ++round) {
			const TuningSample s = measure(window());
			if (over_limits(s)) {
				step_all_down(opt.step);
				f = current();
				limited = true;
				break;
			}
			// A climb raises the power by at most its step (P = leakage + C V^2 f):
			// steps shrink to the room left under the cap.
			const double room = power_cap() * (1 - opt.power_margin / 3) /
			                        std::max(s.max_power_w, 1e-9) -
			                    1;
			const double climb = std::clamp(room / (2 * opt.step), 0.0, 1.0);
			const bool no_climb = near_limits(s) || climb < 0.25;
			bool all_done = true;
			for (auto &[id, chips] : f) {
				const auto &counts = s.chips.at(id);
				for (std::size_t p = 0; p < chips.size(); ++p) {
					Track &t = tracks[id][p];
					if (t.done)
						continue;
					const std::uint64_t n = counts[p].valid + counts[p].errors;
					const std::uint64_t e = counts[p].errors;
					if (n == 0) { // a silent chip: nothing to tune
						t.done = true;
						continue;
					}
					t.points.push_back({chips[p], n, e});
					const double share = double(e) / double(n);
					if (e >= 5 && share > kProbeCeiling) {
						// Far past the knee: a point this high says little
						// about where the rate falls to the target; back
						// down a step.
						chips[p] *= 1 - opt.step;
					} else if (e >= 5 && share >= opt.probe_error_rate) {
						if (t.probed) {
							t.done = true;
							continue;
						}
						t.probed = true;
						chips[p] *= share < 0.1 ? 1 + opt.step / 2
						                        : 1 - opt.step / 2;
					} else if (t.probed) {
						// The second point fell below the probe rate: one
						// more, higher.
						t.clean = std::max(t.clean, chips[p]);
						chips[p] *= 1 + climb * opt.step / 2;
					} else {
						t.clean = std::max(t.clean, chips[p]);
						chips[p] *=
						    1 + climb * (e == 0 && n >= 100 ? 2 * opt.step
						                                    : opt.step);
					}
					if (no_climb && chips[p] > t.points.back().mhz)
						chips[p] = t.points.back().mhz;
					if (chips[p] > topo.freq_max_mhz &&
					    t.points.back().mhz >= topo.freq_max_mhz) {
						t.done = true; // the board's limit, not the chip's
						continue;
					}
					chips[p] = clamp_mhz(chips[p]);
					all_done = all_done && t.done;
				}
			}
			if (no_climb) {
				limited = true;
				break;
			}
			if (all_done)
				break;
			apply(f);
		}
		// The fit, per rail: one slope for its chips.
		std::map<unsigned, std::vector<double>> out;
		for (const auto &[id, chips] : f)
			out[id] = chips;
		for (const auto &rail : topo.rails) {
			std::vector<std::vector<RatePoint>> all;
			for (const auto &[id, positions] : rail.chips)
				for (unsigned p : positions)
					if (tracks.count(id) && p < tracks[id].size())
						all.push_back(tracks[id][p].points);
			// Without two informative points on any chip, a logistic width of 1 %
			// of the frequency (docs/tuning.md: what the first real boards must
			// settle).
			const double slope = tuning::shared_slope(all).value_or(100.0);
			for (const auto &[id, positions] : rail.chips)
				for (unsigned p : positions) {
					if (!tracks.count(id) || p >= tracks[id].size())
						continue;
					const Track &t = tracks[id][p];
					double knee = t.clean > 0 ? t.clean : start.at(id)[p];
					if (const auto fit = tuning::frequency_at_rate(
					        t.points, slope, opt.target_error_rate))
						knee = *fit;
					if (limited || !t.probed)
						knee =
						    std::min(knee, std::max(t.clean, f.at(id)[p]));
					out[id][p] = clamp_mhz(knee);
				}
		}
		return out;
	}

	// Measures the knees; chips whose wrong nonces are clearly above three times the
	// target step down half a step, and the limits hold, until a window shows neither.
	TuningSample checked(Duration d)
	{
		TuningSample s = measure(d);
		for (int round = 0; round < 3; ++round) {
			if (over_limits(s)) {
				back_off(s);
				s = measure(d);
				continue;
			}
			bool moved = false;
			for (auto &[id, chips] : knees) {
				const auto &counts = s.chips.at(id);
				for (std::size_t p = 0; p < chips.size() && p < counts.size(); ++p)
					if (tuning::significantly_above(
					        counts[p].errors,
					        counts[p].valid + counts[p].errors,
					        3 * opt.target_error_rate)) {
						chips[p] = clamp_mhz(chips[p] * (1 - opt.step / 2));
						moved = true;
					}
			}
			if (!moved)
				break;
			apply(knees);
			s = measure(d);
		}
		return s;
	}

	// Settings at today's voltages: knees, measured over a longer window.
	SweepPoint evaluate(const std::map<unsigned, std::vector<double>> &start)
	{
		knees = find_knees(start);
		apply(knees);
		phase += " check";
		TuningSample s = checked(window() * 2);
		phase.resize(phase.size() - 6);
		SweepPoint pt;
		pt.mv = rail_mv.empty() ? 0 : rail_mv.begin()->second;
		std::vector<double> all;
		for (const auto &[id, chips] : knees)
			all.insert(all.end(), chips.begin(), chips.end());
		pt.median_mhz = median(all);
		pt.min_mhz = all.empty() ? 0 : *std::min_element(all.begin(), all.end());
		pt.max_mhz = all.empty() ? 0 : *std::max_element(all.begin(), all.end());
		pt.hashrate_ths = s.hashrate_ths;
		pt.power_w = s.power_w;
		pt.j_per_th = s.hashrate_ths > 0 ? s.power_w / s.hashrate_ths : 0;
		pt.hottest_c = s.hottest_c.value_or(0);
		return pt;
	}

	// The starting frequencies for a new voltage: the last knees scaled by the change
	// the sweep so far predicts, a little below so the chips climb to their knees.
	std::map<unsigned, std::vector<double>> predict(const std::vector<SweepPoint> &done,
	                                                const std::map<double, decltype(knees)> &at,
	                                                double mv) const
	{
		// The nearest voltage measured.
		double near = at.begin()->first;
		for (const auto &[v, k] : at)
			if (std::abs(v - mv) < std::abs(near - mv))
				near = v;
		double ratio;
		// Points whose chips sat at the board's frequency limit say nothing of their knees.
		std::vector<SweepPoint> free;
		for (const auto &p : done)
			if (p.median_mhz < topo.freq_max_mhz - 0.5)
				free.push_back(p);
		const bool near_free = std::any_of(
		    free.begin(), free.end(), [&](const SweepPoint &p) { return p.mv == near; });
		if (free.size() >= 2 && near_free) {
			// A line through the two nearest points' medians.
			std::vector<SweepPoint> pts = free;
			std::sort(pts.begin(), pts.end(),
			          [&](const SweepPoint &a, const SweepPoint &b) {
				          return std::abs(a.mv - mv) < std::abs(b.mv - mv);
			          });
			const double slope =
			    (pts[0].median_mhz - pts[1].median_mhz) / (pts[0].mv - pts[1].mv);
			const SweepPoint &n =
			    *std::find_if(pts.begin(), pts.end(),
			                  [&](const SweepPoint &p) { return p.mv == near; });
			ratio = std::isfinite(slope) && n.median_mhz > 0
			            ? (n.median_mhz + slope * (mv - near)) / n.median_mhz
			            : 1 + 0.002 * (mv - near);
		} else {
			ratio = 1 + 0.002 * (mv - near); // a guess the climb corrects
		}
		auto out = at.at(near);
		for (auto &[id, chips] : out)
			for (double &x : chips)
				x *= std::max(ratio, 0.3) * (1 - 2 * opt.step);
		return out;
	}

	bool better(const SweepPoint &a, const SweepPoint &b) const
	{
		if (goal.mode == TuneMode::efficiency) {
			const bool fa = a.hashrate_ths >= goal.min_ths,
			           fb = b.hashrate_ths >= goal.min_ths;
			if (fa != fb)
				return fa;
			if (!fa)
				return a.hashrate_ths > b.hashrate_ths;
			return a.j_per_th < b.j_per_th;
		}
		return a.hashrate_ths > b.hashrate_ths;
	}

	// The voltage sweep: down from stock for efficiency, up for hashrate (down while
	// stock itself is over the power cap), then the best point's neighbours.
	void sweep(TuneResult &result)
	{
		std::map<double, decltype(knees)> at;
		std::vector<SweepPoint> &pts = result.sweep;
		double stock = 0;
		for (const auto &rail : topo.rails)
			stock =
			    std::max(stock, std::clamp(rail.stock_mv, rail.min_mv, rail.max_mv));
		double lo = std::numeric_limits<double>::infinity(), hi = 0;
		for (const auto &rail : topo.rails) {
			lo = std::min(lo, rail.min_mv);
			hi = std::max(hi, rail.max_mv);
		}
		auto run_at = [&](double mv) {
			mv = std::clamp(mv, lo, hi);
			for (const auto &p : pts)
				if (std::abs(p.mv - mv) < 0.5)
					return p;
			phase = "knees at " + std::to_string(int(std::lround(mv))) + " mV";
			auto start = at.empty() ? current() : predict(pts, at, mv);
			// Frequencies down before the voltage, so power never jumps past the cap.
			if (!rail_mv.empty() && mv > rail_mv.begin()->second) {
				const double up = std::pow(mv / rail_mv.begin()->second, 2.5);
				auto cur = current();
				for (auto &[id, chips] : cur)
					for (std::size_t p = 0; p < chips.size(); ++p)
						chips[p] = std::min(chips[p] / up, start.at(id)[p]);
				apply(cur);
			} else {
				apply(start);
			}
			set_rails(mv);
			SweepPoint pt = evaluate(start);
			pt.mv = mv;
			at[mv] = knees;
			pts.push_back(pt);
			return pt;
		};
		const double dv = opt.voltage_step_mv;
		SweepPoint best = run_at(stock);
		const bool down = goal.mode == TuneMode::efficiency ||
		                  best.power_w > power_cap() * (1 - opt.power_margin);
		for (double mv = stock + (down ? -2 * dv : dv); mv >= lo && mv <= hi;
		     mv += down ? -2 * dv : dv) {
			const SweepPoint pt = run_at(mv);
			if (!better(pt, best))
				break;
			best = pt;
			if (!down && pt.power_w > power_cap() * (1 - 2 * opt.power_margin))
				break; // the cap, not the chips, sets the hashrate from here on
		}
		// The neighbours one step either side of the best.
		for (double mv : {best.mv - dv, best.mv + dv}) {
			if (mv < lo || mv > hi)
				continue;
			const SweepPoint pt = run_at(mv);
			if (better(pt, best))
				best = pt;
		}
		std::sort(pts.begin(), pts.end(),
		          [](const SweepPoint &a, const SweepPoint &b) { return a.mv < b.mv; });
		// Back to the best: frequencies (lower first when the voltage falls), voltage.
		phase = "best " + std::to_string(int(std::lround(best.mv))) + " mV";
		auto k = at.at(best.mv);
		auto cur = current();
		for (auto &[id, chips] : cur)
			for (std::size_t p = 0; p < chips.size(); ++p)
				chips[p] = std::min(chips[p], k.at(id)[p]);
		apply(cur);
		set_rails(best.mv);
		knees = k;
		apply(knees);
	}

	// Run until the board's temperature stops moving, holding the limits.
	void settle()
	{
		phase = "settling";
		const Duration end = port.now() + opt.settle;
		double last = 0;
		while (port.now() < end) {
			const TuningSample s = measure(std::max(window(), Duration(10s)));
			if (over_limits(s))
				back_off(s);
			const double t = s.hottest_c.value_or(0);
			if (last > 0 && std::abs(t - last) < 0.3)
				break;
			last = t;
		}
	}

	// The last fit after settling: each chip from a little below its knee.
	void refit()
	{
		phase = "final knees";
		auto start = knees;
		for (auto &[id, chips] : start)
			for (double &x : chips)
				x *= 1 - 1.5 * opt.step;
		knees = find_knees(start);
		apply(knees);
	}

	void finish(TuneResult &r)
	{
		phase = "verify";
		TuningSample s = checked(window() * 3);
		std::uint64_t n = 0, e = 0;
		for (const auto &[id, chips] : s.chips)
			for (const auto &c : chips) {
				n += c.valid + c.errors;
				e += c.errors;
			}
		r.rail_mv = rail_mv;
		r.chip_mhz = current();
		r.hashrate_ths = s.hashrate_ths;
		r.power_w = s.power_w;
		r.j_per_th = s.hashrate_ths > 0 ? s.power_w / s.hashrate_ths : 0;
		r.hottest_c = s.hottest_c.value_or(0);
		r.error_rate = n ? double(e) / double(n) : 0;
		tuned_hottest_c = r.hottest_c;
	}

	// Heat modes: the knees scaled to the heat target, at most the knees themselves.
	void hold_heat(const TuningSample &s)
	{
		if (s.power_w <= 0)
			return;
		const double err = (goal.heat_w - s.power_w) / s.power_w;
		double next = scale * (1 + 0.9 * err);
		if (s.hottest_c.value_or(0) >= ceiling())
			next = std::min(next, scale * (1 - opt.step));
		next = std::clamp(next, std::max(0.2, scale * 0.85), std::min(1.0, scale * 1.15));
		if (std::abs(next - scale) < 0.002)
			return;
		scale = next;
		auto f = knees;
		for (auto &[id, chips] : f)
			for (double &x : chips)
				x *= scale;
		apply(f);
	}
};

Tuner::Tuner(TuningPort &port, TuneGoal goal, TunerOptions options)
    : port_(port), goal_(goal), options_(options)
{
	validate_goal(goal_);
	if (!(options_.target_error_rate > 0 &&
	      options_.target_error_rate < options_.probe_error_rate &&
	      options_.probe_error_rate < 0.5 && options_.step > 0 && options_.step < 0.2 &&
	      options_.voltage_step_mv > 0 && options_.window_nonces > 0))
		throw std::invalid_argument("tuner options out of range");
	state_ = std::make_shared<State>(port_, goal_, options_);
}

TuneResult Tuner::tune(const Progress &progress)
{
	State &st = *state_;
	st.progress = progress;
	st.started = port_.now();
	st.steps.clear();
	TuneResult r;
	r.mode = goal_.mode;
	try {
		port_.set_fan_cap(st.fan_cap());
		for (const auto &[id, n] : st.topo.chips)
			if (n > 0)
				port_.set_ticket_log2(id, port_.ticket_log2_floor(id));
		st.rail_mv.clear();
		for (const auto &rail : st.topo.rails)
			st.rail_mv[rail.regulator] =
			    std::clamp(rail.stock_mv, rail.min_mv, rail.max_mv);
		st.phase = "warm-up";
		TuningSample first = st.measure(options_.min_window);
		// A board that starts over the power cap (stock settings, a heat target below
		// them) comes under it before anything else.
		for (int i = 0;
		     i < 12 && first.max_power_w > st.power_cap() * (1 - options_.power_margin);
		     ++i) {
			const double want = st.power_cap() * (1 - 2 * options_.power_margin);
			st.step_all_down(
			    std::clamp(1 - std::pow(want / first.max_power_w, 1.3), 0.02, 0.5));
			first = st.measure(options_.min_window);
		}
		if (goal_.mode == TuneMode::fixed) {
			auto f = st.current();
			for (auto &[id, chips] : f)
				for (double &x : chips)
					x = goal_.fixed_mhz;
			st.knees = f;
			st.apply(f);
			st.settle();
		} else {
			st.sweep(r);
			st.settle();
			st.refit();
			if (goal_.mode == TuneMode::heat || goal_.mode == TuneMode::quiet) {
				st.phase = "heat";
				for (int i = 0; i < 8; ++i) {
					const TuningSample s = st.measure(st.window());
					st.hold_heat(s);
					if (std::abs(s.power_w - goal_.heat_w) <
					    0.01 * goal_.heat_w)
						break;
				}
			}
		}
		st.finish(r);
		r.converged = true;
		r.stop_reason = "converged";
		// The floor is a goal the limits may not allow: the board stays at the best it
		// found, and the result says the goal was missed.
		if (goal_.mode == TuneMode::efficiency && goal_.min_ths > 0 &&
		    r.hashrate_ths < goal_.min_ths) {
			r.converged = false;
			r.stop_reason = fmt::format("hashrate floor {:.3f} TH/s not reached within "
			                            "the limits (best {:.3f} TH/s)",
			                            goal_.min_ths, r.hashrate_ths);
		}
	} catch (const Abort &a) {
		r.stop_reason = a.reason;
		r.rail_mv = st.rail_mv;
		try {
			r.chip_mhz = st.current();
		} catch (const std::exception &) {
		}
	}
	r.took_s = to_seconds(port_.now() - st.started);
	r.steps = st.steps;
	return r;
}

void Tuner::apply(const std::map<std::string, double> &rail_mv,
                  const std::map<unsigned, std::vector<double>> &chip_mhz)
{
	State &st = *state_;
	port_.set_fan_cap(st.fan_cap());
	// Lower frequencies first when the voltage falls; the saved ones after it.
	auto cur = st.current();
	for (auto &[id, chips] : cur)
		if (const auto it = chip_mhz.find(id); it != chip_mhz.end())
			for (std::size_t p = 0; p < chips.size() && p < it->second.size(); ++p)
				chips[p] = std::min(chips[p], it->second[p]);
	st.apply(cur);
	std::map<std::string, double> each;
	for (const auto &rail : st.topo.rails) {
		const auto it = rail_mv.find(rail.regulator);
		each[rail.regulator] = it != rail_mv.end() ? it->second : rail.stock_mv;
	}
	st.set_rails(0, &each);
	auto want = st.current();
	for (auto &[id, chips] : want)
		if (const auto it = chip_mhz.find(id); it != chip_mhz.end())
			for (std::size_t p = 0; p < chips.size() && p < it->second.size(); ++p)
				chips[p] = it->second[p];
	st.knees = want;
	st.scale = 1;
	st.apply(want);
}

TuningSample Tuner::hold(Duration d)
{
	State &st = *state_;
	st.phase = "hold";
	if (st.started == Duration{})
		st.started = port_.now();
	st.opt.time_budget = Duration::max() / 4;
	TuningSample s;
	try {
		s = st.measure(d);
	} catch (const Abort &a) {
		s.tripped = true;
		s.trip = a.reason;
		return s;
	}
	if (st.over_limits(s)) {
		st.back_off(s);
		return s;
	}
	if (goal_.mode == TuneMode::heat || goal_.mode == TuneMode::quiet) {
		st.hold_heat(s);
	}
	// Drift: a chip whose wrong nonces since the last change are clearly above twice
	// the target steps down half a step (aging, a warmer room).
	bool moved = false;
	auto k = st.knees;
	for (auto &[id, chips] : k) {
		const auto it = st.since_change.find(id);
		if (it == st.since_change.end())
			continue;
		for (std::size_t p = 0; p < chips.size() && p < it->second.size(); ++p)
			if (tuning::significantly_above(it->second[p].errors, it->second[p].nonces,
			                                2 * options_.target_error_rate)) {
				chips[p] *= 1 - options_.step / 2;
				moved = true;
			}
	}
	if (moved) {
		st.knees = k;
		auto f = k;
		for (auto &[id, chips] : f)
			for (double &x : chips)
				x *= st.scale;
		st.apply(f);
	}
	return s;
}

} // namespace hashboard
