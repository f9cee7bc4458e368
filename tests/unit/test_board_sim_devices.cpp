// SPDX-License-Identifier: MIT
// The simulated twins, in virtual time: thermal lag, regulator clamping and fault
// latching, sensor failure, fan stall, GPIO history.
#include <boost/test/unit_test.hpp>

#include <hashboard/board/sim_devices.hpp>

#include <cmath>
#include <memory>
#include <vector>

using namespace hashboard;
using namespace std::chrono_literals;

namespace {

// ambient + P * r_th / (0.25 + 0.75 * airflow)
double steady_c(double watts, double airflow, SimThermalModel::Params p = {})
{
	return p.ambient_c + watts * p.r_th_c_per_w / (0.25 + 0.75 * airflow);
}

} // namespace

BOOST_AUTO_TEST_CASE(thermal_model_lags_with_its_time_constant)
{
	VirtualClock clock;
	SimThermalModel model(clock, {}); // 25 C ambient, 0.12 C/W, tau 20 s
	double watts = 0;
	double airflow = 1.0;
	model.set_power_source("asic", [&] { return watts; });
	model.set_airflow_source("fan0", [&] { return airflow; });
	BOOST_TEST(model.temperature_c() == 25.0);

	watts = 300;
	const double target = steady_c(300, 1.0); // 61 C
	BOOST_TEST(model.power_w() == 300.0);
	// Nothing happens in no time.
	BOOST_TEST(model.temperature_c() == 25.0);
	clock.sleep_for(20s);
	// One time constant: 63.2 % of the way.
	const double one_tau = 25 + (target - 25) * (1 - std::exp(-1.0));
	BOOST_TEST(std::fabs(model.temperature_c() - one_tau) < 1e-9);
	// Many small reads follow the same curve as one long one (exact for constant power).
	for (int i = 0; i < 20; ++i) {
		clock.sleep_for(1s);
		model.temperature_c();
	}
	const double two_tau = 25 + (target - 25) * (1 - std::exp(-2.0));
	BOOST_TEST(std::fabs(model.temperature_c() - two_tau) < 1e-9);
	clock.sleep_for(600s);
	BOOST_TEST(std::fabs(model.temperature_c() - target) < 1e-6);

	// Less airflow, hotter: a quarter of the cooling with the fans stopped.
	airflow = 0.0;
	clock.sleep_for(600s);
	BOOST_TEST(std::fabs(model.temperature_c() - steady_c(300, 0.0)) < 1e-6);
}

BOOST_AUTO_TEST_CASE(thermal_model_uses_mean_airflow_and_the_regulators_power)
{
	VirtualClock clock;
	auto model = std::make_shared<SimThermalModel>(clock, SimThermalModel::Params{.tau = 0s});
	SimRegulator rail("vcore", {1000, 1400}, 12.0, [](double mv) { return mv / 10.0; });
	SimFan a("fan0", 6000), b("fan1", 6000);
	model->set_power_source("vcore", [&] { return rail.output_power_w(); });
	model->set_airflow_source("fan0", [&] { return a.airflow(); });
	model->set_airflow_source("fan1", [&] { return b.airflow(); });
	rail.set_vout_mv(1200);
	rail.set_output(true);
	a.set_duty(1.0);
	b.set_duty(0.5);
	clock.sleep_for(1s);
	const double watts = 1.2 * 120.0;
	BOOST_TEST(std::fabs(model->temperature_c() - steady_c(watts, 0.75)) < 1e-9);
	b.inject_stall(true);
	clock.sleep_for(1s);
	BOOST_TEST(std::fabs(model->temperature_c() - steady_c(watts, 0.5)) < 1e-9);
}

BOOST_AUTO_TEST_CASE(regulator_clamps_every_request)
{
	SimRegulator rail("vcore", {1000, 1400}, 12.0);
	BOOST_TEST(rail.set_vout_mv(500) == 1000.0);
	BOOST_TEST(rail.set_vout_mv(1250) == 1250.0);
	BOOST_TEST(rail.set_vout_mv(9000) == 1400.0);
	BOOST_TEST(rail.requests_sent() == (std::vector<double>{1000, 1250, 1400}));
	BOOST_CHECK_THROW(rail.set_vout_mv(std::nan("")), std::invalid_argument);
	BOOST_TEST(rail.requests_sent().size() == 3u);
	BOOST_TEST(rail.vout_mv() == 0.0); // still off
	rail.set_output(true);
	BOOST_TEST(rail.vout_mv() == 1400.0);
	BOOST_TEST(rail.iout_a() == 10.0); // the default load
	BOOST_TEST(rail.output_power_w() == 14.0);
	BOOST_TEST(rail.vin_v() == 12.0);
}

