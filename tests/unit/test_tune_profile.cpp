// SPDX-License-Identifier: MIT
// Saved tune profiles (hashboard/tuning/profile.hpp): a profile reads back as written;
// serials that would name another file are refused; a damaged or hand-edited profile
// (NaN, negative, missing, mistyped, truncated, endless) is a ConfigError at its line
// and key, never a half-applied tune.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "temp_dir.hpp"

#include <hashboard/config_file.hpp>
#include <hashboard/tuning/profile.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace hashboard;

namespace {

TuneResult made_up_result()
{
	TuneResult r;
	r.mode = TuneMode::efficiency;
	r.converged = true;
	r.rail_mv = {{"vcore", 1187.5}, {"vcore b", 1200.0 / 3}};
	r.chip_mhz = {{0, {490.0, 512.25, 0.1 + 0.2 + 500}}, {3, {600}}};
	r.hashrate_ths = 1.2345678901234;
	r.power_w = 101.5;
	r.j_per_th = 101.5 / 1.2345678901234;
	return r;
}

TuneGoal made_up_goal()
{
	TuneGoal g;
	g.mode = TuneMode::efficiency;
	g.power_limit_w = 150;
	g.min_ths = 0.5;
	g.fan_cap = 0.8;
	return g;
}

const std::string kGood = R"(serial = "SN-1"
board = "nano3-class-sim"
mode = "efficiency"
saved_at = "2026-12-04T18:00:00Z"
hashrate_ths = 1.5
power_w = 100
j_per_th = 66.7

[goal]
min_ths = 0
heat_w = 0
fan_cap = 1.0
fixed_mhz = 0

[rails]
vcore = 1200

[[chain]]
id = 0
mhz = [490, 500.5, 510]
)";

// kGood with `from` replaced by `to` must fail at to's line (the table's when line is
// given), naming key.
void fails_at(const std::string &from, const std::string &to, const std::string &key,
              const std::string &line_needle = "")
{
	BOOST_TEST_CONTEXT(from << " -> " << to)
	{
		std::string text = kGood;
		const auto at = text.find(from);
		BOOST_TEST_REQUIRE(at != std::string::npos);
		text.replace(at, from.size(), to);
		hbtest::TempDir dir;
		const std::string file = dir.write("p.toml", text);
		try {
			load_profile(file);
			BOOST_FAIL("loaded a bad profile");
		} catch (const ConfigError &e) {
			BOOST_TEST(e.file() == file);
			BOOST_TEST(e.key() == key, e.what());
			const std::string needle = line_needle.empty() ? to : line_needle;
			BOOST_TEST(e.line() == hbtest::line_of(text, needle), e.what());
		}
	}
}

} // namespace

BOOST_AUTO_TEST_CASE(a_profile_reads_back_as_written)
{
	hbtest::TempDir dir;
	const TuneProfile p =
	    profile_from_result(made_up_result(), "SN-0042_a.b", "nano3-class-sim", made_up_goal());
	BOOST_TEST(p.saved_at.size() == 20u); // 2026-12-04T18:00:00Z
	const fs::path file = profile_path(fs::path(dir.path) / "sub" / "dir", p.serial);
	BOOST_TEST(file.filename() == "SN-0042_a.b.toml");
	save_profile(file, p);
	struct stat st {};
	BOOST_TEST_REQUIRE(::stat(file.c_str(), &st) == 0);
	BOOST_TEST((st.st_mode & 0777) == 0644u);
	// Nothing left beside it: the temporary file was renamed into place.
	BOOST_TEST(std::distance(fs::directory_iterator(file.parent_path()),
	                         fs::directory_iterator()) == 1);

	const TuneProfile q = load_profile(file);
	BOOST_TEST(q.serial == p.serial);
	BOOST_TEST(q.board == p.board);
	BOOST_TEST((q.mode == TuneMode::efficiency));
	BOOST_TEST((q.goal.mode == TuneMode::efficiency));
	BOOST_TEST(q.goal.power_limit_w.value_or(0) == 150.0);
	BOOST_TEST(!q.goal.temp_ceiling_c);
	BOOST_TEST(q.goal.min_ths == 0.5);
	BOOST_TEST(q.goal.fan_cap == 0.8);
	BOOST_TEST(q.saved_at == p.saved_at);
	BOOST_TEST(q.rail_mv == p.rail_mv); // exactly: doubles round-trip
	BOOST_TEST(q.chip_mhz == p.chip_mhz);
	BOOST_TEST(q.hashrate_ths == p.hashrate_ths);
	BOOST_TEST(q.power_w == p.power_w);
	BOOST_TEST(q.j_per_th == p.j_per_th);

	// Saved again over the old one.
	TuneProfile r = q;
	r.rail_mv["vcore"] = 1250;
	save_profile(file, r);
	BOOST_TEST(load_profile(file).rail_mv.at("vcore") == 1250.0);
}

