// SPDX-License-Identifier: MIT
#include "devices/tps546.hpp"

#include "device_error_context.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <utility>

namespace hashboard {

namespace {

std::string hex4(unsigned v)
{
	return fmt::format("0x{:04x}", v & 0xffffu);
}

// The first and last VOUT codes whose voltage lies inside the limits.
std::pair<double, double> code_range(const VoltageLimits &limits, int exponent)
{
	return {std::ceil(std::ldexp(limits.min_mv / 1000.0, -exponent)),
	        std::floor(std::ldexp(limits.max_mv / 1000.0, -exponent))};
}

void check_limits(const VoltageLimits &l, const std::string &name)
{
	if (!std::isfinite(l.min_mv) || !std::isfinite(l.max_mv) || l.min_mv < 0 || l.max_mv <= 0 ||
	    l.min_mv > l.max_mv)
		throw std::invalid_argument(
		    name + ": voltage limits must satisfy 0 <= min <= max, max > 0");
}

} // namespace

std::uint16_t Tps546Regulator::vout_code_for(double mv, const VoltageLimits &limits, int exponent)
{
	// Infinities clamp like any other request; NaN compares false with both limits
	// and would slip through the clamp.
	if (std::isnan(mv))
		throw std::invalid_argument("requested VOUT is not a number");
	const auto [first, last] = code_range(limits, exponent);
	if (first > last || last > 65535)
		throw std::invalid_argument("no VOUT code lies inside the voltage limits");
	// Clamp first; then keep the rounded code inside too, since the nearest code to a
	// limit may lie just outside it.
	double code = std::nearbyint(std::ldexp(limits.clamp(mv) / 1000.0, -exponent));
	code = code < first ? first : code > last ? last : code;
	return static_cast<std::uint16_t>(code);
}

Tps546Regulator::Tps546Regulator(std::shared_ptr<I2cBus> bus, Config config)
    : bus_(std::move(bus)), config_(std::move(config))
{
	if (!bus_)
		throw std::invalid_argument(config_.name + ": no I2C bus");
	check_i2c_address(config_.address);
	check_limits(config_.limits, config_.name);
	const int exponent = read_exponent();
	// Refuse at start-up rather than at the first set_vout_mv().
	vout_code_for(config_.limits.min_mv, config_.limits, exponent);
	if (config_.on_off_config)
		write_byte(pmbus::ON_OFF_CONFIG, *config_.on_off_config);
}

std::uint8_t Tps546Regulator::read_byte(std::uint8_t command)
{
	return with_device_name(config_.name,
	                        [&] { return bus_->read_byte(config_.address, command); });
}

std::uint16_t Tps546Regulator::read_word(std::uint8_t command)
{
	return with_device_name(config_.name,
	                        [&] { return bus_->read_word(config_.address, command); });
}

void Tps546Regulator::write_byte(std::uint8_t command, std::uint8_t value)
{
	with_device_name(config_.name, [&] { bus_->write_byte(config_.address, command, value); });
}

void Tps546Regulator::write_word(std::uint8_t command, std::uint16_t value)
{
	with_device_name(config_.name, [&] { bus_->write_word(config_.address, command, value); });
}

void Tps546Regulator::send_byte(std::uint8_t command)
{
	with_device_name(config_.name, [&] { bus_->send_byte(config_.address, command); });
}

int Tps546Regulator::read_exponent()
{
	const std::uint8_t mode = read_byte(pmbus::VOUT_MODE);
	try {
		exponent_ = pmbus::vout_mode_exponent(mode);
	} catch (const std::invalid_argument &e) {
		throw DeviceError(
		    fmt::format("{}: VOUT_MODE 0x{:02x}: {}", config_.name, mode, e.what()));
	}
	return exponent_;
}

void Tps546Regulator::set_output(bool on)
{
	write_byte(pmbus::OPERATION, on ? pmbus::kOperationOn : pmbus::kOperationOff);
}

double Tps546Regulator::set_vout_mv(double mv)
{
	// The exponent is read again before every write: encoded with a stale exponent, a
	// request would double or halve the output.
	const int exponent = read_exponent();
	const std::uint16_t code = vout_code_for(mv, config_.limits, exponent);
	write_word(pmbus::VOUT_COMMAND, code);
	const std::uint16_t readback = read_word(pmbus::VOUT_COMMAND);
	if (readback != code)
		throw DeviceError(config_.name + ": VOUT_COMMAND reads back " + hex4(readback) +
		                  " after writing " + hex4(code));
	return pmbus::decode_ulinear16(code, exponent) * 1000.0;
}

double Tps546Regulator::vout_mv()
{
	return pmbus::decode_ulinear16(read_word(pmbus::READ_VOUT), exponent_) * 1000.0;
}

double Tps546Regulator::vin_v()
{
	return pmbus::decode_linear11(read_word(pmbus::READ_VIN));
}

double Tps546Regulator::iout_a()
{
	return pmbus::decode_linear11(read_word(pmbus::READ_IOUT));
}

double Tps546Regulator::temperature_c()
{
	return pmbus::decode_linear11(read_word(pmbus::READ_TEMPERATURE_1));
}

void Tps546Regulator::detail(std::uint16_t status_word, std::uint16_t summary_bit,
                             std::uint8_t command, const char *summary,
                             void (*decode)(std::uint8_t, pmbus::StatusNames &),
                             pmbus::StatusNames &names)
{
	if (!(status_word & summary_bit))
		return;
	const std::uint8_t value = read_byte(command);
	decode(value, names);
	// A summary bit with an empty detail register still says something went wrong.
	if (value == 0)
		names.add_fault(summary);
}

RegulatorStatus Tps546Regulator::status()
{
	const std::uint16_t word = read_word(pmbus::STATUS_WORD);
	pmbus::StatusNames names;
	pmbus::decode_status_word(word, names);
	detail(word, pmbus::SW_VOUT, pmbus::STATUS_VOUT, "VOUT", pmbus::decode_status_vout, names);
	detail(word, pmbus::SW_IOUT_POUT, pmbus::STATUS_IOUT, "IOUT", pmbus::decode_status_iout,
	       names);
	detail(word, pmbus::SW_INPUT, pmbus::STATUS_INPUT, "INPUT", pmbus::decode_status_input,
	       names);
	detail(word, pmbus::SW_TEMPERATURE, pmbus::STATUS_TEMPERATURE, "TEMPERATURE",
	       pmbus::decode_status_temperature, names);
	detail(word, pmbus::SW_CML, pmbus::STATUS_CML, "CML", pmbus::decode_status_cml, names);

	RegulatorStatus s;
	s.status_word = word;
	s.faults = std::move(names.faults);
	s.warnings = std::move(names.warnings);
	s.output_on = !(word & pmbus::SW_OFF);
	s.power_good = s.output_on && !(word & pmbus::SW_POWER_GOOD_N);
	return s;
}

void Tps546Regulator::clear_faults()
{
	send_byte(pmbus::CLEAR_FAULTS);
}

} // namespace hashboard
