// SPDX-License-Identifier: MIT
//
// SMBus-style access to the devices on one I2C bus (regulators, temperature sensors, fan
// controllers). Every call names the 7-bit address, because several devices share a bus.
#pragma once

#include <hashboard/board/devices.hpp>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace hashboard {

// Failures (NAK, arbitration loss, timeout, unsupported transfer) throw DeviceError naming
// the bus, the address and the command, with errno when the kernel gave one.
class I2cBus {
public:
	virtual ~I2cBus() = default;
	// What error messages call the bus, e.g. "/dev/i2c-1".
	virtual const std::string &name() const = 0;

	virtual std::uint8_t read_byte(std::uint8_t address, std::uint8_t command) = 0;
	virtual void write_byte(std::uint8_t address, std::uint8_t command, std::uint8_t value) = 0;
	// SMBus words travel low byte first (PMBus values are little-endian); the value
	// returned has the first byte on the wire in bits 7..0.
	virtual std::uint16_t read_word(std::uint8_t address, std::uint8_t command) = 0;
	virtual void write_word(std::uint8_t address, std::uint8_t command,
	                        std::uint16_t value) = 0;
	// SMBus block read: the device sends a count (1..32), then that many bytes.
	virtual std::vector<std::uint8_t> read_block(std::uint8_t address,
	                                             std::uint8_t command) = 0;
	// A command with no data (PMBus CLEAR_FAULTS).
	virtual void send_byte(std::uint8_t address, std::uint8_t command) = 0;
};

// Throws std::invalid_argument for an address that does not fit in 7 bits.
void check_i2c_address(std::uint8_t address);

// /dev/i2c-N through the i2c-dev driver. Transfers go through the I2C_SMBUS ioctl with
// I2C_SLAVE per address (never I2C_SLAVE_FORCE: an address that a kernel driver owns
// stays the kernel's). One transfer at a time: the address and the transfer are one step
// under a lock, so several threads may share a bus.
class LinuxI2cBus final : public I2cBus {
public:
	explicit LinuxI2cBus(unsigned bus_number); // /dev/i2c-<bus_number>
	explicit LinuxI2cBus(std::string device_path);
	~LinuxI2cBus() override;
	LinuxI2cBus(const LinuxI2cBus &) = delete;
	LinuxI2cBus &operator=(const LinuxI2cBus &) = delete;

	const std::string &name() const override { return path_; }
	std::uint8_t read_byte(std::uint8_t address, std::uint8_t command) override;
	void write_byte(std::uint8_t address, std::uint8_t command, std::uint8_t value) override;
	std::uint16_t read_word(std::uint8_t address, std::uint8_t command) override;
	void write_word(std::uint8_t address, std::uint8_t command, std::uint16_t value) override;
	std::vector<std::uint8_t> read_block(std::uint8_t address, std::uint8_t command) override;
	void send_byte(std::uint8_t address, std::uint8_t command) override;

	// The adapter's I2C_FUNCS bits, as read at open.
	unsigned long functionality() const { return funcs_; }

private:
	struct Transfer;
	void run(const Transfer &t);
	void select(std::uint8_t address, const Transfer &t);

	std::string path_;
	int fd_ = -1;
	unsigned long funcs_ = 0;
	int selected_ = -1;
	std::mutex mutex_;
};

} // namespace hashboard
