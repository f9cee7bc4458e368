// SPDX-License-Identifier: MIT
// The physics oracle (docs/physics.md, "The oracle"): a voltage grid per rail, every
// chip at the highest frequency within the error-rate bound there, the rails combined by
// a Lagrangian scan, all inside a fixed point on the board's steady temperature.
#include <hashboard/board/sim_devices.hpp>
#include <hashboard/board/sim_oracle.hpp>

#include "twins/sim_chain_config.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace hashboard {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Chip {
	unsigned chain;
	unsigned pos;
	double x; // along the airflow, 0 inlet .. 1 outlet
	std::size_t rail;
	const hbsim::ProcessPhysics *physics;
	double ths_per_mhz;
};

struct Rail {
	std::string name;
	VoltageLimits limits;
	std::vector<std::size_t> chips;
};

// A rail at one voltage with every chip at its bound: what it draws and does.
struct RailPoint {
	double mv;
	double f_min_sum; // every chip at the board's minimum
	double f_max_sum; // every chip at its own maximum
	double leak_w;
	double w_per_mhz; // C V^2 (the same for every chip of the rail)
	double ths_per_mhz;
	std::vector<double> f_max; // per chip of the rail
};

} // namespace

struct SimOracle::Impl {
	Impl(const BoardConfig &c, OracleOptions o) : config(c), options(o)
	{
		thermal = config.sim.thermal;
		if (options.ambient_c)
			thermal.ambient_c = *options.ambient_c;
		airflow = config.fans.empty() ? 0.0 : std::clamp(options.fan_duty, 0.0, 1.0);
		f_min = config.limits.freq_min_mhz > 0 ? config.limits.freq_min_mhz : 1.0;
		f_max = config.limits.freq_max_mhz > 0 ? config.limits.freq_max_mhz : kInf;
		for (const auto &spec : config.chains) {
			physics.push_back(board_chain_physics(config, spec));
			const auto rails_of_chips = chip_rails(config, spec);
			const double ths =
			    hbsim::chip_hashes_per_second(spec.family->name, 1.0) / 1e12;
			for (unsigned p = 0; p < spec.chips; ++p) {
				if (rails_of_chips[p].empty())
					continue;
				const std::size_t r = rail_index(rails_of_chips[p]);
				rails[r].chips.push_back(chips.size());
				chips.push_back(
				    {spec.id, p,
				     spec.chips > 1 ? double(p) / double(spec.chips - 1) : 0.5, r,
				     physics.back().get(), ths});
			}
		}
		double offset = 0;
		for (const auto &s : config.sensors)
			offset = std::max(offset, s.sim_offset_c);
		max_sensor_offset = config.sensors.empty() ? 0.0 : offset;
	}

	std::size_t rail_index(const std::string &name)
	{
		for (std::size_t i = 0; i < rails.size(); ++i)
			if (rails[i].name == name)
				return i;
		rails.push_back({name, config.vout_limits(config.regulator(name)), {}});
		return rails.size() - 1;
	}

	double chip_c(const Chip &c, double board_c) const
	{
		const double share = 1.0 + thermal.airflow_gradient * (c.x - 0.5);
		return thermal.ambient_c + (board_c - thermal.ambient_c) * share;
	}

	double power_limit() const
	{
		double limit =
		    options.power_limit_w.value_or(config.limits.power_max_w.value_or(kInf));
		if (config.limits.temp_warn_c > 0 && thermal.r_th_c_per_w > 0) {
			// steady_c is linear in power: solve it for the warning temperature.
			const double per_w = SimThermalModel::steady_c(thermal, 1.0, airflow) -
			                     SimThermalModel::steady_c(thermal, 0.0, airflow);
			const double headroom =
			    config.limits.temp_warn_c - max_sensor_offset - thermal.ambient_c;
			limit = std::min(limit, std::max(0.0, headroom / per_w));
		}
		return limit;
	}

	std::vector<double> grid(const Rail &r) const
	{
		std::vector<double> out;
		const double step = std::max(0.1, options.voltage_step_mv);
		for (double mv = r.limits.max_mv; mv >= r.limits.min_mv - 1e-9; mv -= step)
			out.push_back(mv);
		if (out.empty() || out.back() > r.limits.min_mv + 1e-9)
			out.push_back(r.limits.min_mv);
		return out;
	}