BOOST_AUTO_TEST_CASE(an_injected_fault_latches_the_output_off)
{
	SimRegulator rail("vcore", {1000, 1400}, 12.0);
	rail.set_vout_mv(1200);
	rail.set_output(true);
	auto s = rail.status();
	BOOST_TEST(s.output_on);
	BOOST_TEST(s.power_good);
	BOOST_TEST(!s.faulted());

	rail.inject_fault("IOUT_OC");
	s = rail.status();
	BOOST_TEST(!s.output_on);
	BOOST_TEST(!s.power_good);
	BOOST_TEST(s.faults == std::vector<std::string>{"IOUT_OC"});
	BOOST_TEST((s.status_word & 0x4010) == 0x4010); // IOUT summary + IOUT_OC
	BOOST_TEST((s.status_word & 0x0040) == 0x0040); // OFF
	BOOST_TEST(rail.vout_mv() == 0.0);
	BOOST_TEST(rail.iout_a() == 0.0);

	// Latched: switching on again does nothing until the faults are cleared.
	rail.set_output(true);
	BOOST_TEST(!rail.status().output_on);
	rail.clear_faults();
	BOOST_TEST(!rail.status().faulted());
	BOOST_TEST(!rail.status().output_on); // clearing does not switch on by itself
	rail.set_output(true);
	BOOST_TEST(rail.status().power_good);
	BOOST_TEST(rail.vout_mv() == 1200.0);

	rail.inject_fault("TEMP_OT");
	BOOST_TEST((rail.status().status_word & 0x0004) == 0x0004);
	rail.inject_fault("VIN_UV");
	BOOST_TEST(rail.status().faults == (std::vector<std::string>{"TEMP_OT", "VIN_UV"}));
}

BOOST_AUTO_TEST_CASE(a_failed_sensor_throws_until_it_recovers)
{
	VirtualClock clock;
	auto model = std::make_shared<SimThermalModel>(clock, SimThermalModel::Params{});
	SimTemperatureSensor asic("asic", model, 5.0);
	BOOST_TEST(asic.read_celsius() == 30.0); // ambient + offset
	asic.inject_failure(true);
	try {
		asic.read_celsius();
		BOOST_FAIL("expected DeviceError");
	} catch (const DeviceError &e) {
		BOOST_TEST(std::string(e.what()).find("asic") != std::string::npos);
	}
	asic.inject_failure(false);
	BOOST_TEST(asic.read_celsius() == 30.0);
}

BOOST_AUTO_TEST_CASE(a_stalled_fan_reads_zero_and_moves_no_air)
{
	SimFan fan("fan0", 6000);
	fan.set_duty(0.5);
	BOOST_TEST(fan.rpm() == 3000.0);
	BOOST_TEST(fan.airflow() == 0.5);
	fan.set_duty(7.0);
	BOOST_TEST(fan.duty() == 1.0);
	fan.set_duty(-1.0);
	BOOST_TEST(fan.duty() == 0.0);
	fan.set_duty(0.8);
	fan.inject_stall(true);
	BOOST_TEST(fan.rpm() == 0.0);
	BOOST_TEST(fan.airflow() == 0.0);
	BOOST_TEST(fan.duty() == 0.8); // the command stands; the fan does not follow
	fan.inject_stall(false);
	BOOST_TEST(fan.rpm() == 4800.0);
}

BOOST_AUTO_TEST_CASE(gpio_records_changes_and_calls_back)
{
	std::vector<bool> seen;
	SimGpioLine reset("reset", true, [&](bool active) { seen.push_back(active); });
	BOOST_TEST(reset.is_active());
	BOOST_TEST(reset.history().empty());
	reset.set_active(true); // no change: nothing recorded
	BOOST_TEST(reset.history().empty());
	reset.set_active(false);
	reset.set_active(true);
	reset.set_active(false);
	BOOST_TEST(reset.history() == (std::vector<bool>{false, true, false}));
	BOOST_TEST(seen == reset.history());
	BOOST_TEST(!reset.is_active());

	SimGpioLine quiet("power", false);
	quiet.set_active(true);
	BOOST_TEST(quiet.history() == std::vector<bool>{true});
}
