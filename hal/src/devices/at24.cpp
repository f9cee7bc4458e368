// SPDX-License-Identifier: MIT
#include "devices/at24.hpp"

#include <stdexcept>
#include <string>

namespace hashboard {

// The largest one-byte-offset part (24C16) holds 2 KiB.
constexpr unsigned kAt24MaxBytes = 2048;

At24Eeprom::At24Eeprom(std::shared_ptr<I2cBus> bus, std::uint8_t address)
    : bus_(std::move(bus)), address_(address)
{
	check_i2c_address(address);
}

std::vector<std::uint8_t> At24Eeprom::read(unsigned offset, unsigned length)
{
	if (offset + length > kAt24MaxBytes)
		throw std::invalid_argument("eeprom: bytes " + std::to_string(offset) + ".." +
		                            std::to_string(offset + length) +
		                            " past a 24C16's 2 KiB");
	std::vector<std::uint8_t> out;
	out.reserve(length);
	for (unsigned i = offset; i < offset + length; ++i)
		out.push_back(bus_->read_byte(std::uint8_t(address_ | ((i >> 8) & 0x7)),
		                              std::uint8_t(i & 0xFF)));
	return out;
}

} // namespace hashboard
