// SPDX-License-Identifier: MIT
// The built hbctl tune: every bad option is a usage error (exit 2) naming the option,
// before the board is switched on or a profile directory made; a tune of the Nano
// 3-class twin converges and writes its profile (which loads back), JSON report and plot.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "temp_dir.hpp"
#include "tool_run.hpp"

#include <hashboard/tuning/profile.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

using hbtest::run_hbctl;

std::string board(const char *file)
{
	return (hbtest::boards_dir() / file).string();
}

std::string slurp(const fs::path &p)
{
	std::ifstream in(p);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

std::size_t count(const std::string &s, const std::string &needle)
{
	std::size_t n = 0;
	for (auto at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1))
		++n;
	return n;
}

} // namespace

BOOST_AUTO_TEST_CASE(bad_options_are_usage_errors_naming_the_option)
{
	hbtest::TempDir dir;
	const std::string profiles = dir.file("profiles");
	struct Case {
		std::vector<std::string> args;
		std::string says;
	};
	const std::vector<Case> cases{
	    {{"--mode", "bogus"}, "'bogus'"},
	    {{}, "--mode is required"},
	    {{"--mode", "efficiency", "--fan-cap", "0"}, "--fan-cap"},
	    {{"--mode", "efficiency", "--fan-cap", "1.5"}, "--fan-cap"},
	    {{"--mode", "heat", "--heat", "-5"}, "--heat"},
	    {{"--mode", "hashrate", "--power-limit", "nan"}, "--power-limit"},
	    {{"--mode", "hashrate", "--power-limit", "inf"}, "--power-limit"},
	    {{"--mode", "efficiency", "--min-ths", "-1"}, "--min-ths"},
	    {{"--mode", "efficiency", "--temp-ceiling", "0"}, "--temp-ceiling"},
	    {{"--mode", "efficiency", "--time-budget", "0"}, "--time-budget"},
	    {{"--mode", "efficiency", "--time-budget", "1e10"}, "--time-budget"},
	    {{"--mode", "fixed", "--fixed-mhz", "abc"}, "--fixed-mhz"},
	    {{"--mode", "efficiency", "--serial", "../x"}, "--serial"},
	    {{"--mode", "efficiency", "--serial", ".hidden"}, "--serial"},
	    {{"--mode", "efficiency", "--serial", std::string(65, 'a')}, "--serial"},
	    {{"--mode", "efficiency", "--json", ""}, "--json"},
	    // Options the mode does not read, and what a mode needs.
	    {{"--mode", "heat"}, "needs --heat"},
	    {{"--mode", "quiet"}, "needs --heat"},
	    {{"--mode", "fixed"}, "needs --fixed-mhz"},
	    {{"--mode", "efficiency", "--heat", "100"}, "--heat is for heat or quiet mode"},
	    {{"--mode", "hashrate", "--fixed-mhz", "500"}, "--fixed-mhz is for fixed mode"},
	    {{"--mode", "hashrate", "--min-ths", "1"}, "--min-ths is for efficiency mode"},
	    // Against the board file: 160 W, trip at 90 C, 50-600 MHz.
	    {{"--mode", "hashrate", "--power-limit", "1000"}, "power_max_w"},
	    {{"--mode", "efficiency", "--temp-ceiling", "95"}, "temp_trip_c"},
	    {{"--mode", "fixed", "--fixed-mhz", "5000"}, "--fixed-mhz"},
	};
	for (const auto &c : cases) {
		std::vector<std::string> args{"tune", "-b", board("nano3-class-sim.toml"),
		                              "--profile-dir", profiles};
		args.insert(args.end(), c.args.begin(), c.args.end());
		const auto r = run_hbctl(args);
		BOOST_TEST_CONTEXT(c.says)
		{
			BOOST_TEST(r.status == 2);
			BOOST_TEST(r.has(c.says), r.out);
			// Refused before anything was switched on.
			BOOST_TEST(!r.has("power up"), r.out);
		}
	}
	BOOST_TEST(!fs::exists(profiles));

	const auto missing =
	    run_hbctl({"tune", "-b", dir.file("absent.toml"), "--mode", "hashrate"});
	BOOST_TEST(missing.status == 2);
	BOOST_TEST(missing.has("absent.toml"), missing.out);
}

