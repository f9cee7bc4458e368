// SPDX-License-Identifier: MIT
// hbctl test end to end: the exit code matches the summary line, the JSON and JUnit
// reports parse (JUnit by Python's XML parser, as a line system would read it), the
// SQLite store keeps every run for --history, a broken plan exits 2 naming file, line
// and key, and the HTML report renders in headless Chromium with the failing chip marked.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "temp_dir.hpp"
#include "tool_run.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using hbtest::run_hbctl;
using hbtest::run_tool;

const std::string kSourceDir = hbtest::boards_dir().parent_path().string();
const std::string kNano3 = (hbtest::boards_dir() / "nano3-class-sim.toml").string();

std::string read(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

// The nano3-class board with chip 6 cut off, in dir.
std::string dead_chip_board(const hbtest::TempDir &dir)
{
	return dir.write("dead.toml", read(kNano3) + "\n[[sim.fault]]\ntype = \"dead_chip\"\n"
	                                             "chain = 0\nposition = 6\n");
}

// The last line of the output.
std::string last_line(const std::string &out)
{
	std::string s = out;
	while (!s.empty() && s.back() == '\n')
		s.pop_back();
	const auto nl = s.rfind('\n');
	return nl == std::string::npos ? s : s.substr(nl + 1);
}

// JUnit XML read by Python's parser: testcases, failures, and the failing testcases' names.
hbtest::ToolRun parse_junit(const std::string &file)
{
	return run_tool(
	    "/usr/bin/python3",
	    {"-c",
	     "import sys, xml.etree.ElementTree as E\n"
	     "cases = E.parse(sys.argv[1]).getroot().iter('testcase')\n"
	     "cases = list(cases)\n"
	     "failed = [c.get('name') for c in cases if c.find('failure') is not None]\n"
	     "print('testcases', len(cases), 'failed', ','.join(failed) or '-')\n",
	     file});
}

} // namespace

BOOST_AUTO_TEST_CASE(a_healthy_board_passes_with_exit_0_and_parseable_reports)
{
	hbtest::TempDir dir;
	const auto r = run_hbctl({"test", "-b", kNano3, "--serial", "N3-OK", "--json",
	                          dir.file("r.json"), "--junit", dir.file("r.xml")});
	BOOST_TEST(r.status == 0);
	BOOST_TEST(last_line(r.out).rfind("PASS  nano3-class-sim N3-OK", 0) == 0, last_line(r.out));
	BOOST_TEST(r.has("[5/7] pattern: pass"));

	const auto doc = boost::json::parse(read(dir.file("r.json"))).as_object();
	BOOST_TEST(doc.at("verdict").as_string() == "pass");
	BOOST_TEST(doc.at("serial").as_string() == "N3-OK");
	BOOST_TEST(doc.at("steps").as_array().size() == 7u);
	BOOST_TEST(doc.at("chips").as_array().size() == 10u);

	const auto x = parse_junit(dir.file("r.xml"));
	BOOST_TEST(x.status == 0);
	BOOST_TEST(x.has("testcases 7 failed -"), x.out);
}

BOOST_AUTO_TEST_CASE(a_dead_chip_fails_with_exit_1_and_its_place_in_every_report)
{
	hbtest::TempDir dir;
	const std::string board = dead_chip_board(dir);
	const auto r = run_hbctl({"test", "-b", board, "--serial", "N3-BAD", "--json",
	                          dir.file("r.json"), "--junit", dir.file("r.xml")});
	BOOST_TEST(r.status == 1);
	BOOST_TEST(last_line(r.out).rfind("FAIL  nano3-class-sim N3-BAD", 0) == 0,
	           last_line(r.out));
	BOOST_TEST(r.has("chain 0 chip 6, domain core: chain cut"));

	const auto doc = boost::json::parse(read(dir.file("r.json"))).as_object();
	BOOST_TEST(doc.at("verdict").as_string() == "fail");
	const auto &steps = doc.at("steps").as_array();
	const auto &e = steps.at(3).as_object();
	BOOST_TEST(e.at("name").as_string() == "enumeration");
	BOOST_TEST(e.at("verdict").as_string() == "fail");
	const auto &f = e.at("findings").as_array().at(0).as_object();
	BOOST_TEST(f.at("position").as_int64() == 6);
	BOOST_TEST(f.at("domain").as_string() == "core");

	const auto x = parse_junit(dir.file("r.xml"));
	BOOST_TEST(x.has("testcases 7 failed enumeration"), x.out);
}

