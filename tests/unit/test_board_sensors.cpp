// SPDX-License-Identifier: MIT
// LM75/TMP75 and EMC2101 register conversions, through the real device classes over a
// bus double that answers from the chips' register files.
#include <boost/test/unit_test.hpp>

#include "fake_i2c.hpp"

#include "devices/at24.hpp"
#include "devices/emc2101.hpp"
#include "devices/lm75.hpp"

#include <array>
#include <cmath>
#include <string>

using namespace hashboard;
using hbtest::FakeI2cBus;

namespace {

// LM75 register 0x00, sent MSB first: an SMBus word read sees it byte-swapped.
class FakeLm75 final : public hbtest::FakeI2cDevice {
public:
	std::uint16_t temperature = 0x1900; // 25 C
	std::uint16_t read_word(std::uint8_t c) override
	{
		if (c != 0x00)
			throw hbtest::Nak{};
		return static_cast<std::uint16_t>(temperature << 8 | temperature >> 8);
	}
};

class FakeEmc2101 final : public hbtest::FakeI2cDevice {
public:
	std::array<std::uint8_t, 256> regs{};
	FakeEmc2101()
	{
		regs[0xfd] = 0x16;
		regs[0xfe] = 0x5d;
		regs[0x03] = 0x10; // power-on: DAC mode, pin 6 as ALERT#
		regs[0x4a] = 0x20 | 0x08 | 0x10;
		regs[0x4d] = 0x17;
		regs[0x46] = 0xff;
		regs[0x47] = 0xff;
	}
	std::uint8_t read_byte(std::uint8_t c) override { return regs[c]; }
	void write_byte(std::uint8_t c, std::uint8_t v) override { regs[c] = v; }
	void set_external(std::uint8_t high, std::uint8_t low)
	{
		regs[0x01] = high;
		regs[0x10] = low;
	}
	void set_tach(std::uint16_t count)
	{
		regs[0x46] = static_cast<std::uint8_t>(count & 0xff);
		regs[0x47] = static_cast<std::uint8_t>(count >> 8);
	}
};

} // namespace

BOOST_AUTO_TEST_CASE(lm75_register_decodes_at_each_resolution)
{
	BOOST_TEST(Lm75Sensor::decode(0x1900, 9) == 25.0);
	BOOST_TEST(Lm75Sensor::decode(0x7d00, 9) == 125.0);
	BOOST_TEST(Lm75Sensor::decode(0xff80, 9) == -0.5);
	BOOST_TEST(Lm75Sensor::decode(0xe700, 9) == -25.0);
	BOOST_TEST(Lm75Sensor::decode(0xc900, 9) == -55.0);
	// LM75B: 11 bits, 0.125 C steps.
	BOOST_TEST(Lm75Sensor::decode(0x0020, 11) == 0.125);
	BOOST_TEST(Lm75Sensor::decode(0xffe0, 11) == -0.125);
	BOOST_TEST(Lm75Sensor::decode(0xe6e0, 11) == -25.125);
	// TMP75 at 12 bits: 0.0625 C steps.
	BOOST_TEST(Lm75Sensor::decode(0x19f0, 12) == 25.9375);
	BOOST_TEST(Lm75Sensor::decode(0xfff0, 12) == -0.0625);
	// Bits below the resolution are ignored.
	BOOST_TEST(Lm75Sensor::decode(0x19ff, 9) == 25.5);
	BOOST_TEST(Lm75Sensor::decode(0x19ff, 11) == 25.875);
}

