// SPDX-License-Identifier: MIT
// The simulator's physics (docs/physics.md): the chips' hidden parameters and error
// curve, the rails and the thermal model that follow them on a simulated board, and the
// oracle. All in virtual time.
#include <boost/test/unit_test.hpp>

#include "board_rig.hpp"
#include "hbtest.hpp"

#include <hashboard/board/sim_oracle.hpp>
#include <hashboard/work.hpp>
#include <hbsim/physics.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

using namespace hashboard;
using namespace std::chrono_literals;
using boardtest::board_text;
using boardtest::Rig;
using hbtest::boards_dir;

namespace {

hbsim::ProcessPhysics chain_of(unsigned chips, std::uint64_t seed, hbsim::ProcessSpec spec = {})
{
	return hbsim::ProcessPhysics("bm1370", spec, seed, chips);
}

double wrong(const hbsim::ProcessPhysics &ph, double f, double mv = 1150, double tc = 60)
{
	return ph.wrong_nonce_probability({0, f, mv, tc});
}

// A board powered and its chips ramped to their targets, still in virtual time.
void bring_up(Board &b)
{
	b.power_up();
	b.start_chains();
}

// Lets the board settle for d, stepping its control loop as the daemon does.
void run_for(Rig &rig, Duration d)
{
	const Duration end = rig.clock.now() + d;
	while (rig.clock.now() < end) {
		rig.clock.sleep_for(500ms);
		rig.board->update(rig.clock.now());
		rig.board->read_sensors();
	}
}

double sensor_c(Rig &rig, const char *name)
{
	return rig.twins->sensor(name).read_celsius();
}

} // namespace

BOOST_AUTO_TEST_CASE(wrong_nonces_rise_steeply_past_the_stable_frequency)
{
	const auto ph = chain_of(1, 3);
	const double fs = ph.stable_mhz(0, 1150, 60);
	BOOST_TEST(std::abs(wrong(ph, fs) - hbsim::kStableErrorRate) < 1e-9);
	BOOST_TEST(wrong(ph, 0.95 * fs) < 1e-5);
	BOOST_TEST(wrong(ph, 1.02 * fs) > 5e-3);
	BOOST_TEST(wrong(ph, 1.05 * fs) > 0.1);
	BOOST_TEST(wrong(ph, 1.15 * fs) > 0.99);
	// Smooth: rising at every step, no jump.
	double last = 0;
	for (double r = 0.9; r < 1.2; r += 0.002) {
		const double p = wrong(ph, r * fs);
		BOOST_TEST(p > last);
		BOOST_TEST(p - last < 0.05);
		last = p;
	}
	// The inverse the oracle uses.
	const double f = ph.max_mhz_at_error(0, 1150, 60, 0.01);
	BOOST_TEST(std::abs(wrong(ph, f) - 0.01) < 1e-9);
}

BOOST_AUTO_TEST_CASE(stable_frequency_grows_with_voltage_and_falls_with_temperature)
{
	const auto ph = chain_of(1, 3);
	BOOST_TEST(ph.stable_mhz(0, 1250, 60) > ph.stable_mhz(0, 1150, 60));
	BOOST_TEST(ph.stable_mhz(0, 1150, 60) > ph.stable_mhz(0, 1050, 60));
	BOOST_TEST(ph.stable_mhz(0, 1150, 80) < ph.stable_mhz(0, 1150, 60));
	BOOST_TEST(ph.stable_mhz(0, 1150, 40) > ph.stable_mhz(0, 1150, 60));
	BOOST_TEST(ph.stable_mhz(0, 650, 60) == 0.0); // below threshold: nothing is stable
	// A frequency stable at 1.15 V fails at 1.05 V.
	const double f = 0.99 * ph.stable_mhz(0, 1150, 60);
	BOOST_TEST(wrong(ph, f, 1150) < hbsim::kStableErrorRate);
	BOOST_TEST(wrong(ph, f, 1050) > 0.5);
}

BOOST_AUTO_TEST_CASE(power_is_dynamic_plus_leakage_growing_with_voltage_and_temperature)
{
	const auto ph = chain_of(1, 3);
	const auto p = [&](double f, double mv, double tc) { return ph.power_w({0, f, mv, tc}); };
	const double dyn = ph.dyn_w_per_mhz_v2() * 1.15 * 1.15 * 525;
	BOOST_TEST(std::abs(p(525, 1150, 60) - dyn - ph.leakage_w(0, 1150, 60)) < 1e-9);
	BOOST_TEST(p(600, 1150, 60) > p(525, 1150, 60));
	BOOST_TEST(p(525, 1250, 60) > p(525, 1150, 60));
	BOOST_TEST(ph.leakage_w(0, 1250, 60) > ph.leakage_w(0, 1150, 60));
	BOOST_TEST(ph.leakage_w(0, 1150, 85) > 1.9 * ph.leakage_w(0, 1150, 60));
	BOOST_TEST(p(0, 1150, 60) > 0.0); // a stopped clock still leaks
	BOOST_TEST(p(525, 0, 60) == 0.0); // an unpowered chip draws nothing
}

