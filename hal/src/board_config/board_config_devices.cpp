// SPDX-License-Identifier: MIT
// The board file's devices: regulators, temperature sensors, fans and GPIO lines.
#include "board_config_sections.hpp"

#include <algorithm>
#include <array>

namespace hashboard::board_file {
namespace {

// 7-bit I2C addresses outside the reserved blocks.
constexpr std::int64_t kI2cFirst = 0x08, kI2cLast = 0x77;

void read_i2c(TableReader &t, std::string &bus, std::uint8_t &address)
{
	bus = t.string("bus");
	if (bus.rfind("/dev/i2c-", 0) != 0)
		t.fail("bus", "expected an i2c-dev path like /dev/i2c-1, got '" + bus + "'");
	address = std::uint8_t(t.integer("address", kI2cFirst, kI2cLast));
}

// Sim devices may keep the keys of the real part they stand for; they are checked and
// unused, so a board file can switch a device to "sim" by changing its type alone.
void read_optional_i2c(TableReader &t, std::string &bus, std::uint8_t &address)
{
	if (t.has("bus") || t.has("address"))
		read_i2c(t, bus, address);
}

} // namespace

void read_regulators(TableReader &root, BoardConfig &config, Sections &s)
{
	static constexpr std::array<std::string_view, 2> kTypes{"tps546", "sim"};
	s.regulators = root.table_array("regulator");
	for (auto &t : s.regulators) {
		RegulatorSpec r;
		r.name = t.string("name");
		r.type = RegulatorType(t.choice("type", kTypes));
		if (r.type == RegulatorType::tps546)
			read_i2c(t, r.bus, r.address);
		else
			read_optional_i2c(t, r.bus, r.address);
		r.vout.min_mv = t.number("vout_min_mv", 0, 20000);
		r.vout.max_mv = t.number("vout_max_mv", 0, 20000);
		if (r.vout.min_mv >= r.vout.max_mv)
			t.fail("vout_min_mv",
			       "limits inverted: vout_min_mv must be below vout_max_mv");
		r.default_mv = t.number("default_mv", 0, 20000);
		if (r.default_mv < r.vout.min_mv || r.default_mv > r.vout.max_mv)
			t.fail("default_mv", "outside the regulator's vout_min_mv..vout_max_mv");
		r.vin_v = t.optional_number("vin_v", 0.1, 100);
		if (auto v = t.optional_integer("on_off_config", 0, 255))
			r.on_off_config = std::uint8_t(*v);
		t.finish();
		config.regulators.push_back(std::move(r));
		check_unique_name(config.regulators, t, "regulator");
	}
}

void read_sensors(TableReader &root, BoardConfig &config, Sections &s)
{
	static constexpr std::array<std::string_view, 5> kTypes{"lm75", "tmp75", "emc2101", "hwmon",
	                                                        "sim"};
	s.sensors = root.table_array("sensor");
	for (auto &t : s.sensors) {
		SensorSpec x;
		x.name = t.string("name");
		x.type = SensorType(t.choice("type", kTypes));
		switch (x.type) {
		case SensorType::lm75:
		case SensorType::tmp75:
		case SensorType::emc2101:
			read_i2c(t, x.bus, x.address);
			break;
		case SensorType::hwmon:
			x.hwmon = t.string("hwmon");
			break;
		case SensorType::sim:
			read_optional_i2c(t, x.bus, x.address);
			x.hwmon = t.optional_string("hwmon").value_or("");
			break;
		}
		x.index = unsigned(t.optional_integer("index", 1, 64).value_or(1));
		if (auto ch = t.optional_string("channel")) {
			if (*ch != "internal" && *ch != "external")
				t.fail("channel",
				       "expected \"internal\" or \"external\", got '" + *ch + "'");
			x.internal = *ch == "internal";
		}
		x.sim_offset_c = t.optional_number("sim_offset_c", -50, 100).value_or(0);
		if (const auto chain = t.optional_integer("chain", 0, 255)) {
			x.chain = unsigned(*chain);
			if (std::none_of(config.chains.begin(), config.chains.end(),
			                 [&](const ChainSpec &c) { return c.id == *x.chain; }))
				t.fail("chain", "no [[chain]] has id " + std::to_string(*x.chain));
		}
		if (auto m = t.optional_string("measures")) {
			if (*m != "board" && *m != "chips")
				t.fail("measures",
				       "expected \"board\" or \"chips\", got '" + *m + "'");
			x.measures_chips = *m == "chips";
		}
		t.finish();
		config.sensors.push_back(std::move(x));
		check_unique_name(config.sensors, t, "sensor");
	}
}

void read_fans(TableReader &root, BoardConfig &config, Sections &s)
{
	static constexpr std::array<std::string_view, 3> kTypes{"hwmon", "emc2101", "sim"};
	s.fans = root.table_array("fan");
	for (auto &t : s.fans) {
		FanSpec f;
		f.name = t.string("name");
		f.type = FanType(t.choice("type", kTypes));
		switch (f.type) {
		case FanType::hwmon:
			f.hwmon = t.string("hwmon");
			break;
		case FanType::emc2101:
			read_i2c(t, f.bus, f.address);
			break;
		case FanType::sim:
			read_optional_i2c(t, f.bus, f.address);
			f.hwmon = t.optional_string("hwmon").value_or("");
			break;
		}
		f.pwm = unsigned(t.optional_integer("pwm", 1, 64).value_or(1));
		f.tach = unsigned(t.optional_integer("tach", 1, 64).value_or(f.pwm));
		f.duty = t.optional_number("duty", 0, 1).value_or(1.0);
		f.max_rpm = t.optional_number("max_rpm", 1, 100000).value_or(f.max_rpm);
		f.target_c = t.optional_number("target_c", 0, 150);
		f.min_duty = t.optional_number("min_duty", 0, 1).value_or(f.min_duty);
		t.finish();
		config.fans.push_back(std::move(f));
		check_unique_name(config.fans, t, "fan");
	}
}

void read_gpios(TableReader &root, BoardConfig &config, Sections &s)
{
	static constexpr std::array<std::string_view, 3> kRoles{"reset", "power_enable",
	                                                        "plug_detect"};
	s.gpios = root.table_array("gpio");
	for (auto &t : s.gpios) {
		GpioSpec g;
		g.name = t.string("name");
		g.role = GpioRole(t.choice("role", kRoles));
		g.chip = t.string("chip");
		g.offset = unsigned(t.integer("offset", 0, 4095));
		g.active_low = t.optional_boolean("active_low").value_or(false);
		if (auto c = t.optional_integer("chain", 0, 255)) {
			if (g.role == GpioRole::power_enable)
				t.fail("chain",
				       "power_enable serves the whole board; it takes no chain");
			if (std::none_of(config.chains.begin(), config.chains.end(),
			                 [&](const ChainSpec &ch) { return ch.id == *c; }))
				t.fail("chain", "no [[chain]] has id " + std::to_string(*c));
			g.chain = unsigned(*c);
		}
		t.finish();
		for (const auto &o : config.gpios) {
			if (o.chip == g.chip && o.offset == g.offset)
				t.fail("offset", "line " + g.chip + ":" + std::to_string(g.offset) +
				                     " is already gpio '" + o.name + "'");
			if (o.role != g.role)
				continue;
			if (g.role == GpioRole::power_enable)
				t.fail("role", "the board already has a power_enable line ('" +
				                   o.name + "')");
			const bool overlap = !o.chain || !g.chain || *o.chain == *g.chain;
			if (overlap)
				t.fail(g.chain ? "chain" : "role",
				       std::string(kRoles[std::size_t(g.role)]) + " line '" +
				           o.name + "' already serves " +
				           (o.chain ? "chain " + std::to_string(*o.chain)
				                    : "every chain"));
		}
		config.gpios.push_back(std::move(g));
		check_unique_name(config.gpios, t, "gpio");
	}
}

void read_eeprom(TableReader &root, BoardConfig &config)
{
	static constexpr std::array<std::string_view, 2> kTypes{"at24", "sim"};
	auto t = root.optional_table("eeprom");
	if (!t)
		return;
	EepromSpec e;
	e.type = EepromType(t->choice("type", kTypes));
	if (e.type == EepromType::at24)
		read_i2c(*t, e.bus, e.address);
	else
		read_optional_i2c(*t, e.bus, e.address);
	e.serial_offset = unsigned(t->optional_integer("serial_offset", 0, 2047).value_or(0));
	e.serial_length = unsigned(t->optional_integer("serial_length", 1, 64).value_or(32));
	if (e.serial_offset + e.serial_length > 2048)
		t->fail("serial_length", "the serial field runs past a 24C16's 2048 bytes");
	t->finish();
	config.eeprom = e;
}

} // namespace hashboard::board_file
