// SPDX-License-Identifier: MIT
// Board files against hostile input (issue 7): NaN, infinities, negative and overflowing
// numbers are errors at file:line:key, and a file that never ends (/dev/zero) or is a
// directory is refused without being read into memory.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"

#include <hashboard/board/board_config.hpp>
#include <hashboard/clock.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace hashboard;

namespace {

const std::string kBase = R"(name = "hostile"

[[chain]]
family = "bm1366"
chips = 4
transport = "sim"

[[regulator]]
name = "r0"
type = "sim"
vout_min_mv = 1000
vout_max_mv = 1400
default_mv = 1200

[[fan]]
name = "f0"
type = "sim"

[limits]
temp_warn_c = 70
temp_trip_c = 85

[safety]
watchdog_timeout_s = 5

[sim]
zero_bits = 8
[[sim.fault]]
type = "fan_stall"
device = "f0"
at_s = 3
)";

using hbtest::line_of;

// kBase with `from` replaced by `to` must fail at to's line, naming key.
void fails_at(const std::string &from, const std::string &to, const std::string &key)
{
	std::string text = kBase;
	const auto pos = text.find(from);
	BOOST_TEST_REQUIRE(pos != std::string::npos, "base lacks '" << from << "'");
	text.replace(pos, from.size(), to);
	BOOST_TEST_CONTEXT(to)
	{
		try {
			parse_board_config(text, "h.toml");
			BOOST_ERROR("no error");
		} catch (const BoardConfigError &e) {
			BOOST_TEST(e.file() == "h.toml");
			// The bad value is on to's last line.
			const unsigned line =
			    line_of(text, to) + unsigned(std::count(to.begin(), to.end(), '\n'));
			BOOST_TEST(e.line() == line, e.what());
			BOOST_TEST(e.key() == key, e.what());
			const std::string where = "h.toml:" + std::to_string(e.line()) + ":";
			BOOST_TEST(std::string(e.what()).rfind(where, 0) == 0u, e.what());
		}
	}
}

} // namespace

BOOST_AUTO_TEST_CASE(the_base_file_parses)
{
	BOOST_TEST(parse_board_config(kBase, "h.toml").chains.size() == 1u);
}

BOOST_AUTO_TEST_CASE(nan_and_infinities_are_refused_with_file_line_key)
{
	for (const char *v : {"nan", "+nan", "-nan", "inf", "+inf", "-inf"}) {
		fails_at("temp_trip_c = 85", std::string("temp_trip_c = ") + v,
		         "limits.temp_trip_c");
		fails_at("default_mv = 1200", std::string("default_mv = ") + v,
		         "regulator[0].default_mv");
		fails_at("watchdog_timeout_s = 5", std::string("watchdog_timeout_s = ") + v,
		         "safety.watchdog_timeout_s");
		fails_at("at_s = 3", std::string("at_s = ") + v, "sim.fault[0].at_s");
		fails_at("chips = 4", std::string("chips = 4\nfrequency_mhz = ") + v,
		         "chain[0].frequency_mhz");
	}
}

BOOST_AUTO_TEST_CASE(negative_and_overflowing_numbers_are_refused)
{
	fails_at("at_s = 3", "at_s = -1", "sim.fault[0].at_s");
	fails_at("at_s = 3", "at_s = 1e300", "sim.fault[0].at_s");
	fails_at("watchdog_timeout_s = 5", "watchdog_timeout_s = -0.5",
	         "safety.watchdog_timeout_s");
	fails_at("watchdog_timeout_s = 5", "watchdog_timeout_s = 1e20",
	         "safety.watchdog_timeout_s");
	fails_at("watchdog_timeout_s = 5", "watchdog_timeout_s = 5\nfan_grace_s = -1",
	         "safety.fan_grace_s");
	fails_at("chips = 4", "chips = -4", "chain[0].chips");
	fails_at("chips = 4", "chips = 9223372036854775807", "chain[0].chips");
	fails_at("zero_bits = 8", "zero_bits = 33", "sim.zero_bits");
	fails_at("zero_bits = 8", "zero_bits = 0", "sim.zero_bits");
	fails_at("zero_bits = 8", "zero_bits = 8\nseed = -1", "sim.seed");
	fails_at("chips = 4", "chips = 4\nbaud = -115200", "chain[0].baud");
	fails_at("temp_trip_c = 85", "temp_trip_c = 1e308", "limits.temp_trip_c");
	// An integer past 64 bits is a syntax error, still with its line.
	try {
		std::string text = kBase;
		text.replace(text.find("chips = 4"), 9, "chips = 99999999999999999999");
		parse_board_config(text, "h.toml");
		BOOST_ERROR("no error");
	} catch (const BoardConfigError &e) {
		BOOST_TEST(e.line() == line_of(kBase, "chips = 4"), e.what());
	}
}

