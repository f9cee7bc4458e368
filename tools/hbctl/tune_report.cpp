// SPDX-License-Identifier: MIT
#include "tune_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace hbctl {
namespace {

namespace json = boost::json;
using hashboard::TuneResult;

// Chips a row of the table shows: 10 columns of 7 fit 80 columns with the labels.
constexpr std::size_t kChipsPerRow = 10;

// JSON has no NaN or infinity: a value the tune could not measure is null.
json::value number(double v)
{
	return std::isfinite(v) ? json::value(v) : json::value(nullptr);
}

json::value number(const std::optional<double> &v)
{
	return v ? number(*v) : json::value(nullptr);
}

// J/TH of a window, unset without hashrate.
double j_per_th(double power_w, double ths)
{
	return ths > 0 ? power_w / ths : NAN;
}

std::string fixed(double v, int digits, int width)
{
	return std::isfinite(v) ? fmt::format("{:{}.{}f}", v, width, digits)
	                        : fmt::format("{:>{}}", "-", width);
}

} // namespace

void print_tune_step(std::FILE *out, const hashboard::TuneStep &s)
{
	fmt::print(out,
	           "[{:8.1f} s] {:<22} {} TH/s {} W {} J/TH  hottest {} C  errors {}%  "
	           "median {} MHz{}{}\n",
	           s.t_s, s.phase, fixed(s.hashrate_ths, 3, 7), fixed(s.power_w, 1, 6),
	           fixed(j_per_th(s.power_w, s.hashrate_ths), 2, 7), fixed(s.hottest_c, 1, 5),
	           fixed(s.error_rate * 100, 3, 6), fixed(s.median_mhz, 1, 5),
	           s.note.empty() ? "" : "  ", s.note);
}

void print_tune_result(std::FILE *out, const TuneResult &r)
{
	fmt::print(out, "chip MHz, by chain and position:\n");
	for (const auto &[id, chips] : r.chip_mhz) {
		for (std::size_t p = 0; p < chips.size(); p += kChipsPerRow) {
			std::string row =
			    p == 0 ? fmt::format("  chain {:<3}", id) : std::string(12, ' ');
			row += fmt::format("{:>4}:", p);
			for (std::size_t i = p; i < std::min(chips.size(), p + kChipsPerRow); ++i)
				row += " " + fixed(chips[i], 1, 6);
			fmt::print(out, "{}\n", row);
		}
		if (!chips.empty()) {
			std::vector<double> sorted(chips);
			std::sort(sorted.begin(), sorted.end());
			fmt::print(out, "{:>17} min {:.1f}, median {:.1f}, max {:.1f}\n", "",
			           sorted.front(), sorted[sorted.size() / 2], sorted.back());
		}
	}
	for (const auto &[rail, mv] : r.rail_mv)
		fmt::print(out, "rail {}: {:.1f} mV\n", rail, mv);
	fmt::print(out, "hashrate {} TH/s, power {} W, {} J/TH, hottest {} C, errors {}%\n",
	           fixed(r.hashrate_ths, 3, 0), fixed(r.power_w, 1, 0), fixed(r.j_per_th, 2, 0),
	           fixed(r.hottest_c, 1, 0), fixed(r.error_rate * 100, 3, 0));
	fmt::print(out, "{} mode: {} after {:.0f} s of board time\n",
	           hashboard::tune_mode_name(r.mode), r.converged ? "converged" : r.stop_reason,
	           r.took_s);
}

json::object tune_report_json(const hashboard::TuneGoal &g, const TuneResult &r, const TuneRun &run)
{
	json::object goal{
	    {"mode", hashboard::tune_mode_name(g.mode)},
	    {"power_limit_w", number(g.power_limit_w)},
	    {"min_ths", number(g.min_ths)},
	    {"temp_ceiling_c", number(g.temp_ceiling_c)},
	    {"heat_w", number(g.heat_w)},
	    {"fan_cap", number(g.fan_cap)},
	    {"fixed_mhz", number(g.fixed_mhz)},
	};
	json::object rails;
	for (const auto &[name, mv] : r.rail_mv)
		rails[name] = number(mv);
	json::object result{
	    {"mode", hashboard::tune_mode_name(r.mode)},
	    {"converged", r.converged},
	    {"stop_reason", r.stop_reason},
	    {"took_s", number(r.took_s)},
	    {"rail_mv", std::move(rails)},
	    {"hashrate_ths", number(r.hashrate_ths)},
	    {"power_w", number(r.power_w)},
	    {"j_per_th", number(r.j_per_th)},
	    {"hottest_c", number(r.hottest_c)},
	    {"error_rate", number(r.error_rate)},
	};
	json::array chips;
	for (const auto &[id, mhz] : r.chip_mhz)
		for (std::size_t p = 0; p < mhz.size(); ++p)
			chips.push_back(
			    json::object{{"chain", id}, {"position", p}, {"mhz", number(mhz[p])}});
	json::array sweep;
	for (const auto &p : r.sweep)
		sweep.push_back(json::object{
		    {"mv", number(p.mv)},
		    {"median_mhz", number(p.median_mhz)},
		    {"min_mhz", number(p.min_mhz)},
		    {"max_mhz", number(p.max_mhz)},
		    {"hashrate_ths", number(p.hashrate_ths)},
		    {"power_w", number(p.power_w)},
		    {"j_per_th", number(p.j_per_th)},
		    {"hottest_c", number(p.hottest_c)},
		});
	json::array steps;
	for (const auto &s : r.steps)
		steps.push_back(json::object{
		    {"t_s", number(s.t_s)},
		    {"phase", s.phase},
		    {"hashrate_ths", number(s.hashrate_ths)},
		    {"power_w", number(s.power_w)},
		    {"hottest_c", number(s.hottest_c)},
		    {"error_rate", number(s.error_rate)},
		    {"min_mhz", number(s.min_mhz)},
		    {"median_mhz", number(s.median_mhz)},
		    {"max_mhz", number(s.max_mhz)},
		    {"note", s.note},
		});
	return json::object{
	    {"board_file", run.board_file},
	    {"board", run.board},
	    {"serial", run.serial},
	    {"simulated", run.simulated},
	    {"profile", run.profile ? json::value(*run.profile) : json::value(nullptr)},
	    {"goal", std::move(goal)},
	    {"result", std::move(result)},
	    {"chips", std::move(chips)},
	    {"sweep", std::move(sweep)},
	    {"steps", std::move(steps)},
	};
}

} // namespace hbctl