BOOST_AUTO_TEST_CASE(a_broken_plan_exits_2_naming_file_line_and_key)
{
	hbtest::TempDir dir;
	const std::string plan =
	    dir.write("plan.toml", "name = \"p\"\n[[step]]\ntype = \"fans\"\nmin_rmp = 100\n");
	const auto r = run_hbctl({"test", "-b", kNano3, "--plan", plan});
	BOOST_TEST(r.status == 2);
	BOOST_TEST(r.has(plan + ":4:1: step[0].min_rmp: unknown key"), r.out);
	// Arguments: no board and no --history.
	BOOST_TEST(run_hbctl({"test"}).status == 2);
	BOOST_TEST(run_hbctl({"test", "--history"}).status == 2); // needs --db
	BOOST_TEST(run_hbctl({"test", "--history", "--db", dir.file("none.sqlite")}).status == 2);
	BOOST_TEST(!std::filesystem::exists(dir.file("none.sqlite")));
}

BOOST_AUTO_TEST_CASE(the_store_keeps_every_run_for_history)
{
	hbtest::TempDir dir;
	const std::string db = dir.file("station.sqlite");
	const std::string board = dead_chip_board(dir);
	BOOST_TEST(run_hbctl({"test", "-b", board, "--serial", "S-7", "--db", db}).status == 1);
	BOOST_TEST(run_hbctl({"test", "-b", board, "--serial", "S-7", "--db", db}).status == 1);
	BOOST_TEST(run_hbctl({"test", "-b", kNano3, "--serial", "S-8", "--db", db}).status == 0);

	const auto h = run_hbctl({"test", "--history", "--serial", "S-7", "--db", db});
	BOOST_TEST(h.status == 0);
	BOOST_TEST(h.has("2 runs of serial S-7"), h.out);
	BOOST_TEST(h.has("failed step: enumeration"));
	BOOST_TEST(h.has("failed chain 0 chip 6: the chain's break: does not answer"), h.out);
	BOOST_TEST(h.has("failed chain 0 chip 7: beyond the break at chip 6"), h.out);
	BOOST_TEST(!h.has("S-8  nano3"));
	// Yield over every run of the model; the position that failed twice per chip.
	BOOST_TEST(h.has("runs 3, passed 1 (33 %); serials 2, passing now 1"), h.out);
	BOOST_TEST(h.has("chain 0 chip 6    2 failures"), h.out);
}

BOOST_AUTO_TEST_CASE(the_html_report_renders_in_chromium_with_the_failing_chip_marked)
{
	hbtest::TempDir dir;
	const std::string board = dead_chip_board(dir);
	const std::string html = dir.file("report.html");
	BOOST_TEST(run_hbctl({"test", "-b", board, "--serial", "H-1", "--html", html}).status == 1);
	const std::string page = read(html);
	// Self-contained: nothing the page would fetch.
	BOOST_TEST((page.find("http://") == page.find("http://www.w3.org/2000/svg")));
	BOOST_TEST(page.find("https://") == std::string::npos);
	BOOST_TEST(page.find("<script") == std::string::npos);
	BOOST_TEST(page.find("src=") == std::string::npos);
	const auto r = run_tool("/usr/bin/python3",
	                        {kSourceDir + "/tests/web/station_report_check.py", html,
	                         dir.file("report.png"),
	                         // The Nano 3-class layout: two rows of five, the chain out
	                         // along the top and back along the bottom.
	                         "--at", "0:0=0,0", "--at", "0:4=4,0", "--at", "0:5=4,1", "--at",
	                         "0:6=3,1", "--at", "0:9=0,1", "0:6", "0:7", "0:8", "0:9"},
	                        hbtest::Child::Stderr::capture, std::chrono::seconds(120));
	if (r.status == 77)
		return; // no chromium: the script printed HB-SKIPPED
	BOOST_TEST(r.status == 0, r.out);
	BOOST_TEST(r.has("report rendered"), r.out);
	BOOST_TEST(r.has("5 chips at their board cells"), r.out);
}

BOOST_AUTO_TEST_CASE(the_serial_comes_from_the_eeprom_without_serial)
{
	hbtest::TempDir dir;
	std::string text = read(kNano3);
	const auto at = text.find("\n[sim]\n");
	BOOST_TEST_REQUIRE(at != std::string::npos);
	text.replace(at, 7, "\n[eeprom]\ntype = \"sim\"\n\n[sim]\nserial = \"N3SIM-0042\"\n");
	const std::string board = dir.write("eeprom.toml", text);
	const auto r = run_hbctl({"test", "-b", board, "--json", dir.file("r.json")});
	BOOST_TEST(r.status == 0, r.out);
	BOOST_TEST(last_line(r.out).rfind("PASS  nano3-class-sim N3SIM-0042", 0) == 0,
	           last_line(r.out));
	const auto doc = boost::json::parse(read(dir.file("r.json"))).as_object();
	BOOST_TEST(doc.at("serial").as_string() == "N3SIM-0042");
	// The command line wins, and says the EEPROM disagrees.
	const auto o = run_hbctl({"test", "-b", board, "--serial", "RELABEL-1"});
	BOOST_TEST(o.status == 0);
	BOOST_TEST(o.has("--serial RELABEL-1, the EEPROM says N3SIM-0042"), o.out);
}
