// SPDX-License-Identifier: MIT
// The board file: its root, chains, voltage domains, limits and safety settings, and
// the checks that tie them together. Devices and [sim] are in their own files.
#include "board_config_sections.hpp"

#include "transport/uri.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

namespace hashboard {
namespace {

using board_file::Sections;
using config::TableReader;

std::string mhz_text(double x)
{
	return fmt::format("{:g} MHz", x);
}

ChainSpec read_chain(TableReader &t, std::size_t index)
{
	ChainSpec c;
	c.id = unsigned(t.optional_integer("id", 0, 255).value_or(std::int64_t(index)));
	const std::string family = t.string("family");
	try {
		c.family = &family_by_name(family);
	} catch (const std::invalid_argument &) {
		std::vector<std::string_view> valid;
		for (const auto &f : all_families())
			valid.push_back(f.name);
		t.fail("family", fmt::format("unknown chip family '{}'; valid: {}", family,
		                             fmt::join(valid, ", ")));
	}
	c.chips = unsigned(t.integer("chips", 1, 256));
	c.transport = t.string("transport");
	if (c.transport != kSimTransport) {
		// The schemes of docs/transports.md; opening the link checks the rest.
		static constexpr std::array<std::string_view, 6> kSchemes{"tty",  "unix",   "sim",
		                                                          "kdev", "spidev", "ftdi"};
		std::string scheme;
		try {
			scheme = transport::parse_transport_uri(c.transport).scheme;
		} catch (const std::invalid_argument &e) {
			t.fail("transport", e.what());
		}
		if (std::find(kSchemes.begin(), kSchemes.end(), scheme) == kSchemes.end())
			t.fail("transport", "unknown transport scheme '" + scheme + ":'");
	}
	c.baud = std::uint32_t(t.optional_integer("baud", 9600, c.family->baud.max_baud)
	                           .value_or(c.family->baud.max_baud));
	if (!baud_write(*c.family, c.baud))
		t.fail("baud", std::string(c.family->name) + " cannot run its UART at " +
		                   std::to_string(c.baud) + " Bd");
	c.address_step = unsigned(t.optional_integer("address_step", 1, 128).value_or(0));
	if (c.address_step && c.address_step * (c.chips - 1) > 255)
		t.fail("address_step", "step " + std::to_string(c.address_step) +
		                           " leaves no address for " + std::to_string(c.chips) +
		                           " chips (addresses are one byte)");
	if (const auto style = t.optional_string("bringup")) {
		try {
			c.bringup = bringup_style_by_name(*style);
		} catch (const std::invalid_argument &e) {
			t.fail("bringup", e.what());
		}
		if (!find_bringup_recipe(*c.family, c.bringup))
			t.fail("bringup", std::string(c.family->name) + " has no " + *style +
			                      " bring-up recipe");
	}
	if (auto v = t.optional_integer("hash_counting", 1, 0xFFFFFFFF))
		c.hash_counting = std::uint32_t(*v);
	if (auto v = t.optional_integer("baud_base", 0, 0xFFFFFFFF))
		c.baud_base = std::uint32_t(*v);
	c.chips_per_domain = unsigned(t.optional_integer("chips_per_domain", 0, 256).value_or(0));
	if (c.chips_per_domain > c.chips)
		t.fail("chips_per_domain", std::to_string(c.chips_per_domain) +
		                               " chips a domain on a "
		                               "chain of " +
		                               std::to_string(c.chips));
	c.frequency_mhz =
	    t.optional_number("frequency_mhz", 1, 10000).value_or(c.family->nominal_freq_mhz);
	if (!pll_for_frequency(*c.family, c.frequency_mhz))
		t.fail("frequency_mhz", mhz_text(c.frequency_mhz) + " is outside " +
		                            std::string(c.family->name) + "'s PLL range");
	if (auto k = t.optional_integer("ticket_log2", 0, 31))
		c.ticket_log2 = unsigned(*k);
	c.zero_bits = unsigned(
	    t.optional_integer("zero_bits", 1, kRealChipZeroBits).value_or(kRealChipZeroBits));
	c.layout = board_file::read_chain_layout(t, c.chips);
	t.finish();
	return c;
}

// Chains one board file may hold.
constexpr std::size_t kMaxChains = 16;

void read_chains(TableReader &root, BoardConfig &config, Sections &s)
{
	s.chains = root.table_array("chain");
	if (s.chains.empty())
		root.fail("chain", "a board needs at least one [[chain]]");
	// A board file is one hashboard or one machine's few (3 or 4 on every machine this
	// project knows); a larger bound would only let a typo build thousands of simulated
	// chips.
	if (s.chains.size() > kMaxChains) {
		const TableReader &extra = s.chains[kMaxChains];
		extra.fail_at(extra.source(), extra.path(),
		              "a board file has at most " + std::to_string(kMaxChains) +
		                  " [[chain]] tables");
	}
	for (std::size_t i = 0; i < s.chains.size(); ++i) {
		config.chains.push_back(read_chain(s.chains[i], i));
		for (std::size_t j = 0; j < i; ++j)
			if (config.chains[j].id == config.chains[i].id)
				s.chains[i].fail("id", "chain id " +
				                           std::to_string(config.chains[i].id) +
				                           " is used twice");
	}
}

std::string range_text(const ChipRange &r)
{
	return r.first == r.last ? std::to_string(r.first)
	                         : std::to_string(r.first) + "-" + std::to_string(r.last);
}

void read_domains(TableReader &root, BoardConfig &config, Sections &s)
{
	s.domains = root.table_array("domain");
	for (auto &t : s.domains) {
		DomainSpec d;
		d.name = t.string("name");
		d.regulator = t.string("regulator");
		if (std::none_of(config.regulators.begin(), config.regulators.end(),
		                 [&](const RegulatorSpec &r) { return r.name == d.regulator; }))
			t.fail("regulator", "no [[regulator]] is called '" + d.regulator + "'");
		d.chain = unsigned(t.integer("chain", 0, 255));
		const auto chain =
		    std::find_if(config.chains.begin(), config.chains.end(),
		                 [&](const ChainSpec &c) { return c.id == d.chain; });
		if (chain == config.chains.end())
			t.fail("chain", "no [[chain]] has id " + std::to_string(d.chain));
		for (const auto &[text, where] : t.strings("chips")) {
			ChipRange r;
			try {
				r = parse_chip_range(text);
			} catch (const std::invalid_argument &e) {
				t.fail_at(where, t.key_path("chips"), e.what());
			}
			if (r.last >= chain->chips)
				t.fail_at(where, t.key_path("chips"),
				          "chip " + std::to_string(r.last) +
				              " is out of range: chain " +
				              std::to_string(chain->id) + " has " +
				              std::to_string(chain->chips) + " chips (0-" +
				              std::to_string(chain->chips - 1) + ")");
			for (const auto &other : config.domains)
				for (const auto &o : other.chips)
					if (other.chain == d.chain && r.first <= o.last &&
					    o.first <= r.last)
						t.fail_at(where, t.key_path("chips"),
						          "chips " + range_text(r) +
						              " overlap domain '" + other.name +
						              "' (chips " + range_text(o) + ")");
			for (const auto &o : d.chips)
				if (r.first <= o.last && o.first <= r.last)
					t.fail_at(where, t.key_path("chips"),
					          "chips " + range_text(r) + " are listed twice");
			d.chips.push_back(r);
		}
		t.finish();
		config.domains.push_back(std::move(d));
		board_file::check_unique_name(config.domains, t, "domain");
	}
}

void read_limits(TableReader &root, BoardConfig &config, Sections &s)
{
	auto t = root.optional_table("limits");
	if (!t)
		root.fail("limits", "missing table [limits] (temperature limits are required)");
	BoardLimits &l = config.limits;
	l.temp_warn_c = t->number("temp_warn_c", -40, 200);
	l.temp_trip_c = t->number("temp_trip_c", -40, 200);
	if (l.temp_warn_c >= l.temp_trip_c)
		t->fail("temp_warn_c", "limits inverted: warning must be below temp_trip_c");

	// Unset voltage and frequency limits leave the regulators' and families' own.
	double vmin = std::numeric_limits<double>::max(), vmax = 0;
	for (const auto &r : config.regulators) {
		vmin = std::min(vmin, r.vout.min_mv);
		vmax = std::max(vmax, r.vout.max_mv);
	}
	l.vout.min_mv = t->optional_number("vout_min_mv", 0, 20000)
	                    .value_or(config.regulators.empty() ? 0 : vmin);
	l.vout.max_mv = t->optional_number("vout_max_mv", 0, 20000)
	                    .value_or(config.regulators.empty() ? 20000 : vmax);
	if (l.vout.min_mv >= l.vout.max_mv)
		t->fail(t->has("vout_min_mv") ? "vout_min_mv" : "vout_max_mv",
		        "limits inverted: vout_min_mv must be below vout_max_mv");
	double fmin = std::numeric_limits<double>::max(), fmax = 0;
	for (const auto &c : config.chains) {
		fmin = std::min(fmin, c.family->pll.freq_min_mhz);
		fmax = std::max(fmax, c.family->pll.freq_max_mhz);
	}
	l.freq_min_mhz = t->optional_number("freq_min_mhz", 1, 10000).value_or(fmin);
	l.freq_max_mhz = t->optional_number("freq_max_mhz", 1, 10000).value_or(fmax);
	if (l.freq_min_mhz >= l.freq_max_mhz)
		t->fail(t->has("freq_min_mhz") ? "freq_min_mhz" : "freq_max_mhz",
		        "limits inverted: freq_min_mhz must be below freq_max_mhz");
	l.power_max_w = t->optional_number("power_max_w", 0.001, 1e6);
	l.fan_min_rpm = t->optional_number("fan_min_rpm", 0, 1e6).value_or(0);
	t->finish();

	for (std::size_t i = 0; i < config.regulators.size(); ++i) {
		const RegulatorSpec &r = config.regulators[i];
		const VoltageLimits v = config.vout_limits(r);
		if (v.min_mv > v.max_mv)
			s.regulators[i].fail("vout_min_mv",
			                     "regulator range does not overlap the board's "
			                     "[limits] vout_min_mv..vout_max_mv");
		if (r.default_mv < v.min_mv || r.default_mv > v.max_mv)
			s.regulators[i].fail("default_mv", "outside the board's voltage limits");
	}
	for (std::size_t i = 0; i < config.chains.size(); ++i) {
		const double f = config.chains[i].frequency_mhz;
		if (f < l.freq_min_mhz || f > l.freq_max_mhz)
			s.chains[i].fail("frequency_mhz", mhz_text(f) +
			                                      " is outside the board's limits " +
			                                      mhz_text(l.freq_min_mhz) + ".." +
			                                      mhz_text(l.freq_max_mhz));
	}
}

Duration seconds(double s)
{
	return from_seconds(s, "board file duration"); // in range: the keys' bounds are finite
}

void read_safety(TableReader &root, BoardConfig &config)
{
	auto t = root.optional_table("safety");
	if (!t)
		return;
	SafetySpec &s = config.safety;
	s.sensor_loss_reads = unsigned(
	    t->optional_integer("sensor_loss_reads", 1, 1000).value_or(s.sensor_loss_reads));
	if (auto v = t->optional_number("watchdog_timeout_s", 0.001, 3600))
		s.watchdog_timeout = seconds(*v);
	if (auto v = t->optional_number("fan_grace_s", 0, 3600))
		s.fan_grace = seconds(*v);
	if (auto v = t->optional_number("power_good_timeout_s", 0.001, 60))
		s.power_good_timeout = seconds(*v);
	t->finish();
}

} // namespace

bool DomainSpec::contains(unsigned position) const
{
	return std::any_of(chips.begin(), chips.end(),
	                   [&](const ChipRange &r) { return r.contains(position); });
}

unsigned DomainSpec::chip_count() const
{
	unsigned n = 0;
	for (const auto &r : chips)
		n += r.last - r.first + 1;
	return n;
}

void check_chain_frequency(const BoardConfig &config, const ChainSpec &chain, double mhz)
{
	const BoardLimits &l = config.limits;
	if (!std::isfinite(mhz) || mhz < l.freq_min_mhz || mhz > l.freq_max_mhz)
		throw std::invalid_argument(fmt::format("frequency {:g} MHz is outside board {}'s "
		                                        "limits {:g}..{:g} MHz",
		                                        mhz, config.name, l.freq_min_mhz,
		                                        l.freq_max_mhz));
	if (!pll_for_frequency(*chain.family, mhz))
		throw std::invalid_argument(fmt::format(
		    "frequency {:g} MHz is outside {}'s PLL range", mhz, chain.family->name));
}

ChipRange parse_chip_range(std::string_view text)
{
	const auto number = [&](std::string_view s) {
		unsigned v = 0;
		const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
		if (s.empty() || ec != std::errc() || p != s.data() + s.size())
			throw std::invalid_argument("bad chip range '" + std::string(text) +
			                            "': expected \"N\" or \"FIRST-LAST\"");
		return v;
	};
	const auto dash = text.find('-');
	ChipRange r;
	r.first = number(text.substr(0, dash));
	r.last = dash == std::string_view::npos ? r.first : number(text.substr(dash + 1));
	if (r.last < r.first)
		throw std::invalid_argument("bad chip range '" + std::string(text) +
		                            "': the last chip comes before the first");
	return r;
}

const ChainSpec &BoardConfig::chain(unsigned id) const
{
	for (const auto &c : chains)
		if (c.id == id)
			return c;
	throw std::invalid_argument("board " + name + " has no chain " + std::to_string(id));
}

const DomainSpec &BoardConfig::domain(std::string_view n) const
{
	for (const auto &d : domains)
		if (d.name == n)
			return d;
	throw std::invalid_argument("board " + name + " has no voltage domain '" + std::string(n) +
	                            "'");
}

const RegulatorSpec &BoardConfig::regulator(std::string_view n) const
{
	for (const auto &r : regulators)
		if (r.name == n)
			return r;
	throw std::invalid_argument("board " + name + " has no regulator '" + std::string(n) + "'");
}

VoltageLimits BoardConfig::vout_limits(const RegulatorSpec &r) const
{
	return {std::max(r.vout.min_mv, limits.vout.min_mv),
	        std::min(r.vout.max_mv, limits.vout.max_mv)};
}

unsigned BoardConfig::total_chips() const
{
	unsigned n = 0;
	for (const auto &c : chains)
		n += c.chips;
	return n;
}

bool BoardConfig::simulated() const
{
	return std::all_of(chains.begin(), chains.end(),
	                   [](const ChainSpec &c) { return c.transport == kSimTransport; }) &&
	       std::all_of(regulators.begin(), regulators.end(),
	                   [](const RegulatorSpec &r) { return r.type == RegulatorType::sim; }) &&
	       std::all_of(sensors.begin(), sensors.end(),
	                   [](const SensorSpec &x) { return x.type == SensorType::sim; }) &&
	       std::all_of(fans.begin(), fans.end(),
	                   [](const FanSpec &f) { return f.type == FanType::sim; }) &&
	       std::all_of(gpios.begin(), gpios.end(),
	                   [](const GpioSpec &g) { return g.chip == kSimGpioChip; });
}

BoardConfig parse_board_config(std::string_view text, std::string source_name)
{
	const toml::table doc = config::parse_toml(text, source_name, "a board file");
	BoardConfig config;
	config.file = source_name;
	TableReader root(doc, "", source_name);
	Sections s;
	config.name = root.string("name");
	config.description = root.optional_string("description").value_or("");
	board_file::read_regulators(root, config, s);
	read_chains(root, config, s);
	read_domains(root, config, s);
	board_file::read_sensors(root, config, s);
	board_file::read_fans(root, config, s);
	board_file::read_gpios(root, config, s);
	board_file::read_eeprom(root, config);
	read_limits(root, config, s);
	read_safety(root, config);
	board_file::read_sim(root, config, s);
	root.finish();
	return config;
}

// Board files are a few KiB; the largest the schema allows is far below this.
constexpr std::size_t kMaxBoardFileBytes = std::size_t(1) << 20;

BoardConfig load_board_config(const std::filesystem::path &file)
{
	return parse_board_config(config::read_text_file(file, kMaxBoardFileBytes, "board file"),
	                          file.string());
}

} // namespace hashboard
