// SPDX-License-Identifier: MIT
// Board files: every shipped board parses into the shape it claims, and every error in a
// broken file names the file, the line (and column) and the key.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "temp_dir.hpp"

#include <hashboard/board/board_config.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hashboard;

namespace {

// The source tree's boards/, found from the vectors folder the build names.
using hbtest::boards_dir;

// A fresh folder for broken files, removed at the end.
using hbtest::TempDir;

using hbtest::line_of;

const std::string kValid = R"(name = "test"

[[chain]]
id = 0
family = "bm1366"
chips = 12
transport = "tty:/dev/ttyS1"

[[chain]]
id = 1
family = "bm1366"
chips = 12
transport = "sim"

[[regulator]]
name = "r0"
type = "sim"
vout_min_mv = 1000
vout_max_mv = 1400
default_mv = 1200

[[domain]]
name = "d0"
regulator = "r0"
chain = 0
chips = "0-5"

[[domain]]
name = "d1"
regulator = "r0"
chain = 0
chips = ["6-8", "9-11"]

[[gpio]]
name = "rst"
role = "reset"
chip = "gpiochip0"
offset = 3
chain = 0

[[gpio]]
name = "plug1"
role = "plug_detect"
chip = "gpiochip0"
offset = 4
chain = 1

[limits]
temp_warn_c = 70
temp_trip_c = 85

[sim]
zero_bits = 8
[[sim.fault]]
type = "dead_chip"
chain = 1
position = 7
)";

std::string replaced(std::string text, const std::string &from, const std::string &to)
{
	const auto pos = text.find(from);
	BOOST_TEST_REQUIRE(pos != std::string::npos, "test text lacks '" << from << "'");
	return text.replace(pos, from.size(), to);
}

struct Broken {
	const char *what;
	std::string text;
	std::string line_text; // the line the error must point at
	std::string key;       // the key it must name (empty: a syntax error)
	std::string message;   // part of the message
};

std::vector<Broken> broken_files()
{
	return {
	    {"syntax",
	     replaced(kValid, "chips = 12\ntransport = \"sim\"",
	              "chips = = 12\ntransport = \"sim\""),
	     "chips = = 12", "", "syntax error"},
	    {"unknown family",
	     replaced(kValid, "family = \"bm1366\"\nchips = 12\ntransport = \"sim\"",
	              "family = \"bm1399\"\nchips = 12\ntransport = \"sim\""),
	     "family = \"bm1399\"", "chain[1].family", "unknown chip family 'bm1399'"},
	    {"overlapping domains",
	     replaced(kValid, "chips = [\"6-8\", \"9-11\"]", "chips = [\"4-8\"]"),
	     "chips = [\"4-8\"]", "domain[1].chips", "overlap domain 'd0'"},
	    {"chip out of range", replaced(kValid, "\"9-11\"", "\"9-12\""), "\"9-12\"",
	     "domain[1].chips", "out of range"},
	    {"missing regulator",
	     replaced(kValid, "regulator = \"r0\"\nchain = 0\nchips = \"0-5\"",
	              "regulator = \"r9\"\nchain = 0\nchips = \"0-5\""),
	     "regulator = \"r9\"", "domain[0].regulator", "no [[regulator]] is called 'r9'"},
	    {"temperature limits inverted",
	     replaced(kValid, "temp_warn_c = 70", "temp_warn_c = 90"), "temp_warn_c = 90",
	     "limits.temp_warn_c", "inverted"},
	    {"regulator range inverted",
	     replaced(kValid, "vout_min_mv = 1000", "vout_min_mv = 1500"), "vout_min_mv = 1500",
	     "regulator[0].vout_min_mv", "inverted"},
	    {"unknown key",
	     replaced(kValid, "chips = 12\ntransport = \"tty",
	              "chipz = 12\nchips = 12\ntransport = \"tty"),
	     "chipz = 12", "chain[0].chipz", "unknown key"},
	    {"wrong type",
	     replaced(kValid, "chips = 12\ntransport = \"tty",
	              "chips = \"twelve\"\ntransport = \"tty"),
	     "chips = \"twelve\"", "chain[0].chips", "expected an integer"},
	    {"chip count out of range",
	     replaced(kValid, "chips = 12\ntransport = \"tty", "chips = 300\ntransport = \"tty"),
	     "chips = 300", "chain[0].chips", "1..256"},
	    {"missing key", replaced(kValid, "transport = \"tty:/dev/ttyS1\"\n", ""), "[[chain]]",
	     "chain[0].transport", "missing required key"},
	    {"duplicate chain id", replaced(kValid, "id = 1", "id = 0"),
	     "id = 0\nfamily = \"bm1366\"\nchips = 12\ntransport = \"sim\"", "chain[1].id",
	     "used twice"},
	    {"gpio for a missing chain",
	     replaced(kValid, "offset = 3\nchain = 0", "offset = 3\nchain = 5"), "chain = 5",
	     "gpio[0].chain", "no [[chain]] has id 5"},
	    {"fault position out of range", replaced(kValid, "position = 7", "position = 12"),
	     "position = 12", "sim.fault[0].position", "0..11"},
	    {"bad transport", replaced(kValid, "tty:/dev/ttyS1", "bogus:/x"), "bogus:/x",
	     "chain[0].transport", "unknown"},
	    {"frequency above the board limit",
	     replaced(kValid, "temp_trip_c = 85", "temp_trip_c = 85\nfreq_max_mhz = 400"),
	     "[[chain]]", "chain[0].frequency_mhz", "outside the board's limits"},
	    {"missing limits",
	     replaced(kValid, "[limits]\ntemp_warn_c = 70\ntemp_trip_c = 85\n", ""),
	     "name = \"test\"", "limits", "missing table [limits]"},
	    {"bad chip range", replaced(kValid, "\"0-5\"", "\"5-0\""), "\"5-0\"", "domain[0].chips",
	     "comes before"},
	    {"sensor on a missing chain",
	     kValid + "\n[[sensor]]\nname = \"s\"\ntype = \"sim\"\nchain = 7\n", "chain = 7",
	     "sensor[0].chain", "no [[chain]] has id 7"},
	    {"sensor measuring something else",
	     kValid + "\n[[sensor]]\nname = \"s\"\ntype = \"sim\"\nmeasures = \"air\"\n",
	     "measures = \"air\"", "sensor[0].measures", "expected \"board\" or \"chips\""},
	};
}

} // namespace

