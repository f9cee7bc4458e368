// SPDX-License-Identifier: MIT
// PMBus formats and status decoding, and the TPS546 regulator against a register-file
// double of the chip: VOUT round trips, the clamping rule (checked on every write that
// reached the bus), fault decoding per class, CLEAR_FAULTS and NAKs.
#include <boost/test/unit_test.hpp>

#include "fake_i2c.hpp"

#include "devices/pmbus.hpp"
#include "devices/tps546.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace hashboard;
using hbtest::FakeI2cBus;
using hbtest::I2cOp;

namespace {

bool contains(const std::vector<std::string> &v, const std::string &s)
{
	return std::find(v.begin(), v.end(), s) != v.end();
}

// A TPS546-class register file: VOUT_COMMAND in ULINEAR16 with VOUT_MODE's exponent,
// telemetry in LINEAR11, STATUS_WORD derived from the detail registers as the chip does.
class FakeTps546 final : public hbtest::FakeI2cDevice {
public:
	std::uint8_t vout_mode = 0x17; // exponent -9
	std::uint8_t operation = 0x00;
	std::uint8_t on_off_config = 0x17;
	std::uint16_t vout_command = 0x0200; // 1.0 V
	std::uint16_t read_vin = 0xf030;     // 12.0 V: exponent -2, mantissa 48
	std::uint16_t read_iout = 0xe8b4;    // 22.5 A: exponent -3, mantissa 180
	std::uint16_t read_temp = 0x0019;    // 25 C: exponent 0, mantissa 25
	std::uint8_t status_vout = 0, status_iout = 0, status_input = 0;
	std::uint8_t status_temperature = 0, status_cml = 0;
	bool write_protected = false;
	int clear_faults_seen = 0;

	bool on() const { return operation & 0x80; }

	std::uint16_t status_word() const
	{
		std::uint16_t w = 0;
		if (!on())
			w |= 1u << 6 | 1u << 11; // OFF, POWER_GOOD#
		if (status_vout)
			w |= 1u << 15;
		if (status_vout & 0x80)
			w |= 1u << 5;
		if (status_iout)
			w |= 1u << 14;
		if (status_iout & 0x80)
			w |= 1u << 4;
		if (status_input)
			w |= 1u << 13;
		if (status_input & 0x10)
			w |= 1u << 3;
		if (status_temperature)
			w |= 1u << 2;
		if (status_cml)
			w |= 1u << 1;
		if (w & 0xff00)
			w |= 1u << 0; // NONE_OF_THE_ABOVE: look at the high byte
		return w;
	}

	std::uint8_t read_byte(std::uint8_t c) override
	{
		switch (c) {
		case 0x01:
			return operation;
		case 0x02:
			return on_off_config;
		case 0x20:
			return vout_mode;
		case 0x7a:
			return status_vout;
		case 0x7b:
			return status_iout;
		case 0x7c:
			return status_input;
		case 0x7d:
			return status_temperature;
		case 0x7e:
			return status_cml;
		default:
			throw hbtest::Nak{};
		}
	}
	void write_byte(std::uint8_t c, std::uint8_t v) override
	{
		if (c == 0x01)
			operation = v;
		else if (c == 0x02)
			on_off_config = v;
		else
			throw hbtest::Nak{};
	}
	std::uint16_t read_word(std::uint8_t c) override
	{
		switch (c) {
		case 0x21:
			return vout_command;
		case 0x79:
			return status_word();
		case 0x88:
			return read_vin;
		case 0x8b:
			return on() ? vout_command : 0;
		case 0x8c:
			return on() ? read_iout : 0;
		case 0x8d:
			return read_temp;
		default:
			throw hbtest::Nak{};
		}
	}
	void write_word(std::uint8_t c, std::uint16_t v) override
	{
		if (c != 0x21)
			throw hbtest::Nak{};
		if (!write_protected)
			vout_command = v;
	}
	void send_byte(std::uint8_t c) override
	{
		if (c != 0x03)
			throw hbtest::Nak{};
		++clear_faults_seen;
		status_vout = status_iout = status_input = status_temperature = status_cml = 0;
	}
};

constexpr std::uint8_t kAddr = 0x24;

struct Rig {
	std::shared_ptr<FakeI2cBus> bus = std::make_shared<FakeI2cBus>();
	std::shared_ptr<FakeTps546> chip = std::make_shared<FakeTps546>();
	VoltageLimits limits{1000, 1400};
	Rig() { bus->attach(kAddr, chip); }
	Tps546Regulator make(std::optional<std::uint8_t> on_off = {})
	{
		return Tps546Regulator(bus, {"vcore", kAddr, limits, on_off});
	}
	// Every VOUT_COMMAND value that reached the bus, in millivolts (exponent -9).
	std::vector<double> vout_writes_mv() const
	{
		std::vector<double> mv;
		for (const auto &op : bus->writes_to(kAddr, 0x21))
			mv.push_back(op.value / 512.0 * 1000.0);
		return mv;
	}
};

} // namespace

