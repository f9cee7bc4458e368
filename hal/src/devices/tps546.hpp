// SPDX-License-Identifier: MIT
//
// A TPS546-class PMBus buck regulator (TPS546D24A on Bitaxe-class boards) over an
// I2cBus: VOUT in ULINEAR16 with VOUT_MODE's exponent, telemetry in LINEAR11, on/off
// through OPERATION, faults from STATUS_WORD and its detail registers.
#pragma once

#include "devices/i2c.hpp"
#include "devices/pmbus.hpp"
#include <hashboard/board/devices.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace hashboard {

class Tps546Regulator final : public Regulator {
public:
	struct Config {
		std::string name = "vcore";
		std::uint8_t address = 0x24;
		VoltageLimits limits;
		// Written once at construction when set. 0x18 (PU|CMD) makes OPERATION alone
		// switch the output; unset leaves the board's programmed value alone.
		std::optional<std::uint8_t> on_off_config;
	};

	// Reads VOUT_MODE to prove the device answers and speaks the linear format.
	// Throws std::invalid_argument for limits no VOUT code can honour, DeviceError when
	// the device does not answer or reports a format this class does not speak.
	Tps546Regulator(std::shared_ptr<I2cBus> bus, Config config);

	const std::string &name() const override { return config_.name; }
	const VoltageLimits &limits() const override { return config_.limits; }
	void set_output(bool on) override;
	// Clamps to limits() and then rounds to a VOUT code that is itself inside them, so
	// the value that reaches the device never leaves the range. Returns that value.
	double set_vout_mv(double mv) override;
	double vout_mv() override;
	double vin_v() override;
	double iout_a() override;
	double temperature_c() override;
	RegulatorStatus status() override;
	void clear_faults() override;

	// The ULINEAR16 code set_vout_mv() would send for mv (the clamping rule on its own).
	static std::uint16_t vout_code_for(double mv, const VoltageLimits &limits, int exponent);

private:
	int read_exponent();
	std::uint8_t read_byte(std::uint8_t command);
	std::uint16_t read_word(std::uint8_t command);
	void write_byte(std::uint8_t command, std::uint8_t value);
	void write_word(std::uint8_t command, std::uint16_t value);
	void send_byte(std::uint8_t command);
	void detail(std::uint16_t status_word, std::uint16_t summary_bit, std::uint8_t command,
	            const char *summary, void (*decode)(std::uint8_t, pmbus::StatusNames &),
	            pmbus::StatusNames &names);

	std::shared_ptr<I2cBus> bus_;
	Config config_;
	int exponent_ = 0; // VOUT_MODE's, as last read
};

} // namespace hashboard