BOOST_AUTO_TEST_CASE(every_mode_round_trips_by_name)
{
	for (TuneMode m : {TuneMode::hashrate, TuneMode::efficiency, TuneMode::fixed,
	                   TuneMode::heat, TuneMode::quiet})
		BOOST_TEST((parse_tune_mode(tune_mode_name(m)) == m));
	BOOST_CHECK_THROW(parse_tune_mode("bogus"), std::invalid_argument);
	BOOST_CHECK_THROW(parse_tune_mode(""), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(serials_that_would_name_another_file_are_refused)
{
	for (const std::string &bad : std::vector<std::string>{
	         "", "../x", ".hidden", "a/b", "a b", "x\n", std::string(65, 'a'),
	         std::string("a\0b", 3), "caf\xc3\xa9"}) {
		BOOST_TEST_CONTEXT(bad)
		{
			BOOST_CHECK_THROW(check_serial(bad), std::invalid_argument);
			BOOST_CHECK_THROW(profile_path("/tmp", bad), std::invalid_argument);
			BOOST_CHECK_THROW(
			    profile_from_result(made_up_result(), bad, "b", made_up_goal()),
			    std::invalid_argument);
		}
	}
	for (const std::string &good :
	     std::vector<std::string>{"a", "SN-1", "x.y_z", std::string(64, 'a'), "a..b"})
		BOOST_CHECK_NO_THROW(check_serial(good));
}

BOOST_AUTO_TEST_CASE(an_unreadable_result_is_not_saved)
{
	hbtest::TempDir dir;
	const fs::path file = dir.file("x.toml");
	TuneResult r = made_up_result();
	r.j_per_th = std::numeric_limits<double>::infinity();
	BOOST_CHECK_THROW(save_profile(file, profile_from_result(r, "x", "b", made_up_goal())),
	                  std::runtime_error);
	r = made_up_result();
	r.chip_mhz[0][1] = std::nan("");
	BOOST_CHECK_THROW(save_profile(file, profile_from_result(r, "x", "b", made_up_goal())),
	                  std::runtime_error);
	BOOST_TEST(!fs::exists(file));
	BOOST_TEST(fs::is_empty(dir.path));
}

BOOST_AUTO_TEST_CASE(the_good_profile_loads)
{
	hbtest::TempDir dir;
	const TuneProfile p = load_profile(dir.write("p.toml", kGood));
	BOOST_TEST(p.chip_mhz.at(0).size() == 3u);
	BOOST_TEST(p.rail_mv.at("vcore") == 1200.0);
}

BOOST_AUTO_TEST_CASE(bad_values_are_errors_at_their_line_and_key)
{
	fails_at("power_w = 100", "power_w = nan", "power_w");
	fails_at("power_w = 100", "power_w = -1", "power_w");
	fails_at("power_w = 100", "power_w = inf", "power_w");
	fails_at("power_w = 100", "power_w = \"100\"", "power_w");
	fails_at("vcore = 1200", "vcore = -1200", "rails.vcore");
	fails_at("vcore = 1200", "vcore = 0", "rails.vcore");
	fails_at("vcore = 1200", "vcore = nan", "rails.vcore");
	fails_at("mhz = [490, 500.5, 510]", "mhz = [490, -1, 510]", "chain[0].mhz[1]");
	fails_at("mhz = [490, 500.5, 510]", "mhz = [490, nan, 510]", "chain[0].mhz[1]");
	fails_at("mhz = [490, 500.5, 510]", "mhz = [490, \"x\", 510]", "chain[0].mhz[1]");
	fails_at("mhz = [490, 500.5, 510]", "mhz = []", "chain[0].mhz");
	fails_at("mhz = [490, 500.5, 510]", "mhz = 490", "chain[0].mhz");
	fails_at("id = 0", "id = -1", "chain[0].id");
	fails_at("mode = \"efficiency\"", "mode = \"bogus\"", "mode");
	fails_at("serial = \"SN-1\"", "serial = \"../etc\"", "serial");
	fails_at("fan_cap = 1.0", "fan_cap = 0", "goal.fan_cap");
	fails_at("fan_cap = 1.0", "fan_cap = 1.5", "goal.fan_cap");
	fails_at("heat_w = 0", "heat_w = -5", "goal.heat_w");
	fails_at("[goal]", "[goal]\npower_limit_w = 0", "goal.power_limit_w", "power_limit_w = 0");
	fails_at("fixed_mhz = 0", "fixed_mhz = 0\nfixed_mhzz = 0", "goal.fixed_mhzz", "fixed_mhzz");
}

BOOST_AUTO_TEST_CASE(missing_keys_are_named)
{
	// A missing key has no line of its own: the error is at its table's.
	struct Case {
		std::string line, key, table; // table: the header the error points at
	};
	for (const auto &[line, key, table] : std::vector<Case>{
	         {"power_w = 100\n", "power_w", ""},
	         {"mode = \"efficiency\"\n", "mode", ""},
	         {"fan_cap = 1.0\n", "goal.fan_cap", "[goal]"},
	         {"mhz = [490, 500.5, 510]\n", "chain[0].mhz", "[[chain]]"},
	     }) {
		BOOST_TEST_CONTEXT(key)
		{
			std::string text = kGood;
			text.erase(text.find(line), line.size());
			hbtest::TempDir dir;
			try {
				load_profile(dir.write("p.toml", text));
				BOOST_FAIL("loaded a profile without " + key);
			} catch (const ConfigError &e) {
				BOOST_TEST(e.key() == key, e.what());
				BOOST_TEST(std::string(e.what()).find("missing") !=
				           std::string::npos);
				if (!table.empty())
					BOOST_TEST(e.line() == hbtest::line_of(text, table),
					           e.what());
			}
		}
	}
	hbtest::TempDir dir;
	const std::string no_chain = kGood.substr(0, kGood.find("[[chain]]"));
	try {
		load_profile(dir.write("p.toml", no_chain));
		BOOST_FAIL("loaded a profile without chains");
	} catch (const ConfigError &e) {
		BOOST_TEST(e.key() == "chain", e.what());
	}
}

BOOST_AUTO_TEST_CASE(truncated_endless_and_absent_files_are_config_errors)
{
	hbtest::TempDir dir;
	// Cut inside the last array: a syntax error with a line.
	const std::string cut = kGood.substr(0, kGood.size() - 8);
	try {
		load_profile(dir.write("cut.toml", cut));
		BOOST_FAIL("loaded a truncated profile");
	} catch (const ConfigError &e) {
		BOOST_TEST(e.line() == hbtest::line_of(cut, "mhz = ["), e.what());
	}
	// Empty: every key missing, the first named.
	BOOST_CHECK_THROW(load_profile(dir.write("empty.toml", "")), ConfigError);
	// A number too large for a double: a syntax error at its line.
	const std::string huge = "serial = \"x\"\nhashrate_ths = 1e999\n";
	try {
		load_profile(dir.write("huge-number.toml", huge));
		BOOST_FAIL("loaded 1e999");
	} catch (const ConfigError &e) {
		BOOST_TEST(e.line() == 2u, e.what());
	}
	// A number that never ends, and a file larger than any profile.
	BOOST_CHECK_THROW(
	    load_profile(dir.write("long.toml", "power_w = " + std::string(100000, '9') + "\n")),
	    ConfigError);
	BOOST_CHECK_THROW(
	    load_profile(dir.write("huge.toml", "power_w = 1" + std::string(5u << 20, '0') + "\n")),
	    ConfigError);
	BOOST_CHECK_THROW(load_profile("/dev/zero"), ConfigError);
	BOOST_CHECK_THROW(load_profile(dir.file("absent.toml")), ConfigError);
	BOOST_CHECK_THROW(load_profile(dir.path), ConfigError);
}
