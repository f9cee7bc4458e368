// SPDX-License-Identifier: MIT
//
// The error family (docs/ARCHITECTURE.md, "Error convention"): what the HAL throws, what
// each type carries, and the exit code the tools give it (exit_code_for, the one table
// hbctl and hbsim use).
//
//   std::invalid_argument          bad caller input (URI, frequency, register, file)   2
//   std::logic_error (other)       misuse or a bug (wrong state, broken invariant)    70
//   hashboard::OperationalError    the hardware answered, the operation failed         1
//                                  (broken chain, read-back mismatch, board tripped)
//   hashboard::HardwareError       an OS call on a device or link failed; errno kept  74
//     TransportError               ... a chain's byte link (tty, socket, USB, SPI)
//     DeviceError                  ... a board device (I2C, hwmon, sysfs, GPIO)
//   other std::system_error        an OS call failed (errno kept), e.g. hbsim's pty   74
//   anything else                  an operational failure                              1
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>

namespace hashboard {

// A device or link failed at the OS level: device gone, NAK, I/O error, peer closed.
// code() is std::error_code(errno, std::generic_category()); errno 0 when the failure has
// none (a peer that closed the link, a value that makes no sense). what() is the message
// as given, naming the device or link (and usually strerror), with nothing appended.
class HardwareError : public std::system_error {
public:
	explicit HardwareError(const std::string &what, int err = 0)
	    : std::system_error(std::error_code(err, std::generic_category()), what), message_(what)
	{
	}
	const char *what() const noexcept override { return message_.what(); }
	// errno, or 0; the same as code().value().
	int error_number() const noexcept { return code().value(); }

private:
	std::runtime_error message_; // what() without system_error's ": <strerror>" suffix
};

// A chain's byte link failed (tty, unix socket, FTDI, spidev, hbsim's control socket).
class TransportError : public HardwareError {
public:
	using HardwareError::HardwareError;
};

// A board device did not answer or answered nonsense (I2C NAK, missing sysfs file, bad
// value). The safety supervisor treats a sensor that keeps throwing as lost.
class DeviceError : public HardwareError {
public:
	using HardwareError::HardwareError;
};

// The hardware was reached but the operation did not succeed: no chip answered, a
// register reads back wrong, a rail has no power good, the board tripped. Not a bug and
// not the caller's input.
class OperationalError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

// Exit codes of the tools (sysexits.h values where one fits).
inline constexpr int kExitOk = 0;
inline constexpr int kExitOperational = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSoftware = 70; // EX_SOFTWARE: a bug (std::logic_error)
inline constexpr int kExitIo = 74;       // EX_IOERR: a device, link or OS call failed

// The exit code a tool gives an exception that ended a command (see the table above).
inline int exit_code_for(const std::exception &e) noexcept
{
	if (dynamic_cast<const std::invalid_argument *>(&e))
		return kExitUsage;
	if (dynamic_cast<const std::logic_error *>(&e))
		return kExitSoftware;
	if (dynamic_cast<const std::system_error *>(&e))
		return kExitIo;
	return kExitOperational;
}

} // namespace hashboard
