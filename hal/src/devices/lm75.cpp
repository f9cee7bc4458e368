// SPDX-License-Identifier: MIT
#include "devices/lm75.hpp"

#include "device_error_context.hpp"

#include <stdexcept>
#include <utility>

namespace hashboard {

Lm75Sensor::Lm75Sensor(std::string name, std::shared_ptr<I2cBus> bus, std::uint8_t address,
                       unsigned resolution_bits)
    : name_(std::move(name)), bus_(std::move(bus)), address_(address),
      resolution_bits_(resolution_bits)
{
	if (!bus_)
		throw std::invalid_argument(name_ + ": no I2C bus");
	check_i2c_address(address_);
	if (resolution_bits_ < 9 || resolution_bits_ > 12)
		throw std::invalid_argument(name_ + ": LM75-class resolution is 9 to 12 bits");
}

double Lm75Sensor::decode(std::uint16_t register_value, unsigned resolution_bits)
{
	// Bits below the resolution are undefined on some parts: mask them off.
	const auto mask = static_cast<std::uint16_t>(0xffffu << (16 - resolution_bits));
	const auto value = static_cast<std::int16_t>(register_value & mask);
	return value / 256.0;
}

double Lm75Sensor::read_celsius()
{
	const std::uint16_t word =
	    with_device_name(name_, [&] { return bus_->read_word(address_, 0x00); });
	// The sensor sends its MSB first, which an SMBus word read puts in the low byte.
	const auto big_endian = static_cast<std::uint16_t>(word << 8 | word >> 8);
	return decode(big_endian, resolution_bits_);
}

} // namespace hashboard