	// Every feasible voltage of a rail at a board temperature.
	std::vector<RailPoint> points(const Rail &r, double board_c) const
	{
		std::vector<RailPoint> out;
		for (double mv : grid(r)) {
			RailPoint p{mv, 0, 0, 0, 0, 0, {}};
			bool ok = true;
			double ths = 0;
			for (std::size_t i : r.chips) {
				const Chip &c = chips[i];
				const double tc = chip_c(c, board_c);
				const double f =
				    std::min(f_max, c.physics->max_mhz_at_error(
				                        c.pos, mv, tc, options.max_error_rate));
				if (f < f_min) {
					ok = false;
					break;
				}
				p.f_max.push_back(f);
				p.f_min_sum += f_min;
				p.f_max_sum += f;
				p.leak_w += c.physics->leakage_w(c.pos, mv, tc);
				p.w_per_mhz = c.physics->dyn_w_per_mhz_v2() * mv * mv / 1e6;
				ths += c.ths_per_mhz;
			}
			if (!ok || r.chips.empty())
				continue;
			p.ths_per_mhz = ths / double(r.chips.size());
			out.push_back(std::move(p));
		}
		return out;
	}

	// A rail's setting: a point and the sum of its chips' frequencies.
	struct Pick {
		const RailPoint *point = nullptr;
		double f_sum = 0;
	};

	OracleResult settle(const std::vector<Pick> &picks) const
	{
		std::map<std::string, double, std::less<>> mv;
		std::map<unsigned, std::vector<double>> mhz;
		for (const auto &spec : config.chains)
			mhz[spec.id].assign(spec.chips, 0.0);
		for (std::size_t r = 0; r < rails.size(); ++r) {
			const Pick &k = picks[r];
			if (!k.point)
				continue;
			mv[rails[r].name] = k.point->mv;
			// Spread the sum evenly between each chip's minimum and maximum: every chip
			// of a rail costs the same C V^2 a MHz, so how is immaterial.
			const double span = k.point->f_max_sum - k.point->f_min_sum;
			const double theta = span > 0 ? (k.f_sum - k.point->f_min_sum) / span : 1.0;
			for (std::size_t j = 0; j < rails[r].chips.size(); ++j) {
				const Chip &c = chips[rails[r].chips[j]];
				mhz[c.chain][c.pos] = f_min + std::clamp(theta, 0.0, 1.0) *
				                                  (k.point->f_max[j] - f_min);
			}
		}
		return evaluate(mv, mhz);
	}

	// Iterates the board temperature to the fixed point of a search at that temperature.
	template <typename Search> OracleResult fixed_point(Search &&search) const
	{
		double board_c = thermal.ambient_c;
		OracleResult best;
		for (int i = 0; i < 60; ++i) {
			std::vector<std::vector<RailPoint>> pts;
			for (const auto &r : rails)
				pts.push_back(points(r, board_c));
			OracleResult res = search(pts);
			const bool done = std::abs(res.board_c - board_c) < 0.002;
			// Half steps: the search at a cooler guess runs hotter and the reverse.
			board_c = done ? res.board_c : 0.5 * (board_c + res.board_c);
			best = std::move(res);
			if (done)
				break;
		}
		return best;
	}