BOOST_AUTO_TEST_CASE(every_shipped_board_parses)
{
	unsigned n = 0;
	for (const auto &entry : fs::directory_iterator(boards_dir())) {
		if (entry.path().extension() != ".toml")
			continue;
		BOOST_TEST_CONTEXT(entry.path())
		{
			BoardConfig c;
			BOOST_CHECK_NO_THROW(c = load_board_config(entry.path()));
			BOOST_TEST(c.name == entry.path().stem().string());
			BOOST_TEST(!c.chains.empty());
			BOOST_TEST(c.limits.temp_warn_c < c.limits.temp_trip_c);
			for (const auto &r : c.regulators) {
				const auto v = c.vout_limits(r);
				BOOST_TEST(v.min_mv <= r.default_mv);
				BOOST_TEST(r.default_mv <= v.max_mv);
			}
		}
		++n;
	}
	BOOST_TEST(n >= 5u);
}

BOOST_AUTO_TEST_CASE(shipped_boards_have_their_shapes)
{
	struct Shape {
		const char *file;
		const char *family;
		unsigned chains, chips_per_chain;
		bool simulated;
	};
	for (const Shape &s : {Shape{"bitaxe-bm1370.toml", "bm1370", 1, 1, false},
	                       Shape{"bm1366-12.toml", "bm1366", 1, 12, false},
	                       Shape{"s19kpro-bm1366.toml", "bm1366", 3, 77, false},
	                       Shape{"a15-class-sim.toml", "bm1370", 3, 160, true},
	                       Shape{"nano3-class-sim.toml", "bm1368", 1, 10, true}}) {
		BOOST_TEST_CONTEXT(s.file)
		{
			const BoardConfig c = load_board_config(boards_dir() / s.file);
			BOOST_TEST(c.chains.size() == s.chains);
			for (const auto &ch : c.chains) {
				BOOST_TEST(ch.chips == s.chips_per_chain);
				BOOST_TEST(ch.family->name == s.family);
				BOOST_TEST((ch.transport == kSimTransport) == s.simulated);
			}
			BOOST_TEST(c.simulated() == s.simulated);
		}
	}
	const BoardConfig b = load_board_config(boards_dir() / "bm1366-12.toml");
	BOOST_TEST(b.domains.size() == 4u);
	for (const auto &d : b.domains)
		BOOST_TEST(d.chip_count() == 3u);
	const BoardConfig bitaxe = load_board_config(boards_dir() / "bitaxe-bm1370.toml");
	BOOST_TEST((bitaxe.regulators.at(0).type == RegulatorType::tps546));
	BOOST_TEST(bitaxe.regulators.at(0).address == 0x24);
	BOOST_TEST((bitaxe.sensors.at(0).type == SensorType::emc2101));
	BOOST_TEST((bitaxe.fans.at(0).type == FanType::emc2101));
	BOOST_TEST(bitaxe.vout_limits(bitaxe.regulators.at(0)).max_mv == 1300.0);
}

