// SPDX-License-Identifier: MIT
// The kernel-facing devices: i2c-dev and libgpiod. Their error paths run everywhere;
// what needs a real adapter or GPIO chip runs where one exists and is reported skipped
// when not (CI has neither; hardware_cases.hpp). Nothing here drives a real line: only
// gpio-mockup/gpio-sim chips.
#include <boost/test/unit_test.hpp>

#include "hardware_cases.hpp"

#include "devices/gpiod_line.hpp"
#include "devices/i2c.hpp"

#include <gpiod.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>

using namespace hashboard;
namespace fs = std::filesystem;

namespace {

std::optional<std::string> first_dev(const std::string &prefix)
{
	std::error_code ec;
	for (fs::directory_iterator it("/dev", ec), end; !ec && it != end; it.increment(ec))
		if (it->path().filename().string().rfind(prefix, 0) == 0)
			return it->path().string();
	return std::nullopt;
}

// A simulated GPIO chip (gpio-mockup or gpio-sim), safe to drive; its /dev path.
std::optional<std::string> simulated_gpio_chip()
{
	std::error_code ec;
	for (fs::directory_iterator it("/dev", ec), end; !ec && it != end; it.increment(ec)) {
		const std::string path = it->path().string();
		if (it->path().filename().string().rfind("gpiochip", 0) != 0)
			continue;
		gpiod_chip *chip = ::gpiod_chip_open(path.c_str());
		if (!chip)
			continue;
		const std::string label = ::gpiod_chip_label(chip);
		::gpiod_chip_close(chip);
		if (label.rfind("gpio-mockup", 0) == 0 || label.rfind("gpio-sim", 0) == 0)
			return path;
	}
	return std::nullopt;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_missing_i2c_bus_is_a_clear_error)
{
	try {
		LinuxI2cBus bus(250u);
		BOOST_FAIL("expected DeviceError");
	} catch (const DeviceError &e) {
		BOOST_TEST(std::string(e.what()).find("/dev/i2c-250") != std::string::npos);
		BOOST_TEST(e.error_number() == ENOENT);
	}
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_an_adapter_is_refused)
{
	try {
		LinuxI2cBus bus(std::string("/dev/null"));
		BOOST_FAIL("expected DeviceError");
	} catch (const DeviceError &e) {
		BOOST_TEST(std::string(e.what()).find("/dev/null") != std::string::npos);
		BOOST_TEST(std::string(e.what()).find("not an I2C adapter") != std::string::npos);
	}
}

namespace {

// Why there is no adapter to test, or nothing when there is one.
std::optional<std::string> no_usable_i2c_adapter()
{
	const auto dev = first_dev("i2c-");
	if (!dev)
		return "no /dev/i2c-* adapter on this machine";
	if (::access(dev->c_str(), R_OK | W_OK) != 0)
		return *dev + " is not accessible to this user";
	return std::nullopt;
}

} // namespace

BOOST_AUTO_TEST_SUITE(
    i2c_adapter, *boost::unit_test::label(hbtest::kHardwareLabel) *
                     boost::unit_test::precondition(hbtest::needs_device(no_usable_i2c_adapter)))

BOOST_AUTO_TEST_CASE(a_real_adapter_opens_when_there_is_one)
{
	const auto dev = first_dev("i2c-");
	LinuxI2cBus bus(*dev);
	BOOST_TEST(bus.name() == *dev);
	BOOST_TEST(bus.functionality() != 0u);
	// An address out of the 7-bit range is refused before anything reaches the bus.
	BOOST_CHECK_THROW(bus.read_byte(0x80, 0x00), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(a_missing_gpio_chip_names_the_chip)
{
	for (const std::string chip : {"hb-no-such-chip", "/dev/hb-no-such-gpiochip", "250"}) {
		try {
			GpiodLine line("reset", {.chip = chip, .offset = 3});
			BOOST_FAIL("expected DeviceError for " << chip);
		} catch (const DeviceError &e) {
			BOOST_TEST(std::string(e.what()).find(chip) != std::string::npos);
			BOOST_TEST(std::string(e.what()).find("reset") != std::string::npos);
			BOOST_TEST(e.error_number() != 0);
		}
	}
	if (!first_dev("gpiochip")) {
		BOOST_CHECK_THROW(GpiodLine("reset", {.chip = "gpiochip0"}), DeviceError);
		BOOST_TEST_MESSAGE(
		    "no /dev/gpiochip* on this machine: line requests not exercised");
	}
}

namespace {

std::optional<std::string> no_simulated_gpio_chip()
{
	if (simulated_gpio_chip())
		return std::nullopt;
	return "no gpio-mockup or gpio-sim chip (modprobe gpio-mockup gpio_mockup_ranges=-1,8 "
	       "to run this)";
}

} // namespace

BOOST_AUTO_TEST_SUITE(
    gpio_chip, *boost::unit_test::label(hbtest::kHardwareLabel) *
                   boost::unit_test::precondition(hbtest::needs_device(no_simulated_gpio_chip)))

BOOST_AUTO_TEST_CASE(lines_on_a_simulated_chip)
{
	const auto chip = simulated_gpio_chip();
	{
		GpiodLine reset(
		    "reset",
		    {.chip = *chip, .offset = 1, .active_low = true, .initial_active = true});
		BOOST_TEST(reset.is_active());
		reset.set_active(false);
		BOOST_TEST(!reset.is_active());
		// The line is ours while the object lives.
		BOOST_CHECK_THROW(GpiodLine("again", {.chip = *chip, .offset = 1}), DeviceError);

		GpiodLine detect(
		    "plug", {.chip = *chip, .offset = 2, .direction = GpiodLine::Direction::input});
		BOOST_CHECK_THROW(detect.set_active(true), DeviceError);
		BOOST_CHECK_THROW(GpiodLine("far", {.chip = *chip, .offset = 100000}), DeviceError);
	}
	// Released on destruction: it can be requested again.
	GpiodLine again("again", {.chip = *chip, .offset = 1});
	BOOST_TEST(again.name() == "again");
}

BOOST_AUTO_TEST_SUITE_END()
