// SPDX-License-Identifier: MIT
// Issue 11's benchmark: on the A15-class simulated board (3 x 160 chips, the board
// file's seed), in virtual time, side by side: stock uniform settings, a rule-based
// tuner like today's firmware's (rule_tuner.hpp), this tuner and the physics oracle.
// Efficiency: J/TH and hashrate at the board's power limit; then the hashrate under a
// tighter power limit (BENCH_POWER_W, default 6000 W): stock voltage with one frequency
// cut to fit (what firmware without a tuner does), this tuner's hashrate mode, the
// oracle. Prints board time to converge and wall time; runs two boards at a time.
// Targets (issue 11): within 2 % of the oracle's J/TH, at least 10 % better J/TH than
// stock uniform settings, under 10 wall minutes on 2 cores.
#include "rule_tuner.hpp"

#include <hashboard/board/board.hpp>
#include <hashboard/board/board_config.hpp>
#include <hashboard/board/safety.hpp>
#include <hashboard/board/sim_board.hpp>
#include <hashboard/board/sim_oracle.hpp>
#include <hashboard/tuning/tuner.hpp>
#include <hashboard/tuning/tuning_port.hpp>
#include <hashboard/work.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace hashboard;
using namespace std::chrono_literals;

struct Row {
	std::string name;
	double hashrate_ths = 0;
	double power_w = 0;
	double j_per_th = 0;
	double error_rate = 0;
	double converge_s = 0; // board time
	double wall_s = 0;
	bool measured = true; // false: the oracle's computed figure
};

// One simulated board in virtual time, brought up, with a tuning port on it.
struct SimBoard {
	explicit SimBoard(const BoardConfig &c)
	    : devices(std::make_shared<SimDeviceFactory>(c, clock)),
	      board(std::make_unique<Board>(c, clock, devices)), work(c.sim.seed.value_or(1))
	{
		board->power_up();
		board->start_chains();
		supervisor = std::make_unique<SafetySupervisor>(*board);
		port = std::make_unique<BoardTuningPort>(*board, *supervisor,
		                                         [this](unsigned) { return work.next(); });
	}
	VirtualClock clock;
	std::shared_ptr<SimDeviceFactory> devices;
	std::unique_ptr<Board> board;
	SyntheticWorkSource work;
	std::unique_ptr<SafetySupervisor> supervisor;
	std::unique_ptr<BoardTuningPort> port;
};

double wrong_share(const TuningSample &s)
{
	std::uint64_t n = 0, e = 0;
	for (const auto &[id, counts] : s.chips)
		for (const auto &c : counts) {
			n += c.valid + c.errors;
			e += c.errors;
		}
	return n ? double(e) / double(n) : 0;
}

Row from_sample(std::string name, const TuningSample &s, double converge_s)
{
	return Row{std::move(name),
	           s.hashrate_ths,
	           s.power_w,
	           s.hashrate_ths > 0 ? s.power_w / s.hashrate_ths : 0,
	           wrong_share(s),
	           converge_s,
	           0,
	           true};
}

// Stock: the board file's settings, thermally settled, then a minute measured.
Row stock(const BoardConfig &c)
{
	SimBoard b(c);
	b.port->run(180s);
	return from_sample("stock uniform (1250 mV, 525 MHz)", b.port->run(60s), 0);
}

// Stock voltage, one frequency cut until the board fits under the power limit.
Row stock_capped(const BoardConfig &c, double limit_w)
{
	SimBoard b(c);
	double mhz = 525;
	TuningSample s = b.port->run(30s);
	for (int i = 0; i < 8; ++i) {
		if (s.power_w <= limit_w * 0.99 && s.power_w >= limit_w * 0.96)
			break;
		mhz = std::clamp(mhz * std::pow(limit_w * 0.975 / s.power_w, 1.15), 50.0, 600.0);
		for (unsigned id : b.board->chain_ids())
			b.port->set_chain_mhz(
			    id, std::vector<double>(b.port->chain_mhz(id).size(), mhz));
		s = b.port->run(40s);
	}
	b.port->run(120s);
	return from_sample("stock voltage, uniform " + std::to_string(int(mhz)) + " MHz",
	                   b.port->run(60s), 0);
}

Row rule_based(const BoardConfig &c)
{
	SimBoard b(c);
	const bench::RuleResult r = bench::rule_based_tune(*b.port, *c.limits.power_max_w, 30s);
	return Row{"rule-based (firmware-like, " + std::to_string(r.rounds) + " rounds)",
	           r.hashrate_ths,
	           r.power_w,
	           r.j_per_th,
	           r.error_rate,
	           r.took_s,
	           0,
	           true};
}

Row tuned(const BoardConfig &c, TuneGoal goal, std::string name)
{
	SimBoard b(c);
	Tuner tuner(*b.port, goal);
	const TuneResult r = tuner.tune();
	if (!r.converged)
		std::fprintf(stderr, "%s: did not converge: %s\n", name.c_str(),
		             r.stop_reason.c_str());
	return Row{std::move(name), r.hashrate_ths, r.power_w, r.j_per_th,
	           r.error_rate,    r.took_s,       0,         true};
}