BOOST_AUTO_TEST_CASE(a_file_that_never_ends_is_refused_at_the_limit)
{
	const auto start = std::chrono::steady_clock::now();
	try {
		load_board_config("/dev/zero");
		BOOST_ERROR("no error for /dev/zero");
	} catch (const BoardConfigError &e) {
		BOOST_TEST(std::string(e.what()).find("larger than") != std::string::npos,
		           e.what());
	}
	BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(10)));

	const fs::path dir =
	    fs::temp_directory_path() / ("hb-board-hostile-" + std::to_string(::getpid()));
	fs::create_directories(dir);
	try {
		load_board_config(dir);
		BOOST_ERROR("no error for a directory");
	} catch (const BoardConfigError &e) {
		BOOST_TEST(std::string(e.what()).find("directory") != std::string::npos, e.what());
	}
	fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(at_most_16_chains)
{
	std::string chains;
	for (int i = 0; i < 17; ++i)
		chains += "[[chain]]\nfamily = \"bm1366\"\nchips = 4\ntransport = \"sim\"\n";
	std::string text = kBase;
	const auto at = text.find("[[chain]]");
	text.replace(at, text.find("[[regulator]]") - at, chains);
	BOOST_TEST(parse_board_config(text.substr(0, text.rfind("[[chain]]")) +
	                                  text.substr(text.find("[[regulator]]")),
	                              "h.toml")
	               .chains.size() == 16u);
	try {
		parse_board_config(text, "h.toml");
		BOOST_ERROR("17 chains accepted");
	} catch (const BoardConfigError &e) {
		BOOST_TEST(e.key() == "chain[16]");
		BOOST_TEST(e.line() == line_of(text, "[[regulator]]") - 4, e.what());
		BOOST_TEST(e.message().find("at most 16") != std::string::npos);
	}
}

BOOST_AUTO_TEST_CASE(seconds_convert_checked)
{
	BOOST_TEST(from_seconds(1.5).count() == 1500000000);
	BOOST_TEST(from_seconds(0).count() == 0);
	for (double bad : {-1.0, 1e10, 1e300, std::numeric_limits<double>::quiet_NaN(),
	                   std::numeric_limits<double>::infinity()})
		BOOST_CHECK_THROW(from_seconds(bad, "x"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_utf8_is_refused_with_its_line)
{
	// Found by the board-file fuzzer: a non-ASCII character after a number reached
	// undefined behaviour inside toml++; it is refused before parsing, naming where.
	const std::string text = "name = \"x\"\n[[regulator]]\naddress = 0x2\xC7\xB0\n";
	try {
		hashboard::parse_board_config(text, "bad.toml");
		BOOST_FAIL("accepted text that is not UTF-8");
	} catch (const hashboard::BoardConfigError &e) {
		const std::string what = e.what();
		BOOST_TEST(what.find("bad.toml:3") != std::string::npos, what);
		BOOST_TEST(what.find("non-ASCII") != std::string::npos, what);
	}
	BOOST_CHECK_THROW(hashboard::parse_board_config("name = \"\xED\xA0\x80\"\n", "s.toml"),
	                  hashboard::BoardConfigError); // a surrogate
	BOOST_CHECK_THROW(hashboard::parse_board_config("name = \"\xC0\xAF\"\n", "o.toml"),
	                  hashboard::BoardConfigError); // overlong
	// Non-ASCII stays welcome where TOML allows it: strings and comments. This text has
	// no [limits], so it fails later, on that and not on its characters.
	try {
		hashboard::parse_board_config(
		    "# Z\u00fcrich\nname = \"b\u00f6ard\"\ndescription = '''caf\u00e9 \"x\" '''\n"
		    "[[chain]]\nfamily = \"bm1366\"\nchips = 1\ntransport = \"sim\"\n",
		    "ok.toml");
	} catch (const hashboard::BoardConfigError &e) {
		const std::string what = e.what();
		BOOST_TEST(what.find("non-ASCII") == std::string::npos, what);
		BOOST_TEST(what.find("limits") != std::string::npos, what);
	}
}
