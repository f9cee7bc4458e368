// SPDX-License-Identifier: MIT
// The safety supervisor on a simulated board: each trip, injected through the twins,
// ends in the safe state (PLLs ramped down, reset asserted, regulators off, power
// enable off) with its reason kept.
#include <boost/test/unit_test.hpp>

#include "board_rig.hpp"

#include <hashboard/board/safety.hpp>
#include <hashboard/work.hpp>
#include <hbsim/sim_chain.hpp>

#include <chrono>

using namespace hashboard;
using namespace std::chrono_literals;
using boardtest::board_text;
using boardtest::Rig;

namespace {

constexpr Duration kTick = 100ms;

void bring_up(Board &b)
{
	b.power_up();
	b.start_chains();
}

// The control loop: mine (when asked) and tick every 100 ms until the board trips or
// `limit` passes.
std::optional<TripReason> run(Rig &rig, SafetySupervisor &s, Duration limit, bool mine = false)
{
	Board &b = *rig.board;
	SyntheticWorkSource work(9);
	const Duration end = rig.clock.now() + limit;
	while (rig.clock.now() < end) {
		if (mine) {
			b.send_work([&] { return work.next(); });
			b.poll(kTick, {});
		} else {
			rig.clock.sleep_for(kTick);
		}
		b.update(rig.clock.now());
		if (auto r = s.tick(rig.clock.now()))
			return r;
	}
	return std::nullopt;
}

// Everything a trip must leave behind, whatever its cause.
void check_safe_state(Rig &rig, TripCause cause)
{
	Board &b = *rig.board;
	BOOST_TEST((b.state() == BoardState::tripped));
	BOOST_TEST_REQUIRE(b.trip_reason().has_value());
	BOOST_TEST(trip_cause_name(b.trip_reason()->cause) == trip_cause_name(cause));
	for (const auto &r : rig.config.regulators)
		BOOST_TEST(!rig.twins->regulator(r.name).status().output_on, r.name);
	BOOST_TEST(rig.twins->gpio("reset").is_active());
	BOOST_TEST(!rig.twins->gpio("power_enable").is_active());
	for (const auto &c : rig.config.chains) {
		BOOST_TEST(!rig.twins->chain_powered(c.id));
		BOOST_TEST(rig.twins->chain_in_reset(c.id));
		// The Chain knows: its chips have no power and no address (docs/chain.md).
		BOOST_TEST((b.chain(c.id).state() == ChainState::off), "chain " << c.id);
	}
	// The PLLs came down before reset: the last frequencies the chips ran at, seen
	// just before the reset, step down towards the floor; unless the chain had lost
	// its power already (a rail fault), when there was nothing left to ramp.
	const long reset = rig.find("gpio:reset", "active", 1);
	BOOST_TEST_REQUIRE(reset > 0);
	const Duration reset_at = rig.twins->journal()[std::size_t(reset)].t;
	for (const auto &c : rig.config.chains) {
		const std::string chain = "chain:" + std::to_string(c.id);
		const long lost = rig.find(chain, "unpowered");
		if (lost >= 0 && lost < reset)
			continue;
		const auto &h = rig.twins->frequency_history(c.id);
		BOOST_TEST_REQUIRE(!h.empty());
		BOOST_TEST(h.back().t <= reset_at);
		BOOST_TEST(h.back().max_mhz <= 150.0);
	}
}

} // namespace

BOOST_AUTO_TEST_CASE(over_temperature_trips)
{
	Rig rig(board_text(1, 4));
	bring_up(*rig.board);
	SafetySupervisor s(*rig.board);
	BOOST_TEST(!run(rig, s, 2s).has_value()); // healthy: ~35 C
	BOOST_TEST(s.hottest_c().value_or(0) < 75.0);
	// A heat source the fans cannot carry away.
	rig.twins->thermal().set_power_source("heater", [] { return 400.0; });
	const auto r = run(rig, s, 60s);
	BOOST_TEST_REQUIRE(r.has_value());
	BOOST_TEST((r->cause == TripCause::over_temperature));
	BOOST_TEST(r->device == "asic"); // the hotter of the two sensors
	BOOST_TEST(r->message().find("trip limit 90") != std::string::npos, r->message());
	check_safe_state(rig, TripCause::over_temperature);
}