Row oracle_row(std::string name, const OracleResult &r)
{
	return Row{std::move(name),
	           r.hashrate_ths,
	           r.power_w,
	           r.j_per_th,
	           r.worst_error_rate,
	           0,
	           0,
	           false};
}

// Runs each job, two at a time (the boards are independent), timing each.
std::vector<Row> run_all(std::vector<std::function<Row()>> jobs)
{
	std::vector<Row> rows(jobs.size());
	for (std::size_t i = 0; i < jobs.size(); i += 2) {
		std::vector<std::future<Row>> running;
		for (std::size_t j = i; j < std::min(i + 2, jobs.size()); ++j)
			running.push_back(std::async(std::launch::async, [job = jobs[j]] {
				const auto t0 = std::chrono::steady_clock::now();
				Row r = job();
				r.wall_s = std::chrono::duration<double>(
				               std::chrono::steady_clock::now() - t0)
				               .count();
				return r;
			}));
		for (std::size_t j = 0; j < running.size(); ++j)
			rows[i + j] = running[j].get();
	}
	return rows;
}

void print(const char *title, const std::vector<Row> &rows)
{
	std::printf("\n%s\n", title);
	std::printf("%-44s %10s %9s %8s %9s %12s %8s\n", "", "TH/s", "W", "J/TH", "wrong",
	            "converge s", "wall s");
	for (const Row &r : rows) {
		if (r.measured)
			std::printf("%-44s %10.2f %9.1f %8.3f %9.5f %12.0f %8.1f\n", r.name.c_str(),
			            r.hashrate_ths, r.power_w, r.j_per_th, r.error_rate,
			            r.converge_s, r.wall_s);
		else
			std::printf("%-44s %10.2f %9.1f %8.3f %9.5f %12s %8s\n", r.name.c_str(),
			            r.hashrate_ths, r.power_w, r.j_per_th, r.error_rate,
			            "(computed)", "-");
	}
}

} // namespace

int main()
{
	const BoardConfig c =
	    load_board_config(std::string(HB_SOURCE_DIR) + "/boards/a15-class-sim.toml");
	const char *env = std::getenv("BENCH_POWER_W");
	const double limit = env ? std::atof(env) : 6000;
	if (!(limit > 0 && std::isfinite(limit))) {
		std::fprintf(stderr, "BENCH_POWER_W must be a positive number of watts\n");
		return 2;
	}
	const auto t0 = std::chrono::steady_clock::now();
	std::printf("bench_tuning: %s, seed %llu, power limit %.0f W (board), %.0f W (hashrate "
	            "table)\n",
	            c.name.c_str(), (unsigned long long)c.sim.seed.value_or(0),
	            *c.limits.power_max_w, limit);

	TuneGoal eff;
	eff.mode = TuneMode::efficiency;
	TuneGoal fast;
	fast.mode = TuneMode::hashrate;
	fast.power_limit_w = limit;
	const std::vector<Row> runs = run_all({
	    [&] { return tuned(c, eff, "this tuner, efficiency"); },
	    [&] { return rule_based(c); },
	    [&] { return tuned(c, fast, "this tuner, hashrate at the limit"); },
	    [&] { return stock(c); },
	    [&] { return stock_capped(c, limit); },
	});
	const SimOracle oracle(c);
	OracleOptions o;
	o.power_limit_w = limit;
	const SimOracle capped(c, o);
	const OracleResult best_eff = oracle.best_efficiency();
	const OracleResult best_fast = capped.best_hashrate();

	const Row &tuner = runs[0], &rule = runs[1], &tuner_fast = runs[2], &stock_row = runs[3],
	          &stock_cap = runs[4];
	print("Efficiency (board power limit)",
	      {stock_row, rule, tuner, oracle_row("oracle, best J/TH", best_eff)});
	print("Hashrate under the power limit",
	      {stock_cap, tuner_fast, oracle_row("oracle, best hashrate", best_fast)});

	const double vs_oracle = tuner.j_per_th / best_eff.j_per_th;
	const double vs_stock = 1 - tuner.j_per_th / stock_row.j_per_th;
	const double vs_rule = 1 - tuner.j_per_th / rule.j_per_th;
	const double wall =
	    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("\ntuner J/TH / oracle J/TH: %.4f (target <= 1.02: %s)\n", vs_oracle,
	            vs_oracle <= 1.02 ? "met" : "MISSED");
	std::printf("tuner J/TH better than stock by %.1f %% (target >= 10 %%: %s)\n",
	            100 * vs_stock, vs_stock >= 0.10 ? "met" : "MISSED");
	std::printf("tuner J/TH better than rule-based by %.1f %%\n", 100 * vs_rule);
	std::printf("hashrate at %.0f W: tuner %.2f TH/s, %.1f %% of the oracle, %.1f %% over the "
	            "stock-voltage cut\n",
	            limit, tuner_fast.hashrate_ths,
	            100 * tuner_fast.hashrate_ths / best_fast.hashrate_ths,
	            100 * (tuner_fast.hashrate_ths / stock_cap.hashrate_ths - 1));
	std::printf("wall %.1f s (target < 600 s: %s)\n", wall, wall < 600 ? "met" : "MISSED");
	return 0;
}
