// SPDX-License-Identifier: MIT
// The error family (hashboard/error.hpp, docs/ARCHITECTURE.md "Error convention"): each
// type derives as documented, hardware errors keep errno as a std::error_code, and
// exit_code_for gives each type the exit code the table says.
#include <boost/test/unit_test.hpp>

#include "devices/i2c.hpp"
#include <hashboard/board/board_config.hpp>
#include <hashboard/error.hpp>
#include <hashboard/transport.hpp>

#include <cerrno>
#include <future>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>

using namespace hashboard;

// The documented hierarchy, checked where it cannot drift.
static_assert(std::is_base_of_v<std::system_error, HardwareError>);
static_assert(std::is_base_of_v<HardwareError, TransportError>);
static_assert(std::is_base_of_v<HardwareError, DeviceError>);
static_assert(!std::is_base_of_v<TransportError, DeviceError>);
static_assert(!std::is_base_of_v<DeviceError, TransportError>);
static_assert(std::is_base_of_v<std::runtime_error, OperationalError>);
static_assert(!std::is_base_of_v<std::system_error, OperationalError>);
static_assert(!std::is_base_of_v<std::logic_error, OperationalError>);
static_assert(std::is_base_of_v<std::invalid_argument, BoardConfigError>);
// Exceptions are copied when thrown and caught: the copy must not throw.
static_assert(std::is_nothrow_copy_constructible_v<TransportError>);
static_assert(std::is_nothrow_copy_constructible_v<DeviceError>);

BOOST_AUTO_TEST_CASE(hardware_errors_keep_errno_as_a_generic_error_code)
{
	const TransportError t("tty:/dev/ttyS9: cannot open: No such file or directory", ENOENT);
	BOOST_TEST(t.code().value() == ENOENT);
	BOOST_TEST((t.code().category() == std::generic_category()));
	BOOST_TEST((t.code() == std::errc::no_such_file_or_directory));
	BOOST_TEST(t.error_number() == ENOENT);
	// what() is the message as given: nothing appended to a message that names it.
	BOOST_TEST(std::string(t.what()) ==
	           "tty:/dev/ttyS9: cannot open: No such file or directory");

	const DeviceError d("/dev/i2c-1 addr 0x24: NAK", ENXIO);
	BOOST_TEST((d.code() == std::errc::no_such_device_or_address));
	BOOST_TEST(d.error_number() == ENXIO);

	// No OS error behind it (a peer that closed the link): errno 0, a false code.
	const TransportError closed("unix:/tmp/x: peer closed the link (end of file)");
	BOOST_TEST(closed.error_number() == 0);
	BOOST_TEST(!closed.code());
	BOOST_TEST(std::string(closed.what()) == "unix:/tmp/x: peer closed the link (end of file)");
}

BOOST_AUTO_TEST_CASE(family_members_are_caught_as_their_bases)
{
	BOOST_CHECK_THROW(throw TransportError("x", EIO), HardwareError);
	BOOST_CHECK_THROW(throw DeviceError("x", EIO), HardwareError);
	BOOST_CHECK_THROW(throw TransportError("x", EIO), std::system_error);
	BOOST_CHECK_THROW(throw DeviceError("x", EIO), std::runtime_error);
	BOOST_CHECK_THROW(throw OperationalError("chain broken"), std::runtime_error);
	try {
		throw DeviceError("sensor: lost", EREMOTEIO);
	} catch (const std::system_error &e) {
		BOOST_TEST(e.code().value() == EREMOTEIO);
		BOOST_TEST(std::string(e.what()) == "sensor: lost");
	}
}

BOOST_AUTO_TEST_CASE(a_tty_that_does_not_exist_is_a_transport_error_with_enoent)
{
	SteadyClock clock;
	try {
		open_transport("tty:/nonexistent/hbtest-tty", clock);
		BOOST_FAIL("expected TransportError");
	} catch (const TransportError &e) {
		BOOST_TEST(e.code().value() == ENOENT);
		BOOST_TEST((e.code() == std::errc::no_such_file_or_directory));
		BOOST_TEST(std::string(e.what()).find("/nonexistent/hbtest-tty") !=
		               std::string::npos,
		           e.what());
	}
}

BOOST_AUTO_TEST_CASE(a_missing_i2c_bus_is_a_device_error_with_enoent)
{
	try {
		LinuxI2cBus bus(std::string("/nonexistent/i2c-hbtest"));
		BOOST_FAIL("expected DeviceError");
	} catch (const DeviceError &e) {
		BOOST_TEST(e.code().value() == ENOENT);
		BOOST_TEST(std::string(e.what()).find("/nonexistent/i2c-hbtest") !=
		               std::string::npos,
		           e.what());
	}
}

BOOST_AUTO_TEST_CASE(exit_codes_follow_the_table)
{
	BOOST_TEST(exit_code_for(std::invalid_argument("bad URI")) == kExitUsage);
	BOOST_TEST(exit_code_for(BoardConfigError("b.toml", 1, 1, "name", "missing")) ==
	           kExitUsage);
	BOOST_TEST(exit_code_for(std::logic_error("send_work before enumerate")) == kExitSoftware);
	BOOST_TEST(exit_code_for(std::out_of_range("map::at")) == kExitSoftware);
	BOOST_TEST(exit_code_for(std::future_error(std::future_errc::no_state)) == kExitSoftware);
	BOOST_TEST(exit_code_for(OperationalError("chain broken")) == kExitOperational);
	BOOST_TEST(exit_code_for(TransportError("link", EIO)) == kExitIo);
	BOOST_TEST(exit_code_for(DeviceError("sensor", ENXIO)) == kExitIo);
	BOOST_TEST(exit_code_for(TransportError("peer closed")) == kExitIo);
	BOOST_TEST(exit_code_for(std::system_error(EADDRINUSE, std::generic_category(), "bind")) ==
	           kExitIo);
	BOOST_TEST(exit_code_for(std::runtime_error("anything else")) == kExitOperational);
	BOOST_TEST(exit_code_for(std::bad_alloc()) == kExitOperational);

	BOOST_TEST(kExitOk == 0);
	BOOST_TEST(kExitOperational == 1);
	BOOST_TEST(kExitUsage == 2);
	BOOST_TEST(kExitSoftware == 70); // EX_SOFTWARE
	BOOST_TEST(kExitIo == 74);       // EX_IOERR
}
