// SPDX-License-Identifier: MIT
#include "devices/emc2101.hpp"

#include "device_error_context.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace hashboard {

namespace {

// Register map (EMC2101 datasheet, DS20006703).
enum Reg : std::uint8_t {
	INTERNAL_TEMP = 0x00,
	EXTERNAL_TEMP_HIGH = 0x01,
	CONFIG = 0x03,
	EXTERNAL_TEMP_LOW = 0x10,
	TACH_LOW = 0x46,
	TACH_HIGH = 0x47,
	FAN_CONFIG = 0x4a,
	FAN_SETTING = 0x4c,
	PWM_FREQUENCY = 0x4d,
	PWM_DIVIDE = 0x4e,
	PRODUCT_ID = 0xfd,
	MANUFACTURER_ID = 0xfe,
};

constexpr std::uint8_t kConfigDacMode = 1u << 4;
constexpr std::uint8_t kConfigPinSixTach = 1u << 2;
constexpr std::uint8_t kFanConfigLutDisabled = 1u << 5; // FAN_SETTING drives the fan
constexpr std::uint8_t kFanConfigInvert = 1u << 4;
constexpr std::uint8_t kFanConfigSlowClock = 1u << 3;     // 1.4 kHz base instead of 360 kHz
constexpr std::uint8_t kFanConfigClockOverride = 1u << 2; // PWM_DIVIDE sets the base
constexpr std::uint8_t kManufacturerMicrochip = 0x5d;
constexpr std::uint8_t kProductEmc2101 = 0x16;
constexpr std::uint8_t kProductEmc2101R = 0x28;
constexpr double kTachNumerator = 5400000.0;

std::string hex2(unsigned v)
{
	return fmt::format("0x{:02x}", v & 0xffu);
}

} // namespace

Emc2101::Emc2101(std::shared_ptr<I2cBus> bus, Config config) : bus_(std::move(bus)), config_(config)
{
	if (!bus_)
		throw std::invalid_argument("EMC2101: no I2C bus");
	check_i2c_address(config_.address);
	if (config_.pwm_f < 1 || config_.pwm_f > 31 || config_.pwm_d < 1)
		throw std::invalid_argument("EMC2101: pwm_f must be 1..31 and pwm_d 1..255");

	const std::uint8_t manufacturer = read(MANUFACTURER_ID);
	const std::uint8_t product = read(PRODUCT_ID);
	if (manufacturer != kManufacturerMicrochip ||
	    (product != kProductEmc2101 && product != kProductEmc2101R))
		throw DeviceError(bus_->name() + " addr " + hex2(config_.address) +
		                  ": not an EMC2101 (manufacturer " + hex2(manufacturer) +
		                  ", product " + hex2(product) + ")");

	std::uint8_t cfg = read(CONFIG);
	cfg = static_cast<std::uint8_t>(cfg & ~kConfigDacMode);
	cfg = config_.tach_input ? (cfg | kConfigPinSixTach)
	                         : static_cast<std::uint8_t>(cfg & ~kConfigPinSixTach);
	write(CONFIG, cfg);

	// Frequency registers first, then the look-up table off, so the fan never runs
	// from a half-written configuration.
	write(PWM_FREQUENCY, config_.pwm_f);
	write(PWM_DIVIDE, config_.pwm_d);
	std::uint8_t fan = read(FAN_CONFIG);
	fan = static_cast<std::uint8_t>(fan & ~(kFanConfigSlowClock | kFanConfigInvert));
	fan |= kFanConfigLutDisabled | kFanConfigClockOverride;
	if (config_.invert_pwm)
		fan |= kFanConfigInvert;
	write(FAN_CONFIG, fan);
	duty_code_ = static_cast<std::uint8_t>(read(FAN_SETTING) & 0x3f);
}

std::uint8_t Emc2101::read(std::uint8_t reg)
{
	return with_device_name("EMC2101", [&] { return bus_->read_byte(config_.address, reg); });
}

void Emc2101::write(std::uint8_t reg, std::uint8_t value)
{
	with_device_name("EMC2101", [&] { bus_->write_byte(config_.address, reg, value); });
}

double Emc2101::decode_external(std::uint8_t high, std::uint8_t low)
{
	// The chip's own sentinels for a broken diode.
	if (high == 0x7f && low == 0x00)
		throw DeviceError("EMC2101: external diode open");
	if (high == 0x7f && low == 0xe0)
		throw DeviceError("EMC2101: external diode shorted");
	// 11-bit two's complement: whole degrees in the high byte, eighths in bits 7..5.
	return static_cast<std::int8_t>(high) + (low >> 5) * 0.125;
}

double Emc2101::rpm_from_tach(std::uint16_t count)
{
	if (count == 0xffff)
		return 0.0; // no tach edges: the fan stands still
	if (count == 0)
		throw DeviceError("EMC2101: tach count 0 is not a speed");
	return kTachNumerator / count;
}

double Emc2101::internal_celsius()
{
	const std::lock_guard lock(mutex_);
	return static_cast<std::int8_t>(read(INTERNAL_TEMP));
}

double Emc2101::external_celsius()
{
	const std::lock_guard lock(mutex_);
	// High byte first: reading it latches the low byte.
	const std::uint8_t high = read(EXTERNAL_TEMP_HIGH);
	const std::uint8_t low = read(EXTERNAL_TEMP_LOW);
	return decode_external(high, low);
}

double Emc2101::set_duty(double fraction)
{
	if (std::isnan(fraction))
		throw std::invalid_argument("EMC2101: duty is not a number");
	const unsigned steps = 2u * config_.pwm_f;
	const auto code =
	    static_cast<std::uint8_t>(std::lround(std::clamp(fraction, 0.0, 1.0) * steps));
	const std::lock_guard lock(mutex_);
	write(FAN_SETTING, code);
	duty_code_ = code;
	return static_cast<double>(code) / steps;
}

double Emc2101::duty() const
{
	const std::lock_guard lock(mutex_);
	return std::min(1.0, static_cast<double>(duty_code_) / (2u * config_.pwm_f));
}

double Emc2101::rpm()
{
	const std::lock_guard lock(mutex_);
	// Low byte first: reading it latches the high byte.
	const std::uint8_t low = read(TACH_LOW);
	const std::uint8_t high = read(TACH_HIGH);
	return rpm_from_tach(static_cast<std::uint16_t>(high << 8 | low));
}

Emc2101Temperature::Emc2101Temperature(std::string name, std::shared_ptr<Emc2101> chip,
                                       Channel channel)
    : name_(std::move(name)), chip_(std::move(chip)), channel_(channel)
{
	if (!chip_)
		throw std::invalid_argument(name_ + ": no EMC2101");
}

double Emc2101Temperature::read_celsius()
{
	return with_device_name(name_, [&] {
		return channel_ == Channel::internal ? chip_->internal_celsius()
		                                     : chip_->external_celsius();
	});
}

Emc2101Fan::Emc2101Fan(std::string name, std::shared_ptr<Emc2101> chip)
    : name_(std::move(name)), chip_(std::move(chip))
{
	if (!chip_)
		throw std::invalid_argument(name_ + ": no EMC2101");
}

void Emc2101Fan::set_duty(double fraction)
{
	with_device_name(name_, [&] { chip_->set_duty(fraction); });
}

double Emc2101Fan::duty() const
{
	return chip_->duty();
}

double Emc2101Fan::rpm()
{
	return with_device_name(name_, [&] { return chip_->rpm(); });
}

} // namespace hashboard
