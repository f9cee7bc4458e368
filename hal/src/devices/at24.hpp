// SPDX-License-Identifier: MIT
//
// A 24Cxx I2C EEPROM with one-byte word addresses (24C01 .. 24C16): a board's identity
// (its serial number). Read a byte at a time with SMBus "read byte data" (the offset is
// the command byte), which every i2c-dev adapter does; past 256 bytes the offset's bits
// 10..8 go into the device address, as the 24C04 .. 24C16 decode them.
#pragma once

#include "devices/i2c.hpp"

#include <hashboard/board/devices.hpp>

#include <memory>

namespace hashboard {

class At24Eeprom final : public Eeprom {
public:
	At24Eeprom(std::shared_ptr<I2cBus> bus, std::uint8_t address);
	std::vector<std::uint8_t> read(unsigned offset, unsigned length) override;

private:
	std::shared_ptr<I2cBus> bus_;
	std::uint8_t address_;
};

} // namespace hashboard
