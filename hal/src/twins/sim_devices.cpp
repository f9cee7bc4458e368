// SPDX-License-Identifier: MIT
#include "devices/pmbus.hpp"
#include <hashboard/board/sim_devices.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace hashboard {

namespace {

void set_source(std::vector<std::pair<std::string, std::function<double()>>> &sources,
                const std::string &name, std::function<double()> fn)
{
	auto it = std::find_if(sources.begin(), sources.end(),
	                       [&](const auto &s) { return s.first == name; });
	if (!fn) {
		if (it != sources.end())
			sources.erase(it);
		return;
	}
	if (it != sources.end())
		it->second = std::move(fn);
	else
		sources.emplace_back(name, std::move(fn));
}

double clamp_fraction(double fraction, const char *what)
{
	if (std::isnan(fraction))
		throw std::invalid_argument(std::string(what) + ": duty is not a number");
	return std::clamp(fraction, 0.0, 1.0);
}

// The STATUS_WORD bits a real controller would show for an injected fault.
std::uint16_t status_bits_for(const std::string &fault)
{
	using namespace pmbus;
	if (fault.rfind("VOUT_OV", 0) == 0)
		return SW_VOUT | SW_VOUT_OV;
	if (fault.rfind("VOUT", 0) == 0 || fault.rfind("TON_MAX", 0) == 0)
		return SW_VOUT;
	if (fault.rfind("IOUT_OC", 0) == 0)
		return SW_IOUT_POUT | SW_IOUT_OC;
	if (fault.rfind("IOUT", 0) == 0 || fault.rfind("POUT", 0) == 0)
		return SW_IOUT_POUT;
	if (fault.rfind("VIN_UV", 0) == 0)
		return SW_INPUT | SW_VIN_UV;
	if (fault.rfind("VIN", 0) == 0 || fault.rfind("IIN", 0) == 0 || fault == "LOW_VIN")
		return SW_INPUT;
	if (fault.rfind("TEMP", 0) == 0)
		return SW_TEMPERATURE;
	if (fault.rfind("CML", 0) == 0)
		return SW_CML;
	return SW_OTHER | SW_NONE_OF_THE_ABOVE;
}

} // namespace

// --- SimThermalModel ---------------------------------------------------------------

SimThermalModel::SimThermalModel(const Clock &clock, Params params)
    : clock_(clock), params_(params), temp_c_(params.ambient_c), last_(clock.now())
{
	if (!(params_.r_th_c_per_w >= 0) || params_.tau.count() < 0)
		throw std::invalid_argument("SimThermalModel: r_th and tau must not be negative");
}

double SimThermalModel::power_w() const
{
	double watts = 0;
	for (const auto &[name, fn] : power_)
		watts += fn();
	return watts;
}

// The sources are sampled when the model is read, and taken as constant since the
// previous read: exact for piecewise-constant power, and the control loops read often.
void SimThermalModel::update()
{
	const Duration now = clock_.now();
	if (now <= last_)
		return;
	const double dt = to_seconds(now - last_);
	last_ = now;

	const double steady = steady_c(params_, power_w(), airflow());

	const double tau = to_seconds(params_.tau);
	const double approach = tau > 0 ? 1.0 - std::exp(-dt / tau) : 1.0;
	temp_c_ += (steady - temp_c_) * approach;
}

double SimThermalModel::airflow() const
{
	double airflow = 0;
	for (const auto &[name, fn] : airflow_)
		airflow += std::clamp(fn(), 0.0, 1.0);
	if (!airflow_.empty())
		airflow /= static_cast<double>(airflow_.size());
	return airflow;
}

double SimThermalModel::steady_c(const Params &params, double power_w, double airflow)
{
	const double airflow_factor = 0.25 + 0.75 * std::clamp(airflow, 0.0, 1.0);
	return params.ambient_c + power_w * params.r_th_c_per_w / airflow_factor;
}

double SimThermalModel::temperature_c()
{
	update();
	return temp_c_;
}

double SimThermalModel::chip_temperature_c(double x)
{
	update();
	const double share = 1.0 + params_.airflow_gradient * (std::clamp(x, 0.0, 1.0) - 0.5);
	return params_.ambient_c + (temp_c_ - params_.ambient_c) * share;
}

void SimThermalModel::set_ambient_c(double celsius)
{
	if (!std::isfinite(celsius))
		throw std::invalid_argument("SimThermalModel: ambient must be finite");
	// Time so far ran at the old ambient.
	update();
	params_.ambient_c = celsius;
}

void SimThermalModel::set_power_source(const std::string &name, std::function<double()> watts)
{
	// Time so far ran with the old sources.
	update();
	set_source(power_, name, std::move(watts));
}

void SimThermalModel::set_airflow_source(const std::string &name, std::function<double()> fraction)
{
	update();
	set_source(airflow_, name, std::move(fraction));
}

