// SPDX-License-Identifier: MIT
// FanPid closing the loop over the simulated board in virtual time: SimThermalModel heated
// by a power source and cooled by a SimFan.
#include <boost/test/unit_test.hpp>

#include <hashboard/board/fan_pid.hpp>
#include <hashboard/board/sim_devices.hpp>

#include <cmath>
#include <memory>

using namespace hashboard;
using namespace std::chrono_literals;

namespace {

struct Loop {
	VirtualClock clock;
	std::shared_ptr<SimThermalModel> model =
	    std::make_shared<SimThermalModel>(clock, SimThermalModel::Params{});
	SimFan fan{"fan0", 6000};
	SimTemperatureSensor sensor{"asic", model};
	double watts = 300;
	FanPid pid;
	double min_duty_seen = 1, max_duty_seen = 0;

	explicit Loop(FanPid::Params p = {.target_c = 70.0}) : pid(clock, p)
	{
		model->set_power_source("asic", [this] { return watts; });
		model->set_airflow_source("fan0", [this] { return fan.airflow(); });
	}
	// One step a second, as a board's control loop would run.
	void run(std::chrono::seconds how_long)
	{
		for (auto t = 0s; t < how_long; t += 1s) {
			fan.set_duty(pid.update(sensor.read_celsius()));
			min_duty_seen = std::min(min_duty_seen, fan.duty());
			max_duty_seen = std::max(max_duty_seen, fan.duty());
			clock.sleep_for(1s);
		}
	}
	// The duty that holds `target` at this power: 0.25 + 0.75 d = P r / (T - ambient).
	double ideal_duty(double target) const
	{
		return (watts * 0.12 / (target - 25.0) - 0.25) / 0.75;
	}
};

} // namespace

BOOST_AUTO_TEST_CASE(settles_near_the_target)
{
	Loop loop;
	loop.run(600s);
	BOOST_TEST(loop.min_duty_seen >= 0.2);
	BOOST_TEST(loop.max_duty_seen <= 1.0);
	// Settled, not cycling: the last five minutes hold the duty still.
	loop.min_duty_seen = 1;
	loop.max_duty_seen = 0;
	loop.run(300s);
	BOOST_TEST(loop.max_duty_seen - loop.min_duty_seen < 0.01);
	const double t = loop.model->temperature_c();
	BOOST_TEST_MESSAGE("after 900 s: " << t << " C at duty " << loop.fan.duty() << " (ideal "
	                                   << loop.ideal_duty(70) << ")");
	BOOST_TEST(std::fabs(t - 70.0) < 0.5);
	BOOST_TEST(std::fabs(loop.fan.duty() - loop.ideal_duty(70)) < 0.02);
}

BOOST_AUTO_TEST_CASE(more_power_means_more_duty)
{
	Loop loop;
	loop.run(900s);
	const double before = loop.fan.duty();
	loop.watts = 350;
	loop.run(900s);
	const double after = loop.fan.duty();
	BOOST_TEST_MESSAGE("duty " << before << " at 300 W, " << after << " at 350 W");
	BOOST_TEST(after > before + 0.1);
	BOOST_TEST(std::fabs(loop.model->temperature_c() - 70.0) < 0.5);
	BOOST_TEST(std::fabs(after - loop.ideal_duty(70)) < 0.02);
}

BOOST_AUTO_TEST_CASE(a_cool_board_sits_at_the_minimum_duty)
{
	Loop loop;
	loop.watts = 50; // 25 + 50 * 0.12 / 0.4 = 40 C even at the minimum
	loop.run(600s);
	BOOST_TEST(loop.fan.duty() == 0.2);
	// And the integral did not wind down below the floor: heat arrives, duty rises
	// within seconds, not after unwinding.
	loop.watts = 400;
	loop.run(60s);
	BOOST_TEST(loop.fan.duty() > 0.3);
}

BOOST_AUTO_TEST_CASE(more_heat_than_the_fans_can_remove_saturates_without_windup)
{
	Loop loop;
	loop.watts = 500; // 61 C needs more than full airflow at 500 W: 25 + 60 = 85 C
	loop.run(600s);
	BOOST_TEST(loop.fan.duty() == 1.0);
	BOOST_TEST(loop.max_duty_seen <= 1.0);
	// Back to a load the fans can hold: the duty leaves full speed at once instead of
	// waiting for a wound-up integral to drain.
	loop.watts = 200;
	loop.run(120s);
	BOOST_TEST(loop.fan.duty() < 1.0);
	loop.run(900s);
	BOOST_TEST(std::fabs(loop.model->temperature_c() - 70.0) < 0.5);
}

BOOST_AUTO_TEST_CASE(steps_come_from_the_clock)
{
	VirtualClock clock;
	FanPid pid(clock, {.target_c = 60, .kp = 0.0, .ki = 0.01, .min_duty = 0.0});
	BOOST_TEST(pid.update(70) == 0.0); // no elapsed time yet: no integration
	BOOST_TEST(pid.update(70) == 0.0); // still none: the clock did not move
	clock.sleep_for(2s);
	BOOST_TEST(std::fabs(pid.update(70) - 0.2) < 1e-12); // 0.01 * 10 C * 2 s
	pid.reset();
	clock.sleep_for(5s);
	BOOST_TEST(pid.update(70) == 0.0); // the time base restarts
}

BOOST_AUTO_TEST_CASE(bad_parameters_are_refused)
{
	VirtualClock clock;
	BOOST_CHECK_THROW(FanPid(clock, {.min_duty = 0.8, .max_duty = 0.5}), std::invalid_argument);
	BOOST_CHECK_THROW(FanPid(clock, {.max_duty = 1.5}), std::invalid_argument);
	BOOST_CHECK_THROW(FanPid(clock, {.kp = -1}), std::invalid_argument);
	FanPid pid(clock, {});
	BOOST_CHECK_THROW(pid.update(std::nan("")), std::invalid_argument);
}