BOOST_AUTO_TEST_CASE(a_tune_converges_and_writes_its_profile_report_and_plot)
{
	hbtest::TempDir dir;
	const std::string profiles = dir.file("profiles"), report = dir.file("r.json"),
	                  plot = dir.file("p.svg");
	const auto start = std::chrono::steady_clock::now();
	const auto r = run_hbctl({"tune", "-b", board("nano3-class-sim.toml"), "--mode",
	                          "efficiency", "--time-budget", "600", "--json", report, "--plot",
	                          plot, "--profile-dir", profiles},
	                         hbtest::Child::Stderr::capture, 120s);
	const double took =
	    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	BOOST_TEST_MESSAGE("hbctl tune took " << took << " s");
	BOOST_TEST_REQUIRE(r.status == 0, r.out);
	BOOST_TEST(r.has("chain 0"));
	BOOST_TEST(r.has("J/TH"));
	BOOST_TEST(r.has("profile saved"));

	const fs::path file = fs::path(profiles) / "nano3-class-sim.toml";
	BOOST_TEST_REQUIRE(fs::exists(file));
	const hashboard::TuneProfile p = hashboard::load_profile(file);
	BOOST_TEST(p.serial == "nano3-class-sim");
	BOOST_TEST(p.board == "nano3-class-sim");
	BOOST_TEST((p.mode == hashboard::TuneMode::efficiency));
	BOOST_TEST(p.chip_mhz.at(0).size() == 10u);
	BOOST_TEST(p.rail_mv.count("vcore") == 1u);
	BOOST_TEST(p.hashrate_ths > 0);

	const json::object o = json::parse(slurp(report)).as_object();
	const auto &result = o.at("result").as_object();
	BOOST_TEST(result.at("converged").as_bool());
	BOOST_TEST(o.at("chips").as_array().size() == 10u);
	BOOST_TEST(o.at("goal").as_object().at("mode").as_string() == "efficiency");
	BOOST_TEST(!o.at("steps").as_array().empty());
	BOOST_TEST(o.at("profile").as_string() == file.string());
	// The profile holds what the report says (Boost.JSON's text keeps 16 digits, the
	// profile 17).
	const auto &chips = o.at("chips").as_array();
	for (std::size_t i = 0; i < chips.size(); ++i)
		BOOST_TEST(chips[i].as_object().at("mhz").to_number<double>() ==
		               p.chip_mhz.at(0)[i],
		           boost::test_tools::tolerance(1e-12));

	const std::string svg = slurp(plot);
	BOOST_TEST(svg.rfind("<svg ", 0) == 0u);
	BOOST_TEST(count(svg, "class=\"chip\"") == 10u);
	BOOST_TEST(count(svg, "<g") == count(svg, "</g>"));

	// hbctl board starts at the profile: every chip at its tuned frequency (the board's
	// PLL target; the simulated chips run what the PLL word gives).
	const auto up = run_hbctl({"board", "up", "-b", board("nano3-class-sim.toml"), "--profile",
	                           file.string(), "--json"},
	                          hbtest::Child::Stderr::inherit, 60s);
	BOOST_TEST_REQUIRE(up.status == 0, up.out);
	const json::value upjson = json::parse(up.out);
	const auto &upchips = upjson.at("chains").as_array().at(0).at("chips").as_array();
	BOOST_TEST_REQUIRE(upchips.size() == 10u);
	for (std::size_t i = 0; i < upchips.size(); ++i)
		BOOST_TEST(upchips[i].at("mhz").to_number<double>() == p.chip_mhz.at(0)[i],
		           boost::test_tools::tolerance(1e-9));
	// On another board the profile is refused before anything is switched on.
	const auto other = run_hbctl(
	    {"board", "up", "-b", board("bitaxe-bm1370.toml"), "--sim", "--profile", file.string()},
	    hbtest::Child::Stderr::capture, 60s);
	BOOST_TEST(other.status == 2);
	BOOST_TEST(other.has("a profile of board 'nano3-class-sim'"), other.out);
}
