// SPDX-License-Identifier: MIT
//
// LM75/TMP75-class temperature sensors over I2C: register 0x00 holds the temperature as
// a 16-bit big-endian two's complement value in 1/256 °C, of which the top 9 (LM75),
// 11 (LM75B) or 12 (TMP75 at full resolution) bits are meaningful.
#pragma once

#include "devices/i2c.hpp"
#include <hashboard/board/devices.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace hashboard {

class Lm75Sensor final : public TemperatureSensor {
public:
	// resolution_bits: 9..12, the meaningful bits; the rest are masked off.
	Lm75Sensor(std::string name, std::shared_ptr<I2cBus> bus, std::uint8_t address = 0x48,
	           unsigned resolution_bits = 9);
	const std::string &name() const override { return name_; }
	double read_celsius() override;

	// The register's 16 bits (MSB first on the wire) in °C.
	static double decode(std::uint16_t register_value, unsigned resolution_bits);

private:
	std::string name_;
	std::shared_ptr<I2cBus> bus_;
	std::uint8_t address_;
	unsigned resolution_bits_;
};

} // namespace hashboard