	OracleResult evaluate(const std::map<std::string, double, std::less<>> &rail_mv,
	                      const std::map<unsigned, std::vector<double>> &chip_mhz) const
	{
		OracleResult out;
		out.rail_mv = rail_mv;
		out.chip_mhz = chip_mhz;
		bool within = true;
		std::vector<double> mv(chips.size(), 0.0);
		std::vector<double> f(chips.size(), 0.0);
		for (std::size_t i = 0; i < chips.size(); ++i) {
			const Chip &c = chips[i];
			const auto v = rail_mv.find(rails[c.rail].name);
			const auto m = chip_mhz.find(c.chain);
			if (v == rail_mv.end() || m == chip_mhz.end() || c.pos >= m->second.size())
				continue;
			mv[i] = v->second;
			f[i] = m->second[c.pos];
			within = within && mv[i] >= rails[c.rail].limits.min_mv - 1e-9 &&
			         mv[i] <= rails[c.rail].limits.max_mv + 1e-9 &&
			         f[i] >= f_min - 1e-9 && f[i] <= f_max + 1e-9;
		}
		const auto power_at = [&](double board_c) {
			double w = 0;
			for (std::size_t i = 0; i < chips.size(); ++i)
				w += chips[i].physics->power_w(
				    {chips[i].pos, f[i], mv[i], chip_c(chips[i], board_c)});
			return w;
		};
		double board_c = thermal.ambient_c;
		bool settled = false;
		for (int i = 0; i < 500 && board_c < 400; ++i) {
			const double next =
			    SimThermalModel::steady_c(thermal, power_at(board_c), airflow);
			settled = std::abs(next - board_c) < 1e-6;
			board_c = next;
			if (settled)
				break;
		}
		out.board_c = board_c;
		out.power_w = power_at(board_c);
		for (std::size_t i = 0; i < chips.size(); ++i) {
			const Chip &c = chips[i];
			const double tc = chip_c(c, board_c);
			out.hottest_chip_c = std::max(out.hottest_chip_c, tc);
			if (f[i] <= 0)
				continue;
			const double p =
			    c.physics->wrong_nonce_probability({c.pos, f[i], mv[i], tc});
			out.worst_error_rate = std::max(out.worst_error_rate, p);
			out.hashrate_ths += c.ths_per_mhz * f[i] * (1.0 - p);
		}
		out.j_per_th = out.hashrate_ths > 0 ? out.power_w / out.hashrate_ths : kInf;
		// A hair of slack on the error bound: the fixed point lands within 0.002 C.
		out.feasible = settled && within && out.power_w <= power_limit() * (1 + 1e-9) &&
		               out.worst_error_rate <= options.max_error_rate * 1.02;
		return out;
	}

	OracleResult best_hashrate() const
	{
		// A hair under the limit: the search's temperature is the fixed point's to within
		// a few thousandths of a degree, which moves leakage by a few centiwatts.
		const double limit = power_limit() * (1 - 2e-4);
		return fixed_point([&](const std::vector<std::vector<RailPoint>> &pts) {
			// Lagrangian: for a price nu (TH/s per W) each rail takes the point and the
			// end of its frequency range that earn most; the lowest price within the
			// limit wins, then the power left goes to the rails with the most TH/s a
			// watt.
			const auto choose = [&](double nu, std::vector<Pick> &picks,
			                        double &watts) {
				watts = 0;
				picks.assign(rails.size(), {});
				for (std::size_t r = 0; r < rails.size(); ++r) {
					double best = -kInf;
					for (const auto &p : pts[r])
						for (double s : {p.f_min_sum, p.f_max_sum}) {
							const double w = p.leak_w + p.w_per_mhz * s;
							const double gain =
							    p.ths_per_mhz * s - nu * w;
							if (gain > best) {
								best = gain;
								picks[r] = {&p, s};
							}
						}
					if (picks[r].point)
						watts += picks[r].point->leak_w +
						         picks[r].point->w_per_mhz * picks[r].f_sum;
				}
			};
			std::vector<Pick> picks;
			double watts = 0;
			double lo = 0, hi = 1.0; // TH/s per W
			choose(lo, picks, watts);
			if (watts > limit) {
				for (choose(hi, picks, watts); watts > limit && hi < 1e6;
				     choose(hi, picks, watts))
					hi *= 2;
				for (int i = 0; i < 100; ++i) {
					const double mid = 0.5 * (lo + hi);
					choose(mid, picks, watts);
					(watts > limit ? lo : hi) = mid;
				}
				choose(hi, picks, watts);
				// Fill what is left, best TH/s per W first.
				double left = limit - watts;
				std::vector<std::size_t> order(rails.size());
				for (std::size_t r = 0; r < order.size(); ++r)
					order[r] = r;
				const auto rate = [&](std::size_t r) {
					return picks[r].point ? picks[r].point->ths_per_mhz /
					                            picks[r].point->w_per_mhz
					                      : 0;
				};
				std::sort(order.begin(), order.end(),
				          [&](std::size_t a, std::size_t b) {
					          return rate(a) > rate(b);
				          });
				for (std::size_t r : order) {
					Pick &k = picks[r];
					if (!k.point || left <= 0)
						continue;
					const double more = std::min(k.point->f_max_sum - k.f_sum,
					                             left / k.point->w_per_mhz);
					k.f_sum += more;
					left -= more * k.point->w_per_mhz;
				}
			}
			return settle(picks);
		});
	}