BOOST_AUTO_TEST_CASE(valid_text_parses_with_every_table)
{
	const BoardConfig c = parse_board_config(kValid, "valid.toml");
	BOOST_TEST(c.chains.size() == 2u);
	BOOST_TEST(c.chains[0].baud == 3125000u); // the family's maximum (BT8D 0) by default
	BOOST_TEST(c.chains[0].frequency_mhz == 485.0);
	BOOST_TEST(c.domains[1].chips.size() == 2u);
	BOOST_TEST(c.domains[1].contains(10));
	BOOST_TEST(!c.domains[1].contains(5));
	BOOST_TEST(c.gpios[0].serves(0));
	BOOST_TEST(!c.gpios[0].serves(1));
	BOOST_TEST(c.sim.zero_bits == 8u);
	BOOST_TEST(c.sim.faults.size() == 1u);
	BOOST_TEST(c.sim.faults[0].position == 7u);
	BOOST_TEST(!c.simulated());
	// Unset voltage limits are the regulators' own.
	BOOST_TEST(c.limits.vout.min_mv == 1000.0);
	BOOST_TEST(c.limits.vout.max_mv == 1400.0);
}

BOOST_AUTO_TEST_CASE(errors_name_file_line_and_key)
{
	TempDir dir;
	unsigned i = 0;
	for (const Broken &b : broken_files()) {
		BOOST_TEST_CONTEXT(b.what)
		{
			const fs::path file =
			    dir.write("broken" + std::to_string(i++) + ".toml", b.text);
			const unsigned line = line_of(b.text, b.line_text);
			try {
				load_board_config(file);
				BOOST_ERROR("no error for a broken file");
			} catch (const BoardConfigError &e) {
				BOOST_TEST(e.file() == file.string());
				BOOST_TEST(e.line() == line);
				BOOST_TEST(e.column() >= 1u);
				BOOST_TEST(e.key() == b.key);
				BOOST_TEST(e.message().find(b.message) != std::string::npos,
				           e.what());
				const std::string where =
				    file.string() + ":" + std::to_string(line) + ":";
				BOOST_TEST(std::string(e.what()).rfind(where, 0) == 0u, e.what());
				if (!b.key.empty())
					BOOST_TEST(std::string(e.what()).find(b.key) !=
					           std::string::npos);
			}
		}
	}
}

BOOST_AUTO_TEST_CASE(sensors_say_which_chain_and_what_they_measure)
{
	const auto c = parse_board_config(
	    kValid + "\n[[sensor]]\nname = \"air\"\ntype = \"sim\"\n"
	             "\n[[sensor]]\nname = \"diode1\"\ntype = \"sim\"\nchain = 1\n"
	             "measures = \"chips\"\n",
	    "test");
	BOOST_TEST_REQUIRE(c.sensors.size() == 2u);
	BOOST_TEST(!c.sensors[0].chain.has_value());
	BOOST_TEST(!c.sensors[0].measures_chips);
	BOOST_TEST(c.sensors[1].chain.value_or(99) == 1u);
	BOOST_TEST(c.sensors[1].measures_chips);
}

BOOST_AUTO_TEST_CASE(config_errors_are_invalid_argument)
{
	BOOST_CHECK_THROW(load_board_config("/nonexistent/board.toml"), std::invalid_argument);
	try {
		load_board_config("/nonexistent/board.toml");
	} catch (const BoardConfigError &e) {
		BOOST_TEST(std::string(e.what()).find("/nonexistent/board.toml") == 0u);
	}
}

BOOST_AUTO_TEST_CASE(chip_ranges)
{
	BOOST_TEST(parse_chip_range("5").first == 5u);
	BOOST_TEST(parse_chip_range("5").last == 5u);
	BOOST_TEST(parse_chip_range("0-2").last == 2u);
	BOOST_CHECK_THROW(parse_chip_range("2-1"), std::invalid_argument);
	BOOST_CHECK_THROW(parse_chip_range("a-b"), std::invalid_argument);
	BOOST_CHECK_THROW(parse_chip_range(""), std::invalid_argument);
	BOOST_CHECK_THROW(parse_chip_range("1-"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(an_eeprom_table_names_where_the_serial_is)
{
	const std::string base = kValid;
	const BoardConfig none = parse_board_config(base, "x.toml");
	BOOST_TEST(!none.eeprom.has_value());
	const BoardConfig c = parse_board_config(
	    base + "\n[eeprom]\ntype = \"at24\"\nbus = \"/dev/i2c-2\"\naddress = 0x51\n"
	           "serial_offset = 16\nserial_length = 20\n",
	    "x.toml");
	BOOST_TEST_REQUIRE(c.eeprom.has_value());
	BOOST_TEST(c.eeprom->bus == "/dev/i2c-2");
	BOOST_TEST(c.eeprom->address == 0x51);
	BOOST_TEST(c.eeprom->serial_offset == 16u);
	BOOST_TEST(c.eeprom->serial_length == 20u);
	try {
		parse_board_config(base + "\n[eeprom]\ntype = \"at24\"\n", "x.toml");
		BOOST_FAIL("an at24 without a bus was accepted");
	} catch (const BoardConfigError &e) {
		BOOST_TEST(e.key() == "eeprom.bus");
	}
}
