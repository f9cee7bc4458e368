// SPDX-License-Identifier: MIT
//
// Simulated twins of the board's control devices, sharing one thermal/power model, so a
// simulated board can be brought up, cooled, overheated and faulted in virtual time.
#pragma once

#include <hashboard/board/board_config.hpp>
#include <hashboard/board/devices.hpp>
#include <hashboard/clock.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hashboard {

// A lumped thermal model of one board: heat from the regulators' output power, removed
// by airflow from the fans. temperature = ambient + power * r_th / airflow_factor, where
// airflow_factor = 0.25 + 0.75 * mean fan duty (as rpm follows duty), reached with a
// first-order lag (time constant tau). Evaluated lazily from the injected clock.
class SimThermalModel {
public:
	using Params = SimThermal;
	SimThermalModel(const Clock &clock, Params params);

	double temperature_c();
	// A chip's temperature at x along the airflow (0: inlet .. 1: outlet): its share of
	// the board's rise over ambient grows downstream (Params::airflow_gradient).
	double chip_temperature_c(double x);
	// The air coming in; the board drifts towards the new steady state from now on.
	void set_ambient_c(double celsius);
	double ambient_c() const { return params_.ambient_c; }
	const Params &params() const { return params_; }
	// The steady board temperature at a power and a mean fan airflow (0..1): what the
	// model settles to, for the oracle.
	static double steady_c(const Params &params, double power_w, double airflow);
	// Sources report their present power; fans their present airflow fraction.
	void set_power_source(const std::string &name, std::function<double()> watts);
	void set_airflow_source(const std::string &name, std::function<double()> fraction);
	double power_w() const;

private:
	void update();
	double airflow() const;
	const Clock &clock_;
	Params params_;
	std::vector<std::pair<std::string, std::function<double()>>> power_;
	std::vector<std::pair<std::string, std::function<double()>>> airflow_;
	double temp_c_;
	Duration last_{0};
};

class SimRegulator final : public Regulator {
public:
	// load_amps_at: the current the rail draws at a given output voltage (from the chain
	// model: chips x frequency x V); default a fixed 10 A at nominal.
	SimRegulator(std::string name, VoltageLimits limits, double vin_v,
	             std::function<double(double vout_mv)> load_amps_at = {});
	const std::string &name() const override { return name_; }
	const VoltageLimits &limits() const override { return limits_; }
	void set_output(bool on) override;
	double set_vout_mv(double mv) override;
	double vout_mv() override;
	double vin_v() override { return vin_v_; }
	double iout_a() override;
	double temperature_c() override { return 40.0 + 0.5 * iout_a(); }
	RegulatorStatus status() override;
	void clear_faults() override;

	// Fault injection: a PMBus-style fault name ("VOUT_OV", "IOUT_OC", "TEMP_OT",
	// "VIN_UV", ...) latches and switches the output off, as a real controller does.
	void inject_fault(const std::string &fault);
	// The output sags this far below its set point (a weak power stage, a bad sense
	// line): power good holds, the chips and the READ_VOUT see the lower voltage.
	void inject_droop_mv(double mv) { droop_mv_ = mv; }
	double output_power_w();
	// The last millivolts that reached the "device" (after clamping): tests check that
	// nothing outside the limits ever gets there.
	const std::vector<double> &requests_sent() const { return sent_; }

private:
	std::string name_;
	VoltageLimits limits_;
	double vin_v_;
	std::function<double(double)> load_;
	bool on_ = false;
	double vout_mv_ = 0;
	double droop_mv_ = 0;
	std::vector<std::string> faults_;
	std::vector<double> sent_;
};

class SimTemperatureSensor final : public TemperatureSensor {
public:
	SimTemperatureSensor(std::string name, std::shared_ptr<SimThermalModel> model,
	                     double offset_c = 0);
	const std::string &name() const override { return name_; }
	double read_celsius() override; // throws DeviceError once failed
	void inject_failure(bool failed) { failed_ = failed; }

private:
	std::string name_;
	std::shared_ptr<SimThermalModel> model_;
	double offset_c_;
	bool failed_ = false;
};

class SimFan final : public Fan {
public:
	// noise_db: the fan's sound level at full duty (the model's; no real fan reports it).
	SimFan(std::string name, double max_rpm, double noise_db = 0);
	const std::string &name() const override { return name_; }
	void set_duty(double fraction) override;
	double duty() const override { return duty_; }
	double rpm() override;
	// A stalled fan reports 0 rpm and moves no air whatever its duty.
	void inject_stall(bool stalled) { stalled_ = stalled; }
	double airflow() const { return stalled_ ? 0.0 : duty_; }
	// The model's noise: the fan laws give sound power ~ rpm^5, so 50 log10(rpm / max)
	// below the full-duty level; 0 dB when it stands still.
	double noise_db() const;

private:
	std::string name_;
	double max_rpm_;
	double noise_db_;
	double duty_ = 0;
	bool stalled_ = false;
};

// The identity EEPROM: 2 KiB erased (0xFF) but for the bytes it was made with.
class SimEeprom final : public Eeprom {
public:
	SimEeprom(unsigned offset, const std::string &contents);
	std::vector<std::uint8_t> read(unsigned offset, unsigned length) override;

private:
	std::vector<std::uint8_t> bytes_;
};

class SimGpioLine final : public GpioLine {
public:
	// on_change sees the logical level each time it changes (the simulated board wires
	// reset to SimChain::set_reset, power enable to the regulator, and so on).
	SimGpioLine(std::string name, bool initial_active,
	            std::function<void(bool)> on_change = {});
	const std::string &name() const override { return name_; }
	void set_active(bool active) override;
	bool is_active() override { return active_; }
	// Every level change in order, for bring-up order tests.
	const std::vector<bool> &history() const { return history_; }

private:
	std::string name_;
	bool active_;
	std::function<void(bool)> on_change_;
	std::vector<bool> history_;
};

} // namespace hashboard
