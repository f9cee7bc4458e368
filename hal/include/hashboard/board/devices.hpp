// SPDX-License-Identifier: MIT
//
// The board's control devices as interfaces: regulators, temperature sensors, fans and
// GPIO lines. Each has a real Linux implementation (i2c-dev, hwmon, PWM sysfs, libgpiod)
// and a simulated twin; the Board, the safety supervisor and the tuner see only these.
#pragma once

#include <hashboard/error.hpp> // DeviceError

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace hashboard {

struct VoltageLimits {
	double min_mv = 0;
	double max_mv = 0;
	// Clamps a request into [min_mv, max_mv]; some DACs wrap a too-low request to a
	// much higher output, so nothing outside the range may ever reach the device.
	double clamp(double mv) const { return mv < min_mv ? min_mv : mv > max_mv ? max_mv : mv; }
};

struct RegulatorStatus {
	std::uint16_t status_word = 0;   // PMBus STATUS_WORD (or the twin's equivalent)
	std::vector<std::string> faults; // decoded, e.g. "VOUT_OV", "IOUT_OC", "TEMP_OT"
	bool power_good = false;
	bool output_on = false;
	// Latched warnings ("VOUT_UV_WARN", "TEMP_OT_WARN", ...): worth logging, not faults.
	std::vector<std::string> warnings;
	bool faulted() const { return !faults.empty(); }
};

class Regulator {
public:
	virtual ~Regulator() = default;
	virtual const std::string &name() const = 0;
	virtual const VoltageLimits &limits() const = 0;
	virtual void set_output(bool on) = 0;
	// Clamps to limits() first; returns the millivolts actually requested.
	virtual double set_vout_mv(double mv) = 0;
	virtual double vout_mv() = 0;
	virtual double vin_v() = 0;
	virtual double iout_a() = 0;
	virtual double temperature_c() = 0;
	virtual RegulatorStatus status() = 0;
	virtual void clear_faults() = 0;
};

// A board's identity EEPROM (its serial number, board file [eeprom]).
class Eeprom {
public:
	virtual ~Eeprom() = default;
	// length bytes from offset; throws DeviceError when the EEPROM does not answer.
	virtual std::vector<std::uint8_t> read(unsigned offset, unsigned length) = 0;
};

class TemperatureSensor {
public:
	virtual ~TemperatureSensor() = default;
	virtual const std::string &name() const = 0;
	virtual double read_celsius() = 0; // throws DeviceError
};

class Fan {
public:
	virtual ~Fan() = default;
	virtual const std::string &name() const = 0;
	virtual void set_duty(double fraction) = 0; // 0..1, clamped
	virtual double duty() const = 0;
	virtual double rpm() = 0; // tach readback; throws DeviceError
};

// One output line (reset, power enable) or input (plug detect). "Active" is the logical
// level: the implementation applies the line's active-low setting.
class GpioLine {
public:
	virtual ~GpioLine() = default;
	virtual const std::string &name() const = 0;
	virtual void set_active(bool active) = 0;
	virtual bool is_active() = 0;
};

} // namespace hashboard
