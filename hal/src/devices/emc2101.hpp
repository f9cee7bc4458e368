// SPDX-License-Identifier: MIT
//
// Microchip EMC2101 fan controller and temperature monitor (Bitaxe-class boards): an
// internal sensor, an external diode (often the ASIC's), a PWM fan output and a tach
// input. One Emc2101 owns the chip; Emc2101Temperature and Emc2101Fan are the
// TemperatureSensor and Fan views the board sees.
#pragma once

#include "devices/i2c.hpp"
#include <hashboard/board/devices.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace hashboard {

class Emc2101 {
public:
	struct Config {
		std::uint8_t address = 0x4c;
		// PWM frequency = 360 kHz / (2 * pwm_f * pwm_d); duty resolution = 2 * pwm_f
		// steps. 7 and 1 give 25.7 kHz (4-wire fans expect 21..28 kHz) in 14 steps.
		std::uint8_t pwm_f = 7;  // 1..31
		std::uint8_t pwm_d = 1;  // 1..255
		bool invert_pwm = false; // for fans driven through an inverting stage
		bool tach_input = true;  // pin 6 as TACH (not ALERT#)
	};

	// Checks the manufacturer and product ids, then sets PWM mode with the look-up
	// table off (duty from FAN_SETTING), the PWM clock and the pin function.
	Emc2101(std::shared_ptr<I2cBus> bus, Config config);

	double internal_celsius();
	// The external diode; an open or shorted diode throws DeviceError.
	double external_celsius();
	// 0..1, clamped; returns the fraction actually set (quantised).
	double set_duty(double fraction);
	double duty() const;
	// 0 when the fan stands still (the tach count saturates).
	double rpm();

	const std::string &bus_name() const { return bus_->name(); }
	std::uint8_t address() const { return config_.address; }

	// Register facts, public for tests.
	static double decode_external(std::uint8_t high, std::uint8_t low);
	static double rpm_from_tach(std::uint16_t count);

private:
	std::uint8_t read(std::uint8_t reg);
	void write(std::uint8_t reg, std::uint8_t value);

	std::shared_ptr<I2cBus> bus_;
	Config config_;
	std::uint8_t duty_code_ = 0;
	// The tach and the external temperature are two-register reads that must not
	// interleave with another view's reads of the same chip.
	mutable std::mutex mutex_;
};

class Emc2101Temperature final : public TemperatureSensor {
public:
	enum class Channel { internal, external };
	Emc2101Temperature(std::string name, std::shared_ptr<Emc2101> chip,
	                   Channel channel = Channel::external);
	const std::string &name() const override { return name_; }
	double read_celsius() override;

private:
	std::string name_;
	std::shared_ptr<Emc2101> chip_;
	Channel channel_;
};

class Emc2101Fan final : public Fan {
public:
	Emc2101Fan(std::string name, std::shared_ptr<Emc2101> chip);
	const std::string &name() const override { return name_; }
	void set_duty(double fraction) override;
	double duty() const override;
	double rpm() override;

private:
	std::string name_;
	std::shared_ptr<Emc2101> chip_;
};

} // namespace hashboard
