// SPDX-License-Identifier: MIT
// The autotuner (docs/tuning.md) on simulated boards in virtual time: it reaches a set
// fraction of the physics oracle and stays inside every limit at every step, checked
// against the simulator's own readings. The A15-class board's cases are long flows
// (make test-long); the rest run in make test.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "long_only.hpp"
#include "release_only.hpp"
#include "tuner_rig.hpp"

#include <hashboard/board/sim_oracle.hpp>

#include <chrono>
#include <cmath>

using namespace hashboard;
using namespace std::chrono_literals;
using hbtest::boards_dir;
using tunertest::TunerRig;

namespace {

void report(const char *what, const TuneResult &r)
{
	BOOST_TEST_MESSAGE(what << ": " << r.stop_reason << " after " << r.took_s << " s, "
	                        << r.hashrate_ths << " TH/s " << r.power_w << " W " << r.j_per_th
	                        << " J/TH hottest " << r.hottest_c << " C wrong " << r.error_rate);
	for (const auto &p : r.sweep)
		BOOST_TEST_MESSAGE("  " << p.mv << " mV: median " << p.median_mhz << " MHz ["
		                        << p.min_mhz << ", " << p.max_mhz << "] " << p.hashrate_ths
		                        << " TH/s " << p.power_w << " W " << p.j_per_th << " J/TH");
}

void print_progress(const TuneStep &s)
{
	BOOST_TEST_MESSAGE("[" << s.t_s << "] " << s.phase << ": " << s.hashrate_ths << " TH/s "
	                       << s.power_w << " W " << s.hottest_c << " C wrong " << s.error_rate
	                       << " MHz " << s.min_mhz << "/" << s.median_mhz << "/" << s.max_mhz
	                       << " " << s.note);
}

void require_inside(const TunerRig &t)
{
	BOOST_TEST(t.watch.checks > 10u);
	BOOST_TEST(t.watch.power_over == 0u);
	BOOST_TEST(t.watch.temp_over == 0u);
	BOOST_TEST(t.watch.volt_out == 0u);
	BOOST_TEST(t.watch.freq_out == 0u);
}

} // namespace

BOOST_AUTO_TEST_CASE(a15_class_efficiency_near_the_oracle_inside_every_limit,
                     *boost::unit_test::precondition(hbtest::long_only))
{
	const BoardConfig c = load_board_config(boards_dir() / "a15-class-sim.toml");
	const SimOracle oracle(c);
	const OracleResult best = oracle.best_efficiency();
	const OracleResult stock = oracle.uniform(c.regulator("rail0").default_mv, 525);
	TunerRig t(c);
	TuneGoal goal;
	goal.mode = TuneMode::efficiency;
	t.watch.power_cap = *c.limits.power_max_w;
	t.watch.temp_ceiling = c.limits.temp_warn_c;
	Tuner tuner(*t.port, goal);
	const TuneResult r = tuner.tune(print_progress);
	report("a15 efficiency", r);
	BOOST_TEST_MESSAGE("oracle " << best.j_per_th << " J/TH, stock " << stock.j_per_th);
	BOOST_TEST(r.converged);
	require_inside(t);
	// The oracle's figure is the chips' steady state; the tuner's is measured.
	BOOST_TEST(r.j_per_th < best.j_per_th * 1.03);
	BOOST_TEST(r.j_per_th < stock.j_per_th * 0.90);
	BOOST_TEST(r.error_rate < 3e-3); // not bought with wrong nonces
}

BOOST_AUTO_TEST_CASE(small_board_efficiency_near_the_oracle_inside_every_limit,
                     *boost::unit_test::precondition(hbtest::release_only))
{
	const BoardConfig c = parse_board_config(boardtest::board_text(1, 16), "rig.toml");
	const SimOracle oracle(c);
	const OracleResult best = oracle.best_efficiency();
	const OracleResult stock = oracle.uniform(1200, 525);
	TunerRig t(c);
	t.watch.power_cap = *c.limits.power_max_w;
	t.watch.temp_ceiling = c.limits.temp_warn_c;
	Tuner tuner(*t.port, TuneGoal{});
	const TuneResult r = tuner.tune(print_progress);
	report("small efficiency", r);
	BOOST_TEST_MESSAGE("oracle " << best.j_per_th << " J/TH at " << best.rail_mv.begin()->second
	                             << " mV, stock " << stock.j_per_th);
	BOOST_TEST(r.converged);
	require_inside(t);
	BOOST_TEST(r.j_per_th < best.j_per_th * 1.05);
	BOOST_TEST(r.j_per_th < stock.j_per_th * 0.90);
	BOOST_TEST(r.error_rate < 3e-3);
	BOOST_TEST(r.took_s < 1800.0); // bounded: the time budget
	// The result is what the board runs now.
	for (unsigned p = 0; p < 16; ++p)
		BOOST_TEST(t.rig.board->chip_targets(0)[p] == r.chip_mhz.at(0)[p]);
}