BOOST_AUTO_TEST_CASE(lm75_reads_through_the_bus_and_swaps_the_word)
{
	auto bus = std::make_shared<FakeI2cBus>();
	auto chip = std::make_shared<FakeLm75>();
	bus->attach(0x48, chip);
	Lm75Sensor sensor("inlet", bus, 0x48, 11);
	BOOST_TEST(sensor.read_celsius() == 25.0);
	chip->temperature = 0xffe0;
	BOOST_TEST(sensor.read_celsius() == -0.125);
	chip->temperature = 0x4b20; // 75.125
	BOOST_TEST(sensor.read_celsius() == 75.125);

	bus->nak_next();
	try {
		sensor.read_celsius();
		BOOST_FAIL("expected DeviceError");
	} catch (const DeviceError &e) {
		BOOST_TEST(std::string(e.what()).find("inlet") != std::string::npos);
	}
	BOOST_CHECK_THROW(Lm75Sensor("x", bus, 0x48, 8), std::invalid_argument);
	BOOST_CHECK_THROW(Lm75Sensor("x", bus, 0x80, 9), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(emc2101_external_diode_in_eighths)
{
	BOOST_TEST(Emc2101::decode_external(0x19, 0x20) == 25.125);
	BOOST_TEST(Emc2101::decode_external(0x00, 0x00) == 0.0);
	BOOST_TEST(Emc2101::decode_external(0xff, 0xe0) == -0.125);
	BOOST_TEST(Emc2101::decode_external(0xe7, 0x00) == -25.0);
	BOOST_TEST(Emc2101::decode_external(0xf6, 0x60) == -9.625);
	BOOST_TEST(Emc2101::decode_external(0x7f, 0xc0) == 127.75);
	BOOST_CHECK_THROW(Emc2101::decode_external(0x7f, 0x00), DeviceError); // open
	BOOST_CHECK_THROW(Emc2101::decode_external(0x7f, 0xe0), DeviceError); // short
}

BOOST_AUTO_TEST_CASE(emc2101_tach_converts_to_rpm)
{
	BOOST_TEST(Emc2101::rpm_from_tach(2700) == 2000.0);
	BOOST_TEST(Emc2101::rpm_from_tach(1080) == 5000.0);
	BOOST_TEST(Emc2101::rpm_from_tach(0xffff) == 0.0);
	BOOST_CHECK_THROW(Emc2101::rpm_from_tach(0), DeviceError);
}

BOOST_AUTO_TEST_CASE(emc2101_setup_writes_pwm_mode_and_clock)
{
	auto bus = std::make_shared<FakeI2cBus>();
	auto chip = std::make_shared<FakeEmc2101>();
	bus->attach(0x4c, chip);
	auto emc = std::make_shared<Emc2101>(bus, Emc2101::Config{});
	BOOST_TEST((chip->regs[0x03] & 0x10) == 0);    // PWM, not DAC
	BOOST_TEST((chip->regs[0x03] & 0x04) == 0x04); // pin 6 is TACH
	BOOST_TEST((chip->regs[0x4a] & 0x20) == 0x20); // look-up table off
	BOOST_TEST((chip->regs[0x4a] & 0x04) == 0x04); // PWM_DIVIDE in use
	BOOST_TEST((chip->regs[0x4a] & 0x08) == 0);    // 360 kHz base
	BOOST_TEST((chip->regs[0x4a] & 0x10) == 0);    // not inverted
	BOOST_TEST(chip->regs[0x4d] == 7);
	BOOST_TEST(chip->regs[0x4e] == 1);

	auto other = std::make_shared<FakeEmc2101>();
	other->regs[0xfd] = 0x37; // an EMC2301 answering at the address
	bus->attach(0x4d, other);
	BOOST_CHECK_THROW(Emc2101(bus, Emc2101::Config{.address = 0x4d}), DeviceError);
	BOOST_CHECK_THROW(Emc2101(bus, Emc2101::Config{.pwm_f = 0}), std::invalid_argument);
	BOOST_CHECK_THROW(Emc2101(bus, Emc2101::Config{.address = 0x4e}), DeviceError);
}

BOOST_AUTO_TEST_CASE(emc2101_as_temperature_sensor_and_fan)
{
	auto bus = std::make_shared<FakeI2cBus>();
	auto chip = std::make_shared<FakeEmc2101>();
	bus->attach(0x4c, chip);
	auto emc = std::make_shared<Emc2101>(bus, Emc2101::Config{});
	Emc2101Temperature asic("asic", emc);
	Emc2101Temperature board("board", emc, Emc2101Temperature::Channel::internal);
	Emc2101Fan fan("fan0", emc);

	chip->set_external(0xf6, 0x60);
	BOOST_TEST(asic.read_celsius() == -9.625);
	chip->regs[0x00] = 0xf6;
	BOOST_TEST(board.read_celsius() == -10.0);
	chip->regs[0x00] = 0x2a;
	BOOST_TEST(board.read_celsius() == 42.0);
	chip->set_external(0x7f, 0x00);
	try {
		asic.read_celsius();
		BOOST_FAIL("expected DeviceError");
	} catch (const DeviceError &e) {
		BOOST_TEST(std::string(e.what()).find("asic") != std::string::npos);
		BOOST_TEST(std::string(e.what()).find("open") != std::string::npos);
	}

	// 2 * PWM_F = 14 steps.
	fan.set_duty(0.5);
	BOOST_TEST(chip->regs[0x4c] == 7);
	BOOST_TEST(fan.duty() == 0.5);
	fan.set_duty(1.7);
	BOOST_TEST(chip->regs[0x4c] == 14);
	BOOST_TEST(fan.duty() == 1.0);
	fan.set_duty(-1);
	BOOST_TEST(chip->regs[0x4c] == 0);
	BOOST_CHECK_THROW(fan.set_duty(std::nan("")), std::invalid_argument);

	chip->set_tach(2700);
	BOOST_TEST(fan.rpm() == 2000.0);
	chip->set_tach(0xffff);
	BOOST_TEST(fan.rpm() == 0.0);
	bus->nak_next();
	BOOST_CHECK_THROW(fan.rpm(), DeviceError);
}

namespace {

// A 24C04: two 256-byte blocks, the second at the next device address.
class FakeAt24 final : public hbtest::FakeI2cDevice {
public:
	explicit FakeAt24(const std::string &text, unsigned at = 0)
	{
		bytes.fill(0xFF);
		for (std::size_t i = 0; i < text.size() && at + i < bytes.size(); ++i)
			bytes[at + i] = std::uint8_t(text[i]);
	}
	std::array<std::uint8_t, 256> bytes{};
	std::uint8_t read_byte(std::uint8_t offset) override { return bytes[offset]; }
};

} // namespace

BOOST_AUTO_TEST_CASE(at24_reads_bytes_and_selects_the_block_by_address)
{
	auto bus = std::make_shared<FakeI2cBus>();
	bus->attach(0x50, std::make_shared<FakeAt24>("S1", 0xFE));
	bus->attach(0x51, std::make_shared<FakeAt24>("19-0001"));
	At24Eeprom eeprom(bus, 0x50);
	// Bytes 0xFE..0x101 span both blocks: 0x50 then 0x51.
	const auto b = eeprom.read(0xFE, 4);
	BOOST_TEST(std::string(b.begin(), b.end()) == "S119");
	BOOST_TEST(bus->reads_of(0x51, 0x00) == 1);
	BOOST_CHECK_THROW(eeprom.read(2040, 16), std::invalid_argument);
	bus->nak_next();
	BOOST_CHECK_THROW(eeprom.read(0, 1), DeviceError);
}