BOOST_AUTO_TEST_CASE(process_variation_is_deterministic_per_seed_with_a_few_weak_chips)
{
	const auto a = chain_of(160, 15);
	const auto b = chain_of(160, 15);
	const auto c = chain_of(160, 16);
	unsigned weak = 0, differ = 0;
	double min_normal = 2, max_weak = 0, sum = 0, sum2 = 0;
	for (unsigned p = 0; p < 160; ++p) {
		BOOST_TEST(a.traits(p).speed == b.traits(p).speed);
		differ += a.traits(p).speed != c.traits(p).speed;
		if (a.traits(p).weak) {
			++weak;
			max_weak = std::max(max_weak, a.traits(p).speed);
		} else {
			min_normal = std::min(min_normal, a.traits(p).speed);
			sum += a.traits(p).speed;
			sum2 += a.traits(p).speed * a.traits(p).speed;
		}
	}
	BOOST_TEST(weak == 2u);
	BOOST_TEST(differ > 150u);
	BOOST_TEST(max_weak < min_normal); // the weak ones are the slowest
	const double mean = sum / 158, sd = std::sqrt(sum2 / 158 - mean * mean);
	BOOST_TEST(std::abs(mean - 1.0) < 0.01);
	BOOST_TEST(sd > 0.025);
	BOOST_TEST(sd < 0.055);
	// Fast silicon leaks more.
	unsigned fast = 0;
	for (unsigned p = 1; p < 160; ++p)
		fast += (a.traits(p).speed > a.traits(0).speed) ==
		        (a.traits(p).leak > a.traits(0).leak);
	BOOST_TEST(fast == 159u);
	// A short chain has no weak chip unless it asks.
	BOOST_TEST(!chain_of(4, 15).traits(0).weak);
}

BOOST_AUTO_TEST_CASE(regulator_current_follows_its_chips)
{
	Rig rig(board_text(1, 4));
	Board &b = *rig.board;
	bring_up(b);
	auto &rail = rig.twins->regulator("r0");
	const double at_485 = rail.iout_a();
	BOOST_TEST(at_485 > 0.0);
	double sum = 0;
	for (unsigned p = 0; p < 4; ++p)
		sum += rig.twins->chip_power_w(0, p);
	BOOST_TEST(std::abs(rail.output_power_w() - sum) < 1e-6); // the rail is its chips
	b.set_chain_frequency(0, 400);
	const double at_400 = rail.iout_a();
	BOOST_TEST(at_400 < at_485);
	b.set_domain_voltage("d0", 1300);
	BOOST_TEST(rig.twins->chip_voltage_mv(0, 2) == 1300.0);
	BOOST_TEST(rail.iout_a() > at_400);
	BOOST_TEST(rail.output_power_w() > sum);
}

BOOST_AUTO_TEST_CASE(chips_run_at_their_rails_live_voltage)
{
	Rig rig(board_text(1, 4));
	Board &b = *rig.board;
	bring_up(b);
	for (unsigned p = 0; p < 4; ++p) {
		BOOST_TEST(rig.twins->chip_voltage_mv(0, p) == 1200.0);
		BOOST_TEST(rig.twins->chip_wrong_nonce_probability(0, p) < hbsim::kStableErrorRate);
	}
	// 1.1 V does not carry 560 MHz on a BM1366 (1.2 V does): the chips fail at once.
	b.set_chain_frequency(0, 560);
	for (unsigned p = 0; p < 4; ++p)
		BOOST_TEST(rig.twins->chip_wrong_nonce_probability(0, p) < hbsim::kStableErrorRate);
	b.set_domain_voltage("d0", 1100);
	for (unsigned p = 0; p < 4; ++p)
		BOOST_TEST(rig.twins->chip_wrong_nonce_probability(0, p) > 0.01);
	SyntheticWorkSource work(3);
	std::uint64_t errors = 0;
	const Duration end = rig.clock.now() + 3s;
	while (rig.clock.now() < end) {
		b.send_work([&] { return work.next(); });
		b.poll(200ms, [&](unsigned, const NonceEvent &ev) {
			errors += ev.verdict != NonceVerdict::valid;
		});
	}
	BOOST_TEST(errors > 0u);
}