BOOST_AUTO_TEST_CASE(hashrate_under_a_power_limit_never_crosses_it,
                     *boost::unit_test::precondition(hbtest::release_only))
{
	const BoardConfig c = parse_board_config(boardtest::board_text(1, 16), "rig.toml");
	TuneGoal goal;
	goal.mode = TuneMode::hashrate;
	goal.power_limit_w = 75;
	OracleOptions o;
	o.power_limit_w = 75;
	const OracleResult best = SimOracle(c, o).best_hashrate();
	TunerRig t(c, 200); // brought up inside the limit: from there the tuner must keep it
	t.watch.power_cap = 75;
	t.watch.temp_ceiling = c.limits.temp_warn_c;
	Tuner tuner(*t.port, goal);
	const TuneResult r = tuner.tune(print_progress);
	report("small hashrate at 75 W", r);
	BOOST_TEST_MESSAGE("oracle " << best.hashrate_ths << " TH/s at " << best.power_w << " W");
	BOOST_TEST(r.converged);
	require_inside(t);
	BOOST_TEST(r.power_w <= 75.0);
	BOOST_TEST(r.hashrate_ths > 0.93 * best.hashrate_ths);
	BOOST_TEST(r.error_rate < 3e-3);
}

BOOST_AUTO_TEST_CASE(nano_class_holds_its_heat_under_the_noise_cap_as_the_room_changes,
                     *boost::unit_test::precondition(hbtest::release_only))
{
	const BoardConfig c = load_board_config(boards_dir() / "nano3-class-sim.toml");
	TuneGoal goal;
	goal.mode = TuneMode::heat;
	goal.heat_w = 80;
	goal.fan_cap = 0.5;
	TunerRig t(c);
	t.watch.fan_cap = 0.5;
	t.watch.temp_ceiling = c.limits.temp_warn_c;
	Tuner tuner(*t.port, goal);
	const TuneResult r = tuner.tune(print_progress);
	report("nano heat 80 W", r);
	BOOST_TEST_REQUIRE(r.converged);
	BOOST_TEST(std::abs(r.power_w - 80) < 0.03 * 80);
	// The room warms by 10 C, then cools to 18 C: the heat stays within 3 % once the
	// loop has followed (the board's time constant is 20 s; two minutes each).
	for (double ambient : {35.0, 18.0, 25.0}) {
		t.rig.twins->set_ambient_c(ambient);
		double energy = 0, secs = 0;
		for (int i = 0; i < 24; ++i) {
			const TuningSample s = tuner.hold(5s);
			BOOST_TEST_REQUIRE(!s.tripped);
			if (i >= 12) { // the last minute
				energy += s.power_w * to_seconds(s.elapsed);
				secs += to_seconds(s.elapsed);
			}
		}
		const double mean = energy / secs;
		BOOST_TEST_MESSAGE("ambient " << ambient << " C: " << mean << " W, noise "
		                              << t.rig.twins->noise_db() << " dB, hottest "
		                              << t.watch.max_temp);
		BOOST_TEST(std::abs(mean - 80) < 0.03 * 80, "ambient " << ambient);
	}
	require_inside(t);
	BOOST_TEST(t.watch.fan_over == 0u);
}

BOOST_AUTO_TEST_CASE(a_fixed_frequency_yields_to_the_temperature_ceiling)
{
	const BoardConfig c = parse_board_config(boardtest::board_text(1, 8), "rig.toml");
	TuneGoal goal;
	goal.mode = TuneMode::fixed;
	goal.fixed_mhz = 525;
	goal.temp_ceiling_c = 34; // below where the board settles at 525 MHz (about 39 C)
	TunerRig t(c);
	t.watch.temp_ceiling = 34 + 2; // the tuner reacts within a sensor sample
	Tuner tuner(*t.port, goal);
	const TuneResult r = tuner.tune(print_progress);
	report("fixed at a 34 C ceiling", r);
	BOOST_TEST(r.converged);
	for (int i = 0; i < 20; ++i)
		tuner.hold(10s);
	BOOST_TEST(t.watch.temp_over == 0u);
	BOOST_TEST(t.rig.board->chip_targets(0)[0] < 525.0);
}

BOOST_AUTO_TEST_CASE(bad_goals_are_refused_with_the_reason)
{
	const auto refused = [](TuneGoal g, const char *what) {
		try {
			validate_goal(g);
		} catch (const std::invalid_argument &e) {
			return std::string(e.what()).find(what) != std::string::npos;
		}
		return false;
	};
	TuneGoal g;
	g.power_limit_w = std::nan("");
	BOOST_TEST(refused(g, "power limit"));
	g = {};
	g.fan_cap = 0;
	BOOST_TEST(refused(g, "fan cap"));
	g = {};
	g.mode = TuneMode::heat;
	BOOST_TEST(refused(g, "heat"));
	g = {};
	g.mode = TuneMode::fixed;
	BOOST_TEST(refused(g, "fixed"));
	g = {};
	g.temp_ceiling_c = 1e300;
	BOOST_TEST(refused(g, "ceiling"));
	g = {};
	g.min_ths = -1;
	BOOST_TEST(refused(g, "floor"));
	BOOST_CHECK_THROW(parse_tune_mode("turbo"), std::invalid_argument);
	BOOST_TEST((parse_tune_mode("quiet") == TuneMode::quiet));
	BOOST_TEST(tune_mode_name(TuneMode::hashrate) == "hashrate");
}