BOOST_AUTO_TEST_SUITE(formats)

BOOST_AUTO_TEST_CASE(linear11_decodes_hand_computed_words)
{
	BOOST_TEST(pmbus::decode_linear11(0xf030) == 12.0); // 48 * 2^-2
	BOOST_TEST(pmbus::decode_linear11(0xe8b4) == 22.5); // 180 * 2^-3
	BOOST_TEST(pmbus::decode_linear11(0xf7f8) == -2.0); // -8 * 2^-2
	BOOST_TEST(pmbus::decode_linear11(0x0019) == 25.0); // 25 * 2^0
	BOOST_TEST(pmbus::decode_linear11(0x0803) == 6.0);  // 3 * 2^1
	BOOST_TEST(pmbus::decode_linear11(0x07f8) == -8.0); // -8 * 2^0
	BOOST_TEST(pmbus::decode_linear11(0x8001) == std::ldexp(1.0, -16));
}

BOOST_AUTO_TEST_CASE(linear11_encoding_round_trips_and_rejects_the_unrepresentable)
{
	for (double v : {0.0, 12.0, 22.5, -2.0, 25.0, 0.8125, 1.2, 150.0, -40.0, 1000.0}) {
		const double back = pmbus::decode_linear11(pmbus::encode_linear11(v));
		BOOST_TEST(std::fabs(back - v) <= std::fabs(v) / 1000 + 1e-4, v << " -> " << back);
	}
	BOOST_CHECK_THROW(pmbus::encode_linear11(std::nan("")), std::invalid_argument);
	BOOST_CHECK_THROW(pmbus::encode_linear11(1e9), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(vout_mode_gives_the_exponent_and_refuses_other_formats)
{
	BOOST_TEST(pmbus::vout_mode_exponent(0x17) == -9);
	BOOST_TEST(pmbus::vout_mode_exponent(0x14) == -12);
	BOOST_TEST(pmbus::vout_mode_exponent(0x1c) == -4);
	BOOST_TEST(pmbus::vout_mode_exponent(0x02) == 2);
	BOOST_CHECK_THROW(pmbus::vout_mode_exponent(0x97), std::invalid_argument); // relative
	BOOST_CHECK_THROW(pmbus::vout_mode_exponent(0x20), std::invalid_argument); // VID
	BOOST_CHECK_THROW(pmbus::vout_mode_exponent(0x40), std::invalid_argument); // direct
}

BOOST_AUTO_TEST_CASE(ulinear16_uses_the_vout_mode_exponent)
{
	BOOST_TEST(pmbus::decode_ulinear16(0x0266, -9) == 614.0 / 512.0);
	BOOST_TEST(pmbus::encode_ulinear16(1.2, -9) == 614); // 614.4 rounds down
	BOOST_TEST(pmbus::encode_ulinear16(1.2, -8) == 307);
	BOOST_CHECK_THROW(pmbus::encode_ulinear16(-0.1, -9), std::invalid_argument);
	BOOST_CHECK_THROW(pmbus::encode_ulinear16(200.0, -9), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(status_registers_decode_bit_by_bit)
{
	pmbus::StatusNames n;
	pmbus::decode_status_vout(0xff, n);
	BOOST_TEST(n.faults ==
	           (std::vector<std::string>{"VOUT_OV", "VOUT_UV", "TON_MAX", "VOUT_TRACKING"}));
	BOOST_TEST(n.warnings == (std::vector<std::string>{"VOUT_OV_WARN", "VOUT_UV_WARN",
	                                                   "VOUT_MAX_MIN_WARN", "TOFF_MAX_WARN"}));

	pmbus::StatusNames i;
	pmbus::decode_status_iout(0xa0, i);
	BOOST_TEST(i.faults == std::vector<std::string>{"IOUT_OC"});
	BOOST_TEST(i.warnings == std::vector<std::string>{"IOUT_OC_WARN"});

	pmbus::StatusNames in;
	pmbus::decode_status_input(0x98, in);
	BOOST_TEST(in.faults == (std::vector<std::string>{"VIN_OV", "VIN_UV", "LOW_VIN"}));

	pmbus::StatusNames t;
	pmbus::decode_status_temperature(0xcf, t); // low nibble reserved
	BOOST_TEST(t.faults == std::vector<std::string>{"TEMP_OT"});
	BOOST_TEST(t.warnings == std::vector<std::string>{"TEMP_OT_WARN"});

	pmbus::StatusNames c;
	pmbus::decode_status_cml(0xc2, c);
	BOOST_TEST(c.faults == (std::vector<std::string>{"CML_INVALID_COMMAND", "CML_INVALID_DATA",
	                                                 "CML_OTHER_COMM"}));

	BOOST_TEST(pmbus::status_word_bit_names(0x0841) ==
	           (std::vector<std::string>{"POWER_GOOD#", "OFF", "NONE_OF_THE_ABOVE"}));
	pmbus::StatusNames w;
	pmbus::decode_status_word(0x0841, w); // off, not good: states, not faults
	BOOST_TEST(w.faults.empty());
	pmbus::decode_status_word(0x1690, w);
	BOOST_TEST(w.faults ==
	           (std::vector<std::string>{"IOUT_OC", "BUSY", "MFR_SPECIFIC", "FANS", "OTHER"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tps546)

BOOST_AUTO_TEST_CASE(set_and_read_vout_round_trip)
{
	Rig rig;
	auto reg = rig.make();
	reg.set_output(true);
	BOOST_TEST(rig.chip->operation == 0x80);

	const double sent = reg.set_vout_mv(1200);
	BOOST_TEST(rig.chip->vout_command == 614);
	BOOST_TEST(sent == 614.0 / 512.0 * 1000.0);
	BOOST_TEST(std::fabs(reg.vout_mv() - 1200) < 1.0); // one LSB is 1.95 mV

	reg.set_vout_mv(1050);
	BOOST_TEST(rig.chip->vout_command == 538); // 537.6 rounds up
	BOOST_TEST(std::fabs(reg.vout_mv() - 1050) < 1.0);

	reg.set_output(false);
	BOOST_TEST(rig.chip->operation == 0x00);
	BOOST_TEST(reg.vout_mv() == 0.0);
}

BOOST_AUTO_TEST_CASE(requests_outside_the_limits_never_reach_the_bus)
{
	Rig rig;
	auto reg = rig.make();
	const double inf = std::numeric_limits<double>::infinity();
	for (double mv :
	     {0.0, -5.0, 500.0, 999.9, 1000.0, 1400.0, 1400.1, 3000.0, 1e9, -inf, inf}) {
		const double got = reg.set_vout_mv(mv);
		BOOST_TEST(got >= 1000.0);
		BOOST_TEST(got <= 1400.0);
	}
	const auto seen = rig.vout_writes_mv();
	BOOST_TEST(seen.size() == 11u);
	for (double mv : seen) {
		BOOST_TEST(mv >= 1000.0);
		BOOST_TEST(mv <= 1400.0);
	}
	// Below the range lands on the floor, above it on the ceiling.
	BOOST_TEST(seen.front() == 1000.0);
	BOOST_TEST(seen.back() == 716.0 / 512.0 * 1000.0);

	// Not a number is a caller bug: refused, and nothing is written.
	BOOST_CHECK_THROW(reg.set_vout_mv(std::nan("")), std::invalid_argument);
	BOOST_TEST(rig.vout_writes_mv().size() == 11u);
}

BOOST_AUTO_TEST_CASE(rounding_never_steps_outside_a_limit)
{
	Rig rig;
	rig.limits = {1150, 1400}; // 588.8 and 716.8 codes: nearest would be 589 and 717
	auto reg = rig.make();
	reg.set_vout_mv(1400);
	BOOST_TEST(rig.chip->vout_command == 716); // 717 would be 1400.39 mV
	reg.set_vout_mv(1150);
	BOOST_TEST(rig.chip->vout_command == 589); // 589 = 1150.39 mV, inside
	BOOST_TEST(Tps546Regulator::vout_code_for(1e6, rig.limits, -9) == 716);
	BOOST_TEST(Tps546Regulator::vout_code_for(-1e6, rig.limits, -9) == 589);
}

BOOST_AUTO_TEST_CASE(limits_no_code_can_honour_are_refused_at_construction)
{
	Rig rig;
	rig.limits = {1001, 1001}; // between codes 512 (1000 mV) and 513 (1001.95 mV)
	BOOST_CHECK_THROW(rig.make(), std::invalid_argument);
	rig.limits = {1400, 1000};
	BOOST_CHECK_THROW(rig.make(), std::invalid_argument);
	BOOST_TEST(rig.bus->writes_to(kAddr, 0x21).empty());
}

BOOST_AUTO_TEST_CASE(the_exponent_is_read_again_before_every_write)
{
	Rig rig;
	auto reg = rig.make();
	rig.chip->vout_mode = 0x18; // exponent -8: the same code would mean twice the volts
	reg.set_vout_mv(1200);
	BOOST_TEST(rig.chip->vout_command == 307); // 1.2 V * 256
	rig.chip->vout_mode = 0x97;                // relative format: refuse, write nothing
	rig.bus->clear_log();
	BOOST_CHECK_THROW(reg.set_vout_mv(1200), DeviceError);
	BOOST_TEST(rig.bus->writes_to(kAddr, 0x21).empty());
}

BOOST_AUTO_TEST_CASE(a_write_that_does_not_take_is_reported)
{
	Rig rig;
	auto reg = rig.make();
	rig.chip->write_protected = true;
	try {
		reg.set_vout_mv(1200);
		BOOST_FAIL("expected DeviceError");
	} catch (const DeviceError &e) {
		BOOST_TEST(std::string(e.what()).find("reads back") != std::string::npos);
	}
}

BOOST_AUTO_TEST_CASE(telemetry_is_linear11)
{
	Rig rig;
	auto reg = rig.make();
	BOOST_TEST(reg.vin_v() == 12.0);
	BOOST_TEST(reg.temperature_c() == 25.0);
	reg.set_output(true);
	BOOST_TEST(reg.iout_a() == 22.5);
	rig.chip->read_temp = 0x07f8; // -8 C
	BOOST_TEST(reg.temperature_c() == -8.0);
	rig.chip->read_vin = 0xd343; // 835 * 2^-6 = 13.046875 V
	BOOST_TEST(reg.vin_v() == 13.046875);
}

BOOST_AUTO_TEST_CASE(output_state_and_power_good_follow_the_status_word)
{
	Rig rig;
	auto reg = rig.make();
	auto s = reg.status();
	BOOST_TEST(!s.output_on);
	BOOST_TEST(!s.power_good);
	BOOST_TEST(!s.faulted()); // off is a state, not a fault
	reg.set_output(true);
	s = reg.status();
	BOOST_TEST(s.output_on);
	BOOST_TEST(s.power_good);
	BOOST_TEST(s.status_word == 0);
	BOOST_TEST(!s.faulted());
	// A clean status word needs no detail reads.
	BOOST_TEST(rig.bus->reads_of(kAddr, 0x7a) == 0);
	BOOST_TEST(rig.bus->reads_of(kAddr, 0x7e) == 0);
}

BOOST_AUTO_TEST_CASE(each_fault_class_is_decoded)
{
	struct Case {
		const char *what;
		std::uint8_t FakeTps546::*reg;
		std::uint8_t value;
		const char *fault;   // expected in faults (or null)
		const char *warning; // expected in warnings (or null)
		std::uint16_t word_bits;
	};
	const Case cases[] = {
	    {"VOUT OV", &FakeTps546::status_vout, 0x80, "VOUT_OV", nullptr, 0x8020},
	    {"VOUT UV", &FakeTps546::status_vout, 0x10, "VOUT_UV", nullptr, 0x8000},
	    {"VOUT UV warn", &FakeTps546::status_vout, 0x20, nullptr, "VOUT_UV_WARN", 0x8000},
	    {"IOUT OC", &FakeTps546::status_iout, 0x80, "IOUT_OC", nullptr, 0x4010},
	    {"IOUT OC warn", &FakeTps546::status_iout, 0x20, nullptr, "IOUT_OC_WARN", 0x4000},
	    {"VIN UV", &FakeTps546::status_input, 0x10, "VIN_UV", nullptr, 0x2008},
	    {"VIN OV", &FakeTps546::status_input, 0x80, "VIN_OV", nullptr, 0x2000},
	    {"low VIN", &FakeTps546::status_input, 0x08, "LOW_VIN", nullptr, 0x2000},
	    {"OT", &FakeTps546::status_temperature, 0x80, "TEMP_OT", nullptr, 0x0004},
	    {"OT warn", &FakeTps546::status_temperature, 0x40, nullptr, "TEMP_OT_WARN", 0x0004},
	    {"CML data", &FakeTps546::status_cml, 0x40, "CML_INVALID_DATA", nullptr, 0x0002},
	};
	for (const auto &c : cases) {
		BOOST_TEST_CONTEXT(c.what)
		{
			Rig rig;
			auto reg = rig.make();
			reg.set_output(true);
			(*rig.chip).*(c.reg) = c.value;
			const auto s = reg.status();
			BOOST_TEST((s.status_word & c.word_bits) == c.word_bits);
			if (c.fault) {
				BOOST_TEST(s.faulted());
				BOOST_TEST(contains(s.faults, c.fault));
			} else {
				BOOST_TEST(!s.faulted());
			}
			if (c.warning)
				BOOST_TEST(contains(s.warnings, c.warning));
			// Each fault name appears once even when the word and the detail
			// register both report it.
			for (const auto &f : s.faults)
				BOOST_TEST(std::count(s.faults.begin(), s.faults.end(), f) == 1);
		}
	}
}

BOOST_AUTO_TEST_CASE(clear_faults_sends_the_command_and_the_status_clears)
{
	Rig rig;
	auto reg = rig.make();
	rig.chip->status_iout = 0x80;
	rig.chip->status_temperature = 0x80;
	auto s = reg.status();
	BOOST_TEST(contains(s.faults, "IOUT_OC"));
	BOOST_TEST(contains(s.faults, "TEMP_OT"));
	reg.clear_faults();
	BOOST_TEST(rig.chip->clear_faults_seen == 1);
	const auto &last = rig.bus->log().back();
	BOOST_TEST((last.kind == I2cOp::Kind::send_byte && last.command == 0x03));
	BOOST_TEST(!reg.status().faulted());
}

BOOST_AUTO_TEST_CASE(on_off_config_is_written_only_when_configured)
{
	Rig rig;
	rig.make();
	BOOST_TEST(rig.bus->writes_to(kAddr, 0x02).empty());
	rig.make(0x18);
	BOOST_TEST(rig.chip->on_off_config == 0x18);
}

BOOST_AUTO_TEST_CASE(a_nak_surfaces_as_device_error_naming_the_rail)
{
	Rig rig;
	auto reg = rig.make();
	rig.bus->nak_next();
	try {
		reg.set_vout_mv(1200);
		BOOST_FAIL("expected DeviceError");
	} catch (const DeviceError &e) {
		const std::string what = e.what();
		BOOST_TEST(what.find("vcore") != std::string::npos);
		BOOST_TEST(what.find("0x24") != std::string::npos);
		BOOST_TEST(e.error_number() == ENXIO);
	}
	rig.bus->nak_next();
	BOOST_CHECK_THROW(reg.status(), DeviceError);
	rig.bus->nak_next();
	BOOST_CHECK_THROW(reg.set_output(false), DeviceError);

	// Nothing at the address: construction fails.
	FakeI2cBus empty;
	auto bus = std::make_shared<FakeI2cBus>();
	BOOST_CHECK_THROW(Tps546Regulator(bus, {"vcore", 0x25, {1000, 1400}, {}}), DeviceError);
}

BOOST_AUTO_TEST_SUITE_END()