BOOST_AUTO_TEST_CASE(temperatures_follow_power_fans_airflow_and_ambient)
{
	Rig rig(board_text(1, 16));
	Board &b = *rig.board;
	bring_up(b);
	b.set_fan_duty(1.0);
	run_for(rig, 60s); // 6 time constants
	const double full = sensor_c(rig, "asic");
	BOOST_TEST(full > 30.0);
	// Downstream chips are hotter, the inlet chip coolest.
	for (unsigned p = 1; p < 16; ++p)
		BOOST_TEST(rig.twins->chip_temperature_c(0, p) >
		           rig.twins->chip_temperature_c(0, p - 1));
	BOOST_TEST(rig.twins->chip_temperature_c(0, 0) < full);
	BOOST_TEST(rig.twins->chip_temperature_c(0, 15) > full);

	// More power, hotter.
	b.set_domain_voltage("d0", 1300);
	run_for(rig, 60s);
	const double hot = sensor_c(rig, "asic");
	BOOST_TEST(hot > full + 1.0);
	// Less air, hotter still; the fans are quieter.
	const double loud = rig.twins->noise_db();
	b.set_fan_duty(0.7);
	run_for(rig, 60s);
	const double slow = sensor_c(rig, "asic");
	BOOST_TEST(slow > hot + 5.0);
	BOOST_TEST(rig.twins->noise_db() < loud - 7.0); // 50 log10(0.7) = -7.7 dB
	BOOST_TEST(std::abs(rig.twins->fan("fan0").noise_db() - (69 + 50 * std::log10(0.7))) <
	           1e-9);
	// Warmer air in, warmer board: by more than the change, as the hotter chips leak
	// more (at 1.3 V and 70 % air, 10 C more ambient measured +15 C on the board).
	rig.twins->set_ambient_c(35);
	run_for(rig, 60s);
	const double warm = sensor_c(rig, "asic");
	BOOST_TEST(warm > slow + 10.0);
	BOOST_TEST(warm < slow + 20.0);
}

BOOST_AUTO_TEST_CASE(oracle_respects_the_limits_and_beats_stock_on_the_a15_class_board)
{
	const BoardConfig c = load_board_config(boards_dir() / "a15-class-sim.toml");
	const SimOracle oracle(c);
	// Stock: one voltage (the rails' default) and the family's nominal frequency on every
	// chip, which even the weakest chip carries.
	const double stock_mv = c.regulator("rail0").default_mv;
	const OracleResult stock = oracle.uniform(stock_mv, 525);
	BOOST_TEST_MESSAGE("stock " << stock_mv << " mV 525 MHz: " << stock.hashrate_ths << " TH/s "
	                            << stock.power_w << " W " << stock.j_per_th << " J/TH board "
	                            << stock.board_c << " C worst p " << stock.worst_error_rate);
	BOOST_TEST(stock.feasible);
	BOOST_TEST(stock.worst_error_rate < hbsim::kStableErrorRate);

	const OracleResult eff = oracle.best_efficiency();
	BOOST_TEST_MESSAGE("best J/TH: " << eff.hashrate_ths << " TH/s " << eff.power_w << " W "
	                                 << eff.j_per_th << " J/TH at " << eff.rail_mv.at("rail0")
	                                 << " mV");
	BOOST_TEST_REQUIRE(eff.feasible);
	// Measured: 11.16 against 15.62 J/TH, 28.5 % better.
	BOOST_TEST(eff.j_per_th < 0.75 * stock.j_per_th);

	// Same hashrate as stock, per-chip: still better than stock.
	const OracleResult floor = oracle.best_efficiency(stock.hashrate_ths);
	BOOST_TEST_MESSAGE("best J/TH at stock hashrate: " << floor.hashrate_ths << " TH/s "
	                                                   << floor.j_per_th << " J/TH");
	BOOST_TEST_REQUIRE(floor.feasible);
	BOOST_TEST(floor.hashrate_ths >= stock.hashrate_ths);
	BOOST_TEST(floor.j_per_th < 0.75 * stock.j_per_th);

	const OracleResult fast = oracle.best_hashrate();
	BOOST_TEST_MESSAGE("best hashrate: " << fast.hashrate_ths << " TH/s " << fast.power_w
	                                     << " W of " << oracle.power_limit_w() << " "
	                                     << fast.j_per_th << " J/TH");
	BOOST_TEST_REQUIRE(fast.feasible);
	BOOST_TEST(fast.hashrate_ths > stock.hashrate_ths);

	// The best uniform settings (one voltage, one frequency, every chip stable), free and
	// at no less than stock's hashrate: per-chip frequencies beat both, by the slack the
	// weak chips impose on a uniform frequency.
	OracleResult uniform, uniform_floor;
	uniform.j_per_th = uniform_floor.j_per_th = 1e9;
	for (double mv = 1100; mv <= 1400; mv += 5)
		for (double f = 400; f <= 600; f += 1) {
			const OracleResult u = oracle.uniform(mv, f);
			if (!u.feasible)
				continue;
			if (u.j_per_th < uniform.j_per_th)
				uniform = u;
			if (u.hashrate_ths >= stock.hashrate_ths &&
			    u.j_per_th < uniform_floor.j_per_th)
				uniform_floor = u;
		}
	for (const OracleResult *u : {&uniform, &uniform_floor})
		BOOST_TEST_MESSAGE("best uniform J/TH: " << u->rail_mv.at("rail0") << " mV "
		                                         << u->chip_mhz.at(0).front() << " MHz "
		                                         << u->hashrate_ths << " TH/s "
		                                         << u->j_per_th << " J/TH");
	BOOST_TEST(eff.j_per_th < uniform.j_per_th);
	BOOST_TEST(floor.j_per_th < uniform_floor.j_per_th);
	for (const OracleResult *r : {&eff, &floor, &fast}) {
		BOOST_TEST(r->power_w <= oracle.power_limit_w() + 1e-6);
		BOOST_TEST(r->board_c < c.limits.temp_warn_c);
		BOOST_TEST(r->worst_error_rate < 1.05 * hbsim::kStableErrorRate);
		for (const auto &[rail, mv] : r->rail_mv) {
			BOOST_TEST(mv >= 1100.0);
			BOOST_TEST(mv <= 1400.0);
		}
		for (const auto &[id, f] : r->chip_mhz)
			for (double mhz : f) {
				BOOST_TEST(mhz >= c.limits.freq_min_mhz);
				BOOST_TEST(mhz <= c.limits.freq_max_mhz);
			}
	}
	// The oracle's own answer checks out when evaluated back as a setting.
	const OracleResult again = oracle.evaluate(eff.rail_mv, eff.chip_mhz);
	BOOST_TEST(std::abs(again.j_per_th - eff.j_per_th) < 1e-9);
}

