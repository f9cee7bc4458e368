// SPDX-License-Identifier: MIT
#include "devices/i2c.hpp"

#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace hashboard {

namespace {

std::string hex2(unsigned v)
{
	return fmt::format("0x{:02x}", v & 0xffu);
}

} // namespace

void check_i2c_address(std::uint8_t address)
{
	if (address > 0x7f)
		throw std::invalid_argument("I2C address " + hex2(address) +
		                            " does not fit in 7 bits");
}

struct LinuxI2cBus::Transfer {
	const char *what; // for messages: "read word"
	std::uint8_t address;
	std::uint8_t command;
	char read_write;      // I2C_SMBUS_READ / I2C_SMBUS_WRITE
	int size;             // I2C_SMBUS_BYTE_DATA, ...
	unsigned long needs;  // I2C_FUNC_SMBUS_* the adapter must offer
	i2c_smbus_data *data; // null for send byte
};

LinuxI2cBus::LinuxI2cBus(unsigned bus_number)
    : LinuxI2cBus("/dev/i2c-" + std::to_string(bus_number))
{
}

LinuxI2cBus::LinuxI2cBus(std::string device_path) : path_(std::move(device_path))
{
	fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
	if (fd_ < 0) {
		const int err = errno;
		throw DeviceError("cannot open I2C bus " + path_ + ": " + std::strerror(err), err);
	}
	// Asking for the adapter's functions both proves this is an i2c-dev node and lets
	// an unsupported transfer fail with its name instead of an opaque EINVAL later.
	if (::ioctl(fd_, I2C_FUNCS, &funcs_) < 0) {
		const int err = errno;
		::close(std::exchange(fd_, -1));
		throw DeviceError(
		    path_ + " is not an I2C adapter (I2C_FUNCS: " + std::strerror(err) + ")", err);
	}
}

LinuxI2cBus::~LinuxI2cBus()
{
	if (fd_ >= 0)
		::close(fd_);
}

void LinuxI2cBus::select(std::uint8_t address, const Transfer &t)
{
	if (selected_ == address)
		return;
	if (::ioctl(fd_, I2C_SLAVE, static_cast<unsigned long>(address)) < 0) {
		const int err = errno;
		std::string why = std::strerror(err);
		if (err == EBUSY)
			why = "the address is claimed by a kernel driver (unbind it first)";
		throw DeviceError(path_ + " addr " + hex2(address) + " cmd " + hex2(t.command) +
		                      " (" + t.what + "): cannot select address: " + why,
		                  err);
	}
	selected_ = address;
}

void LinuxI2cBus::run(const Transfer &t)
{
	check_i2c_address(t.address);
	const std::lock_guard lock(mutex_);
	if ((funcs_ & t.needs) != t.needs)
		throw DeviceError(path_ + " addr " + hex2(t.address) + " cmd " + hex2(t.command) +
		                      " (" + t.what +
		                      "): the adapter does not support this transfer",
		                  EOPNOTSUPP);
	select(t.address, t);
	i2c_smbus_ioctl_data args{};
	args.read_write = t.read_write;
	args.command = t.command;
	args.size = t.size;
	args.data = t.data;
	if (::ioctl(fd_, I2C_SMBUS, &args) < 0) {
		const int err = errno;
		// ENXIO/EREMOTEIO is how most adapters report a NAK.
		throw DeviceError(path_ + " addr " + hex2(t.address) + " cmd " + hex2(t.command) +
		                      " (" + t.what + "): " + std::strerror(err),
		                  err);
	}
}

std::uint8_t LinuxI2cBus::read_byte(std::uint8_t address, std::uint8_t command)
{
	i2c_smbus_data data{};
	run({"read byte", address, command, I2C_SMBUS_READ, I2C_SMBUS_BYTE_DATA,
	     I2C_FUNC_SMBUS_READ_BYTE_DATA, &data});
	return data.byte;
}

void LinuxI2cBus::write_byte(std::uint8_t address, std::uint8_t command, std::uint8_t value)
{
	i2c_smbus_data data{};
	data.byte = value;
	run({"write byte", address, command, I2C_SMBUS_WRITE, I2C_SMBUS_BYTE_DATA,
	     I2C_FUNC_SMBUS_WRITE_BYTE_DATA, &data});
}

std::uint16_t LinuxI2cBus::read_word(std::uint8_t address, std::uint8_t command)
{
	i2c_smbus_data data{};
	run({"read word", address, command, I2C_SMBUS_READ, I2C_SMBUS_WORD_DATA,
	     I2C_FUNC_SMBUS_READ_WORD_DATA, &data});
	return data.word;
}

void LinuxI2cBus::write_word(std::uint8_t address, std::uint8_t command, std::uint16_t value)
{
	i2c_smbus_data data{};
	data.word = value;
	run({"write word", address, command, I2C_SMBUS_WRITE, I2C_SMBUS_WORD_DATA,
	     I2C_FUNC_SMBUS_WRITE_WORD_DATA, &data});
}

std::vector<std::uint8_t> LinuxI2cBus::read_block(std::uint8_t address, std::uint8_t command)
{
	i2c_smbus_data data{};
	run({"read block", address, command, I2C_SMBUS_READ, I2C_SMBUS_BLOCK_DATA,
	     I2C_FUNC_SMBUS_READ_BLOCK_DATA, &data});
	const unsigned count = data.block[0];
	if (count == 0 || count > I2C_SMBUS_BLOCK_MAX)
		throw DeviceError(path_ + " addr " + hex2(address) + " cmd " + hex2(command) +
		                  " (read block): bad block length " + std::to_string(count));
	return {data.block + 1, data.block + 1 + count};
}

void LinuxI2cBus::send_byte(std::uint8_t address, std::uint8_t command)
{
	// SMBus "send byte": the command travels in the command field, with no data.
	run({"send byte", address, command, I2C_SMBUS_WRITE, I2C_SMBUS_BYTE,
	     I2C_FUNC_SMBUS_WRITE_BYTE, nullptr});
}

} // namespace hashboard