	OracleResult best_efficiency(double min_ths) const
	{
		const double limit = power_limit();
		return fixed_point([&](const std::vector<std::vector<RailPoint>> &pts) {
			// At one voltage a chip's J/TH only falls as its frequency rises (leakage
			// is spread over more hashes), so every chip runs at its maximum and each
			// rail picks a voltage. Minimising sum(P - kappa H) for kappa = the
			// optimum's J/TH gives the optimum (Dinkelbach); a scan over kappa finds
			// it, and the floor.
			OracleResult best;
			best.j_per_th = kInf;
			std::vector<Pick> picks(rails.size());
			std::vector<Pick> last;
			std::vector<Pick> best_picks;
			for (double kappa = 0.5; kappa < 1e4; kappa *= 1.003) {
				for (std::size_t r = 0; r < rails.size(); ++r) {
					double cost = kInf;
					picks[r] = {};
					for (const auto &p : pts[r]) {
						const double w =
						    p.leak_w + p.w_per_mhz * p.f_max_sum;
						const double c =
						    w - kappa * p.ths_per_mhz * p.f_max_sum;
						if (c < cost) {
							cost = c;
							picks[r] = {&p, p.f_max_sum};
						}
					}
				}
				bool same = last.size() == picks.size();
				for (std::size_t r = 0; same && r < picks.size(); ++r)
					same = last[r].point == picks[r].point;
				if (same)
					continue;
				last = picks;
				double w = 0, h = 0;
				for (const auto &k : picks)
					if (k.point) {
						w += k.point->leak_w + k.point->w_per_mhz * k.f_sum;
						h += k.point->ths_per_mhz * k.f_sum;
					}
				if (h < min_ths || w > limit || h <= 0 || w / h >= best.j_per_th)
					continue;
				best.j_per_th = w / h;
				best.feasible = true;
				best_picks = picks;
			}
			if (!best.feasible)
				return OracleResult{};
			return settle(best_picks);
		});
	}

	const BoardConfig config;
	OracleOptions options;
	SimThermal thermal;
	double airflow = 1.0;
	double f_min = 1.0;
	double f_max = kInf;
	double max_sensor_offset = 0;
	std::vector<std::shared_ptr<const hbsim::ProcessPhysics>> physics;
	std::vector<Chip> chips;
	std::vector<Rail> rails;
};

SimOracle::SimOracle(const BoardConfig &config, OracleOptions options)
    : impl_(std::make_unique<Impl>(config, options))
{
}

SimOracle::~SimOracle() = default;

OracleResult SimOracle::evaluate(const std::map<std::string, double, std::less<>> &rail_mv,
                                 const std::map<unsigned, std::vector<double>> &chip_mhz) const
{
	return impl_->evaluate(rail_mv, chip_mhz);
}

OracleResult SimOracle::uniform(double mv, double mhz) const
{
	std::map<std::string, double, std::less<>> rails;
	for (const auto &r : impl_->rails)
		rails[r.name] = mv;
	std::map<unsigned, std::vector<double>> chips;
	for (const auto &spec : impl_->config.chains)
		chips[spec.id].assign(spec.chips, mhz);
	return impl_->evaluate(rails, chips);
}

OracleResult SimOracle::best_hashrate() const
{
	return impl_->best_hashrate();
}

OracleResult SimOracle::best_efficiency(double min_ths) const
{
	return impl_->best_efficiency(min_ths);
}

double SimOracle::power_limit_w() const
{
	return impl_->power_limit();
}

} // namespace hashboard
