// SPDX-License-Identifier: MIT
// The board file's [sim] table: how the simulator builds this board, and its faults.
#include "board_config_sections.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <limits>

namespace hashboard {
namespace {

// In SimFaultType's order.
constexpr std::array<std::string_view, 12> kFaultNames{
    "dead_chip",      "mute_chip",       "bit_errors", "freq_limit", "unplugged",  "fan_stall",
    "sensor_failure", "regulator_fault", "weak_chip",  "vout_droop", "dead_cores", "broken_link"};

} // namespace

std::string_view sim_fault_type_name(SimFaultType type)
{
	return kFaultNames.at(std::size_t(type));
}

namespace board_file {
namespace {

Duration seconds(double s)
{
	return from_seconds(s, "board file duration"); // in range: the keys' bounds are finite
}

template <typename Spec> bool has_named(const std::vector<Spec> &specs, const std::string &name)
{
	return std::any_of(specs.begin(), specs.end(),
	                   [&](const Spec &x) { return x.name == name; });
}

const ChainSpec &fault_chain(TableReader &t, const BoardConfig &config)
{
	const auto id = unsigned(t.integer("chain", 0, 255));
	for (const auto &c : config.chains)
		if (c.id == id)
			return c;
	t.fail("chain", "no [[chain]] has id " + std::to_string(id));
}

SimFault read_fault(TableReader &t, const BoardConfig &config)
{
	SimFault f;
	f.type = SimFaultType(t.choice("type", kFaultNames));
	const auto device = [&](auto &specs, const char *kind) {
		f.device = t.string("device");
		if (!has_named(specs, f.device))
			t.fail("device",
			       std::string("no ") + kind + " is called '" + f.device + "'");
		f.at = seconds(t.optional_number("at_s", 0, 1e6).value_or(0));
	};
	switch (f.type) {
	case SimFaultType::dead_chip:
	case SimFaultType::mute_chip: {
		const ChainSpec &c = fault_chain(t, config);
		f.chain = c.id;
		f.position = unsigned(t.integer("position", 0, std::int64_t(c.chips) - 1));
		break;
	}
	case SimFaultType::weak_chip: {
		const ChainSpec &c = fault_chain(t, config);
		f.chain = c.id;
		f.position = unsigned(t.integer("position", 0, std::int64_t(c.chips) - 1));
		f.value = t.number("rate", 0, 1);
		break;
	}
	case SimFaultType::dead_cores: {
		const ChainSpec &c = fault_chain(t, config);
		f.chain = c.id;
		f.position = unsigned(t.integer("position", 0, std::int64_t(c.chips) - 1));
		f.value = double(t.integer("cores", 1, c.family->cores));
		break;
	}
	case SimFaultType::vout_droop:
		device(config.regulators, "[[regulator]]");
		f.value = t.number("mv", 0, 5000);
		break;
	case SimFaultType::bit_errors:
		f.chain = fault_chain(t, config).id;
		f.value = t.number("rate", 0, 1);
		break;
	case SimFaultType::freq_limit:
		f.chain = fault_chain(t, config).id;
		f.value = t.number("mhz", 1, 10000);
		break;
	case SimFaultType::broken_link:
		f.chain = fault_chain(t, config).id;
		break;
	case SimFaultType::unplugged: {
		f.chain = fault_chain(t, config).id;
		if (std::none_of(config.gpios.begin(), config.gpios.end(), [&](const GpioSpec &g) {
			    return g.role == GpioRole::plug_detect && g.serves(f.chain);
		    }))
			t.fail("chain", "chain " + std::to_string(f.chain) +
			                    " has no plug_detect [[gpio]] line to read it");
		break;
	}
	case SimFaultType::fan_stall:
		device(config.fans, "[[fan]]");
		break;
	case SimFaultType::sensor_failure:
		device(config.sensors, "[[sensor]]");
		break;
	case SimFaultType::regulator_fault:
		device(config.regulators, "[[regulator]]");
		f.fault = t.string("fault");
		break;
	}
	t.finish();
	return f;
}

} // namespace

void read_sim(TableReader &root, BoardConfig &config, Sections &s)
{
	auto t = root.optional_table("sim");
	if (!t)
		return;
	SimSpec &sim = config.sim;
	sim.zero_bits = unsigned(
	    t->optional_integer("zero_bits", 1, kRealChipZeroBits).value_or(sim.zero_bits));
	if (auto seed = t->optional_integer("seed", 0, std::numeric_limits<std::int64_t>::max()))
		sim.seed = std::uint64_t(*seed);
	SimThermal &th = sim.thermal;
	th.ambient_c = t->optional_number("ambient_c", -40, 80).value_or(th.ambient_c);
	th.r_th_c_per_w = t->optional_number("r_th_c_per_w", 0, 100).value_or(th.r_th_c_per_w);
	if (auto tau = t->optional_number("tau_s", 0.001, 3600))
		th.tau = seconds(*tau);
	th.airflow_gradient =
	    t->optional_number("airflow_gradient", 0, 1.9).value_or(th.airflow_gradient);
	sim.chip_w_per_mhz_v2 =
	    t->optional_number("chip_w_per_mhz_v2", 0, 1).value_or(sim.chip_w_per_mhz_v2);
	SimPhysics &ph = sim.physics;
	ph.process_spread =
	    t->optional_number("process_spread", 0, 0.2).value_or(ph.process_spread);
	ph.weak_chips = unsigned(t->optional_integer("weak_chips", 0, 256).value_or(ph.weak_chips));
	ph.weak_speed = t->optional_number("weak_speed", 0.5, 1).value_or(ph.weak_speed);
	ph.leak_w = t->optional_number("leak_w", 0, 100).value_or(ph.leak_w);
	ph.fan_noise_db = t->optional_number("fan_noise_db", 0, 140).value_or(ph.fan_noise_db);
	sim.vin_v = t->optional_number("vin_v", 0.1, 100).value_or(sim.vin_v);
	if (auto serial = t->optional_string("serial")) {
		const unsigned room = config.eeprom ? config.eeprom->serial_length : 64;
		if (serial->size() > room ||
		    std::any_of(serial->begin(), serial->end(),
		                [](char ch) { return ch < 0x20 || ch > 0x7E; }))
			t->fail("serial", "expected printable ASCII of at most " +
			                      std::to_string(room) +
			                      " characters (the [eeprom] serial_length)");
		sim.serial = *serial;
	}
	s.faults = t->table_array("fault");
	for (auto &f : s.faults)
		sim.faults.push_back(read_fault(f, config));
	t->finish();
}

} // namespace board_file
} // namespace hashboard