// --- SimEeprom ---------------------------------------------------------------------

SimEeprom::SimEeprom(unsigned offset, const std::string &contents) : bytes_(2048, 0xFF)
{
	for (std::size_t i = 0; i < contents.size() && offset + i < bytes_.size(); ++i)
		bytes_[offset + i] = std::uint8_t(contents[i]);
}

std::vector<std::uint8_t> SimEeprom::read(unsigned offset, unsigned length)
{
	if (std::size_t(offset) + length > bytes_.size())
		throw DeviceError("eeprom: read past the end of the simulated EEPROM");
	return {bytes_.begin() + offset, bytes_.begin() + offset + length};
}

// --- SimRegulator ------------------------------------------------------------------

SimRegulator::SimRegulator(std::string name, VoltageLimits limits, double vin_v,
                           std::function<double(double vout_mv)> load_amps_at)
    : name_(std::move(name)), limits_(limits), vin_v_(vin_v), load_(std::move(load_amps_at))
{
	if (!std::isfinite(limits_.min_mv) || !std::isfinite(limits_.max_mv) ||
	    limits_.min_mv < 0 || limits_.min_mv > limits_.max_mv)
		throw std::invalid_argument(name_ +
		                            ": voltage limits must satisfy 0 <= min <= max");
	if (!load_)
		load_ = [](double) { return 10.0; };
}

void SimRegulator::set_output(bool on)
{
	// A latched fault keeps the output off until the faults are cleared, as a
	// controller with a latch-off fault response does.
	on_ = on && faults_.empty();
}

double SimRegulator::set_vout_mv(double mv)
{
	if (std::isnan(mv))
		throw std::invalid_argument(name_ + ": requested VOUT is not a number");
	const double sent = limits_.clamp(mv);
	sent_.push_back(sent);
	vout_mv_ = sent;
	return sent;
}

double SimRegulator::vout_mv()
{
	return on_ ? std::max(0.0, vout_mv_ - droop_mv_) : 0.0;
}

double SimRegulator::iout_a()
{
	return on_ ? std::max(0.0, load_(vout_mv_)) : 0.0;
}

double SimRegulator::output_power_w()
{
	return vout_mv() / 1000.0 * iout_a();
}

RegulatorStatus SimRegulator::status()
{
	RegulatorStatus s;
	for (const auto &fault : faults_)
		s.status_word |= status_bits_for(fault);
	if (!on_)
		s.status_word |=
		    pmbus::SW_OFF | pmbus::SW_POWER_GOOD_N | pmbus::SW_NONE_OF_THE_ABOVE;
	s.faults = faults_;
	s.output_on = on_;
	s.power_good = on_ && faults_.empty();
	return s;
}

void SimRegulator::clear_faults()
{
	faults_.clear();
}

void SimRegulator::inject_fault(const std::string &fault)
{
	if (std::find(faults_.begin(), faults_.end(), fault) == faults_.end())
		faults_.push_back(fault);
	on_ = false;
}

// --- SimTemperatureSensor ------------------------------------------------------------

SimTemperatureSensor::SimTemperatureSensor(std::string name, std::shared_ptr<SimThermalModel> model,
                                           double offset_c)
    : name_(std::move(name)), model_(std::move(model)), offset_c_(offset_c)
{
	if (!model_)
		throw std::invalid_argument(name_ + ": no thermal model");
}

double SimTemperatureSensor::read_celsius()
{
	if (failed_)
		throw DeviceError(name_ + ": no answer from the sensor (simulated failure)");
	return model_->temperature_c() + offset_c_;
}

// --- SimFan --------------------------------------------------------------------------

SimFan::SimFan(std::string name, double max_rpm, double noise_db)
    : name_(std::move(name)), max_rpm_(max_rpm), noise_db_(noise_db)
{
	if (!(max_rpm_ > 0))
		throw std::invalid_argument(name_ + ": max_rpm must be positive");
}

void SimFan::set_duty(double fraction)
{
	duty_ = clamp_fraction(fraction, name_.c_str());
}

double SimFan::rpm()
{
	return stalled_ ? 0.0 : duty_ * max_rpm_;
}

double SimFan::noise_db() const
{
	const double speed = airflow();
	if (speed <= 0 || noise_db_ <= 0)
		return 0.0;
	return std::max(0.0, noise_db_ + 50.0 * std::log10(speed));
}

// --- SimGpioLine ---------------------------------------------------------------------

SimGpioLine::SimGpioLine(std::string name, bool initial_active, std::function<void(bool)> on_change)
    : name_(std::move(name)), active_(initial_active), on_change_(std::move(on_change))
{
}

void SimGpioLine::set_active(bool active)
{
	// Only changes are recorded and reported: writing the same level again moves nothing.
	if (active == active_)
		return;
	active_ = active;
	history_.push_back(active);
	if (on_change_)
		on_change_(active);
}

} // namespace hashboard