BOOST_AUTO_TEST_CASE(oracle_under_a_tighter_power_limit_spends_it_all)
{
	const BoardConfig c = load_board_config(boards_dir() / "a15-class-sim.toml");
	OracleOptions o;
	o.power_limit_w = 3000;
	const SimOracle oracle(c, o);
	const OracleResult r = oracle.best_hashrate();
	BOOST_TEST_REQUIRE(r.feasible);
	BOOST_TEST(r.power_w <= 3000.0 + 1e-6);
	BOOST_TEST(r.power_w > 2990.0);
	// Nothing uniform within the same power does better.
	double best_uniform = 0;
	for (double mv = 1100; mv <= 1400; mv += 25)
		for (double f = 50; f <= 600; f += 5) {
			const OracleResult u = oracle.uniform(mv, f);
			if (u.feasible)
				best_uniform = std::max(best_uniform, u.hashrate_ths);
		}
	BOOST_TEST_MESSAGE("3 kW: oracle " << r.hashrate_ths << " TH/s, best uniform "
	                                   << best_uniform << " TH/s");
	BOOST_TEST(r.hashrate_ths > best_uniform);
}

BOOST_AUTO_TEST_CASE(shipped_boards_at_stock_land_near_their_public_figures)
{
	// Chip-side J/TH (the rails' output) at each board's default voltage and frequency
	// (the family's nominal where the board sets none), steady state at full fans; the
	// public figures are at the wall and docs/physics.md sizes from them.
	struct Case {
		const char *file;
		double lo, hi;
	};
	for (const Case &k :
	     {Case{"bitaxe-bm1370.toml", 12, 15.5}, Case{"a15-class-sim.toml", 15, 17.5},
	      Case{"bm1366-12.toml", 18, 23}, Case{"s19kpro-bm1366.toml", 21, 26},
	      Case{"nano3-class-sim.toml", 15, 19}}) {
		const BoardConfig c = load_board_config(boards_dir() / k.file);
		const ChainSpec &chain = c.chains.front();
		const double mhz = chain.frequency_mhz > 0 ? chain.frequency_mhz : 525;
		const double mv = c.regulators.front().default_mv;
		const OracleResult r = SimOracle(c).uniform(mv, mhz);
		BOOST_TEST_MESSAGE(k.file << ": " << mv << " mV " << mhz << " MHz "
		                          << r.hashrate_ths << " TH/s " << r.power_w << " W "
		                          << r.j_per_th << " J/TH board " << r.board_c
		                          << " C worst p " << r.worst_error_rate);
		BOOST_TEST(r.j_per_th > k.lo, k.file);
		BOOST_TEST(r.j_per_th < k.hi, k.file);
		BOOST_TEST(r.worst_error_rate < hbsim::kStableErrorRate, k.file);
	}
}