BOOST_AUTO_TEST_CASE(warning_sends_fans_to_full_duty)
{
	Rig rig(board_text(1, 4));
	bring_up(*rig.board);
	SafetySupervisor s(*rig.board);
	rig.board->set_fan_duty(0.5);
	rig.twins->thermal().set_power_source("heater", [] { return 150.0; }); // ~70..85 C
	const Duration end = rig.clock.now() + 120s;
	while (s.warnings().empty() && rig.clock.now() < end) {
		rig.clock.sleep_for(kTick);
		BOOST_TEST_REQUIRE(!s.tick(rig.clock.now()).has_value());
	}
	BOOST_TEST_REQUIRE(!s.warnings().empty());
	BOOST_TEST(rig.twins->fan("fan0").duty() == 1.0);
	BOOST_TEST(rig.twins->fan("fan1").duty() == 1.0);
	BOOST_TEST((rig.board->state() == BoardState::enumerated));
}

BOOST_AUTO_TEST_CASE(fan_failure_trips_after_the_grace_time)
{
	Rig rig(board_text(1, 4));
	bring_up(*rig.board);
	SafetySupervisor s(*rig.board);
	BOOST_TEST(!run(rig, s, 1s).has_value());
	rig.twins->fan("fan1").inject_stall(true);
	BOOST_TEST(!s.tick(rig.clock.now()).has_value()); // slow from now; 1 s of grace
	const Duration stalled_at = rig.clock.now();
	const auto r = run(rig, s, 5s);
	BOOST_TEST_REQUIRE(r.has_value());
	BOOST_TEST((r->cause == TripCause::fan_failure));
	BOOST_TEST(r->device == "fan1");
	BOOST_TEST(to_seconds(r->when - stalled_at) >= 1.0);
	check_safe_state(rig, TripCause::fan_failure);
	// The fan that still turns is at full duty to cool what is left.
	BOOST_TEST(rig.twins->fan("fan0").duty() == 1.0);
}

BOOST_AUTO_TEST_CASE(regulator_fault_trips_while_mining)
{
	Rig rig(board_text(2, 4));
	bring_up(*rig.board);
	SafetySupervisor s(*rig.board);
	BOOST_TEST(!run(rig, s, 500ms, true).has_value());
	BOOST_TEST((rig.board->state() == BoardState::mining));
	rig.twins->regulator("r1").inject_fault("IOUT_OC");
	const auto r = run(rig, s, 1s, true);
	BOOST_TEST_REQUIRE(r.has_value());
	BOOST_TEST((r->cause == TripCause::regulator_fault));
	BOOST_TEST(r->device == "r1");
	BOOST_TEST(r->detail.find("IOUT_OC") != std::string::npos, r->detail);
	check_safe_state(rig, TripCause::regulator_fault);
}

BOOST_AUTO_TEST_CASE(scheduled_regulator_fault_from_the_board_file)
{
	Rig rig(board_text(1, 4,
	                   "[[sim.fault]]\ntype = \"regulator_fault\"\ndevice = \"r0\"\n"
	                   "fault = \"VOUT_OV\"\nat_s = 20\n"));
	bring_up(*rig.board); // about 7.5 s of ramp
	SafetySupervisor s(*rig.board);
	const auto r = run(rig, s, 30s);
	BOOST_TEST_REQUIRE(r.has_value());
	BOOST_TEST((r->cause == TripCause::regulator_fault));
	BOOST_TEST(to_seconds(r->when) >= 20.0);
	BOOST_TEST(r->detail.find("VOUT_OV") != std::string::npos);
	check_safe_state(rig, TripCause::regulator_fault);
}

BOOST_AUTO_TEST_CASE(sensor_loss_trips_after_consecutive_failures_only)
{
	Rig rig(board_text(1, 4));
	bring_up(*rig.board);
	SafetySupervisor s(*rig.board);
	auto &asic = rig.twins->sensor("asic");
	// Two failures, a good read, two more: never three in a row.
	for (bool failed : {true, true, false, true, true}) {
		asic.inject_failure(failed);
		rig.clock.sleep_for(kTick);
		BOOST_TEST(!s.tick(rig.clock.now()).has_value());
	}
	rig.clock.sleep_for(kTick);
	const auto r = s.tick(rig.clock.now()); // the third in a row
	BOOST_TEST_REQUIRE(r.has_value());
	BOOST_TEST((r->cause == TripCause::sensor_loss));
	BOOST_TEST(r->device == "asic");
	check_safe_state(rig, TripCause::sensor_loss);
}

BOOST_AUTO_TEST_CASE(over_power_trips)
{
	BoardConfig c = parse_board_config(board_text(1, 4), "rig.toml");
	c.limits.power_max_w = 25; // four BM1366 at 485 MHz and 1.2 V draw about 32 W (physics.md)
	Rig rig(c);
	bring_up(*rig.board);
	SafetySupervisor s(*rig.board);
	const auto r = s.tick(rig.clock.now());
	BOOST_TEST_REQUIRE(r.has_value());
	BOOST_TEST((r->cause == TripCause::over_power));
	check_safe_state(rig, TripCause::over_power);
}

BOOST_AUTO_TEST_CASE(watchdog_trips_a_hung_control_loop)
{
	Rig rig(board_text(1, 4));
	bring_up(*rig.board);
	SafetySupervisor s(*rig.board);
	// Not armed before the first tick: bring-up is not a control loop.
	rig.clock.sleep_for(10s);
	BOOST_TEST(!s.check_watchdog(rig.clock.now()).has_value());
	BOOST_TEST(!s.tick(rig.clock.now()).has_value());
	rig.clock.sleep_for(1500ms);
	BOOST_TEST(!s.check_watchdog(rig.clock.now()).has_value()); // within the 2 s timeout
	s.kick(rig.clock.now());
	rig.clock.sleep_for(2500ms); // the loop hangs
	const auto r = s.check_watchdog(rig.clock.now());
	BOOST_TEST_REQUIRE(r.has_value());
	BOOST_TEST((r->cause == TripCause::watchdog));
	BOOST_TEST(r->message().find("no control-loop tick") != std::string::npos, r->message());
	check_safe_state(rig, TripCause::watchdog);
	// A second check keeps the first reason.
	rig.clock.sleep_for(5s);
	BOOST_TEST(!s.check_watchdog(rig.clock.now()).has_value());
	BOOST_TEST((rig.board->trip_reason()->cause == TripCause::watchdog));
}

BOOST_AUTO_TEST_CASE(watchdog_from_another_thread_cuts_power_only)
{
	Rig rig(board_text(1, 4));
	bring_up(*rig.board);
	SafetySupervisor s(*rig.board);
	s.tick(rig.clock.now());
	const std::size_t ramp_samples = rig.twins->frequency_history(0).size();
	rig.clock.sleep_for(3s);
	const auto r = s.check_watchdog(rig.clock.now(), true);
	BOOST_TEST_REQUIRE(r.has_value());
	BOOST_TEST((rig.board->state() == BoardState::tripped));
	BOOST_TEST(!rig.twins->regulator("r0").status().output_on);
	BOOST_TEST(rig.twins->gpio("reset").is_active());
	BOOST_TEST(!rig.twins->chain_powered(0));
	// The chain link belongs to the (stuck) control thread: no PLL write went out, and
	// the Chain itself is left to that thread.
	BOOST_TEST(rig.twins->frequency_history(0).size() == ramp_samples);
	BOOST_TEST((rig.board->chain(0).state() == ChainState::enumerated));
	// Its next control step tells the Chain the chips have no power.
	rig.board->update(rig.clock.now());
	BOOST_TEST((rig.board->chain(0).state() == ChainState::off));
	BOOST_CHECK_THROW(rig.board->chain(0).send_work(SyntheticWorkSource(1).next()),
	                  std::logic_error);
}

BOOST_AUTO_TEST_CASE(watchdog_thread_in_real_time)
{
	// A board on a real clock, powered but not started (nothing here sleeps long).
	BoardConfig c = parse_board_config(board_text(1, 2), "rig.toml");
	c.safety.watchdog_timeout = 50ms;
	SteadyClock clock;
	auto twins = std::make_shared<SimDeviceFactory>(c, clock);
	Board board(c, clock, twins);
	board.power_up();
	SafetySupervisor s(board);
	s.tick(clock.now());
	{
		Watchdog dog(s, clock, 5ms);
		// The control loop "hangs": wait (generously) for the watchdog to act.
		for (int i = 0; i < 2000 && board.state() != BoardState::tripped; ++i)
			clock.sleep_for(5ms);
	}
	BOOST_TEST_REQUIRE((board.state() == BoardState::tripped));
	BOOST_TEST((board.trip_reason()->cause == TripCause::watchdog));
	BOOST_TEST(!twins->regulator("r0").status().output_on);
	BOOST_TEST(twins->gpio("reset").is_active());
	VirtualClock virtual_clock;
	BOOST_CHECK_THROW(Watchdog(s, virtual_clock, 5ms), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(supervisor_is_quiet_while_the_board_is_off)
{
	Rig rig(board_text(1, 2));
	SafetySupervisor s(*rig.board);
	rig.twins->sensor("asic").inject_failure(true);
	rig.twins->fan("fan0").inject_stall(true);
	for (int i = 0; i < 10; ++i) {
		rig.clock.sleep_for(kTick);
		BOOST_TEST(!s.tick(rig.clock.now()).has_value());
	}
	rig.clock.sleep_for(10s);
	BOOST_TEST(!s.check_watchdog(rig.clock.now()).has_value());
	BOOST_TEST((rig.board->state() == BoardState::off));
}
