// SPDX-License-Identifier: MIT
// hbctl against hostile or careless input (issue 7): every bad number is a usage error
// (exit 2) naming its option, work that cannot finish in sane time is refused before it
// starts, every file read is bounded, and what comes from the input cannot drive the
// terminal. Each run has a time limit, so a hang fails the test instead of blocking it.
#include <boost/test/unit_test.hpp>

#include "release_only.hpp"

#include "hbtest.hpp"
#include "temp_dir.hpp"
#include "tool_run.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

using hbtest::ToolRun;

// hbctl with args; fails the test (and kills it) when it runs past limit.
ToolRun hbctl(const std::vector<std::string> &args, hashboard::Duration limit = 60s)
{
	const auto r = hbtest::run_hbctl(args, hbtest::Child::Stderr::capture, limit);
	BOOST_TEST(r.status != -1, "hbctl did not finish in time");
	return r;
}

// A usage error that names what is wrong.
void refused(const std::vector<std::string> &args, const std::string &names,
             hashboard::Duration limit = 30s)
{
	const ToolRun r = hbctl(args, limit);
	std::string cmd;
	for (const auto &a : args)
		cmd += " " + a;
	BOOST_TEST(r.status == 2, "hbctl" << cmd << ": exit " << r.status << ", not 2");
	BOOST_TEST(r.out.find(names) != std::string::npos, "hbctl" << cmd << ": message lacks '"
	                                                           << names << "':\n"
	                                                           << r.out);
}

using hbtest::boards_dir;

using hbtest::TempDir;

std::string slurp(const fs::path &p)
{
	std::ifstream in(p, std::ios::binary);
	return {std::istreambuf_iterator<char>(in), {}};
}

} // namespace

BOOST_AUTO_TEST_CASE(mine_refuses_bad_numbers_naming_the_option)
{
	// Durations: NaN, infinities, negatives, zero, and past what a duration holds.
	for (const char *v : {"1e10", "inf", "-inf", "nan", "-1", "0", "1e400", "86401", "x"})
		refused({"mine", "--seconds", v}, "--seconds");
	for (const char *v : {"0", "nan", "inf", "-5", "1e6"})
		refused({"mine", "--freq", v}, "--freq");
	// A frequency the PLL cannot make is refused before the chain is touched.
	refused({"mine", "--freq", "9999"}, "--freq");
	for (const char *v : {"0", "-1", "1.5", "1e9"})
		refused({"mine", "--baud", v}, "--baud");
	refused({"mine", "--baud", "50000000"}, "--baud"); // above the family's maximum
	for (const char *v : {"-1", "1.5", "18446744073709551616", "nan"})
		refused({"mine", "--seed", v}, "--seed");
	for (const char *v : {"0", "33", "64", "-1"})
		refused({"mine", "--zero-bits", v}, "--zero-bits");
	for (const char *v : {"0", "nan", "inf", "-0.5", "1e10"})
		refused({"mine", "--job-interval", v}, "--job-interval");
	for (const char *v : {"1e-9", "0", "nan", "inf"})
		refused({"mine", "--report-interval", v}, "--report-interval");
	for (const char *v : {"1e-9", "0", "nan", "inf", "-6.25"})
		refused({"mine", "--ramp-step", v}, "--ramp-step");
	for (const char *v : {"nan", "-1", "inf", "1e12"})
		refused({"mine", "--ramp-interval-ms", v}, "--ramp-interval-ms");
	for (const char *v : {"-1", "32", "nan"})
		refused({"mine", "--ticket-log2", v}, "--ticket-log2");
	for (const char *v : {"0", "257", "-1"})
		refused({"scan", "--chips", v}, "--chips");
	refused({"regs", "read", "chip_id", "--seed", "-1"}, "--seed");
}

BOOST_AUTO_TEST_CASE(virtual_time_simulator_refuses_real_hashing)
{
	// zero_bits 32 is hashing at the chips' full rate: hours of CPU per simulated second.
	refused({"mine", "--zero-bits", "32"}, "--zero-bits");
	refused({"mine", "--zero-bits", "17", "-t", "sim:bm1366?chips=1"}, "--zero-bits");
	refused({"mine", "-t", "sim:bm1366?chips=1&zero_bits=32"}, "zero_bits=32");
	refused({"scan", "-t", "sim:bm1366?zero_bits=33"}, "zero_bits");

	TempDir dir;
	std::string text = slurp(boards_dir() / "nano3-class-sim.toml");
	const auto sim = text.find("[sim]");
	BOOST_TEST_REQUIRE(sim != std::string::npos);
	const auto zb = text.find("zero_bits", sim);
	BOOST_TEST_REQUIRE(zb != std::string::npos);
	text.replace(zb, text.find('\n', zb) - zb, "zero_bits = 32");
	const std::string board = dir.write("zb32.toml", text);
	refused({"board", "mine", "--board", board, "--seconds", "1"}, "sim.zero_bits = 32");
}

// hbsim hashes in real time on one core: chips it cannot keep up with are refused before
// it serves, naming what set zero_bits and the largest value that keeps up.
BOOST_AUTO_TEST_CASE(real_time_simulator_refuses_what_one_core_cannot_hash)
{
	TempDir dir;
	const auto hbsim_refused = [&](std::vector<std::string> args,
	                               const std::vector<std::string> &names) {
		args.insert(args.begin(), hbtest::hbsim_bin());
		hbtest::Child sim(args, hbtest::Child::Stderr::capture);
		const std::string out = sim.read_all(20s);
		BOOST_TEST(sim.wait(5s) == 2, out);
		for (const auto &n : names)
			BOOST_TEST(out.find(n) != std::string::npos, "lacks '" << n << "':\n"
			                                                       << out);
	};
	// 4 chips at 32 zero bits: the real chips' rate, terabytes of hashing a second.
	hbsim_refused({"--zero-bits", "32", "--unix", dir.file("a.sock")},
	              {"--zero-bits 32", "SHA-256d/s", "at most "});
	// The default on a chain that long.
	hbsim_refused({"--family", "bm1370", "--chips", "256", "--unix", dir.file("b.sock")},
	              {"--zero-bits 12 (the default)", "at most"});
	// A board: every chain is hashed on the same core; its [sim] zero_bits is named by key.
	const std::string a15 = (boards_dir() / "a15-class-sim.toml").string();
	hbsim_refused({"--board", a15, "--zero-bits", "10", "--unix-dir", dir.path},
	              {"--zero-bits 10", "480 chips", "at most"});
	std::string text = slurp(a15);
	const auto zb = text.find("zero_bits", text.find("[sim]"));
	BOOST_TEST_REQUIRE(zb != std::string::npos);
	text.replace(zb, text.find('\n', zb) - zb, "zero_bits = 12");
	const std::string board = dir.write("a15-zb12.toml", text);
	hbsim_refused({"--board", board, "--unix-dir", dir.path},
	              {board + ": sim.zero_bits = 12", "at most"});

	// What one core keeps up with is served.
	hbtest::Child ok({hbtest::hbsim_bin(), "--zero-bits", "8", "--unix", dir.file("c.sock"),
	                  "--control", dir.file("c.ctl")});
	const auto first = ok.read_line(10s);
	BOOST_TEST_REQUIRE(first.has_value());
	BOOST_TEST(first->starts_with("unix: "), *first);
	BOOST_TEST(ok.terminate(5s) == 0);
}

BOOST_AUTO_TEST_CASE(board_refuses_bad_numbers_naming_the_option)
{
	const std::string board = (boards_dir() / "nano3-class-sim.toml").string();
	for (const char *v : {"1e-9", "0", "nan", "inf"})
		refused({"board", "up", "--board", board, "--ramp-step", v}, "--ramp-step");
	for (const char *v : {"nan", "-1", "inf"})
		refused({"board", "up", "--board", board, "--ramp-interval-ms", v},
		        "--ramp-interval-ms");
	for (const char *v : {"1e10", "inf", "nan", "0", "-1"})
		refused({"board", "mine", "--board", board, "--seconds", v}, "--seconds");
	for (const char *v : {"1e-9", "nan"})
		refused({"board", "mine", "--board", board, "--report-interval", v},
		        "--report-interval");
	for (const char *v : {"nan", "inf", "0", "-400"})
		refused({"board", "up", "--board", board, "--freq", v}, "--freq");
	refused({"board", "up", "--board", board, "--chip-freq", "0:0=nan"}, "--chip-freq");
	refused({"board", "up", "--board", board, "--domain-voltage", "x=inf"}, "--domain-voltage");
}

// The largest board the schema allows: 16 chains of 256 chips, one rail each.
std::string largest_board(unsigned chains)
{
	std::string t = "name = \"largest\"\n";
	for (unsigned i = 0; i < chains; ++i)
		t += "[[chain]]\nid = " + std::to_string(i) +
		     "\nfamily = \"bm1370\"\nchips = 256\ntransport = \"sim\"\nbaud = 1000000\n";
	for (unsigned i = 0; i < chains; ++i) {
		const std::string n = std::to_string(i);
		t += "[[regulator]]\nname = \"rail" + n +
		     "\"\ntype = \"sim\"\nvout_min_mv = 1100\nvout_max_mv = 1400\ndefault_mv = "
		     "1250\n";
		t += "[[domain]]\nname = \"d" + n + "\"\nregulator = \"rail" + n +
		     "\"\nchain = " + n + "\nchips = \"0-255\"\n";
	}
	return t +
	       "[[sensor]]\nname = \"s\"\ntype = \"sim\"\n[[fan]]\nname = \"f\"\ntype = \"sim\"\n"
	       "[[gpio]]\nname = \"reset\"\nrole = \"reset\"\nchip = \"sim\"\noffset = 0\n"
	       "[limits]\ntemp_warn_c = 180\ntemp_trip_c = 195\n[sim]\nzero_bits = 4\n"
	       "r_th_c_per_w = 0.0001\n";
}

BOOST_AUTO_TEST_CASE(a_board_beyond_the_largest_is_refused)
{
	TempDir dir;
	refused({"board", "up", "--board", dir.write("too_large.toml", largest_board(17))},
	        "at most 16");
}

BOOST_AUTO_TEST_CASE(the_largest_board_comes_up_in_linear_time,
                     *boost::unit_test::precondition(hbtest::release_only))
{
	// 4096 simulated chips: about a second (it was still enumerating after 20 s at 256
	// chains, when every link read scanned every domain).
	TempDir dir;
	const ToolRun r =
	    hbctl({"board", "up", "--board", dir.write("largest.toml", largest_board(16)),
	           "--no-chips", "--json"},
	          120s);
	BOOST_TEST(r.status == 0);
}

BOOST_AUTO_TEST_CASE(job_interval_below_the_wire_time_is_clamped)
{
	// A header job is 88 bytes of 10 bits: 7.6 ms at 115200 Bd, 0.28 ms at 3.125 MBd
	// (a BM1397 job of 4 midstates, 152 bytes: 0.49 ms). Jobs closer than that would
	// queue behind each other and the chips would answer jobs already replaced.
	struct Case {
		std::vector<std::string> args;
		std::string floor;
	};
	for (const Case &c : {Case{{"--baud", "115200", "--job-interval", "0.0005"}, "0.007639"},
	                      Case{{"--job-interval", "0.0001"}, "0.000282"},
	                      Case{{"-f", "bm1397", "--job-interval", "0.0001"}, "0.000486"}}) {
		std::vector<std::string> args{"mine", "-n", "2", "--seconds", "0.5", "--json"};
		args.insert(args.end(), c.args.begin(), c.args.end());
		const ToolRun r = hbctl(args);
		BOOST_TEST_REQUIRE(r.status == 0);
		BOOST_TEST(r.out.find("shorter than one job frame takes on the wire") !=
		           std::string::npos);
		BOOST_TEST(r.out.find("using " + c.floor + " s") != std::string::npos, r.out);
		const auto brace = r.out.rfind("\n{");
		const auto doc =
		    boost::json::parse(r.out.substr(brace == std::string::npos ? 0 : brace + 1))
		        .as_object();
		const auto &total = doc.at("total").as_object();
		BOOST_TEST(total.at("hw_errors").to_number<double>() == 0);
		BOOST_TEST(total.at("stale").to_number<double>() == 0);
		BOOST_TEST(total.at("valid").to_number<double>() > 0);
	}
	// Above the floor nothing is said.
	const ToolRun ok =
	    hbctl({"mine", "-n", "2", "--seconds", "0.2", "--job-interval", "0.0005"});
	BOOST_TEST(ok.status == 0);
	BOOST_TEST(ok.out.find("shorter than") == std::string::npos);
}

// Without live tables (--json, --quiet) the run used to stop at the first report time in
// virtual time: the poll's deadline stayed there, the clock with it.
BOOST_AUTO_TEST_CASE(mining_without_tables_runs_past_the_report_interval)
{
	for (const char *quiet : {"--json", "--quiet"}) {
		const ToolRun r = hbctl(
		    {"mine", "-n", "2", "--seconds", "3", "--report-interval", "1", quiet}, 30s);
		BOOST_TEST(r.status == 0);
		if (std::string(quiet) == "--json") {
			const auto doc = boost::json::parse(r.out).as_object();
			BOOST_TEST(doc.at("seconds").to_number<double>() >= 3.0);
		} else {
			BOOST_TEST(r.out.find("== summary after 3.0 s") != std::string::npos,
			           r.out);
		}
	}
}

BOOST_AUTO_TEST_CASE(every_file_read_is_bounded)
{
	// A board file that never ends: refused at the size limit, not read forever.
	refused({"board", "status", "--board", "/dev/zero"}, "larger than", 20s);
	TempDir dir;
	refused({"board", "status", "--board", dir.path}, "directory");
	refused({"frames", "decode", dir.path}, "directory");
	refused({"frames", "replay", "-f", "bm1366", dir.path}, "directory");

	// hbsim reads board files through the same reader.
	hbtest::Child sim({hbtest::hbsim_bin(), "--board", "/dev/zero", "--unix-dir", dir.path},
	                  hbtest::Child::Stderr::capture);
	const std::string out = sim.read_all(20s);
	const int status = sim.wait(5s);
	BOOST_TEST(status != -1);
	BOOST_TEST(status != 0);
	BOOST_TEST(out.find("larger than") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(capture_times_must_be_finite)
{
	TempDir dir;
	const std::string header = "name,type,start_time,duration,data\n";
	for (const char *t : {"NaN", "nan", "inf", "-Infinity"}) {
		const std::string csv = dir.write("t.csv", header + "TX,data,0.1,1e-5,0x55\n" +
		                                               "TX,data," + t + ",1e-5,0xAA\n");
		refused({"frames", "decode", csv, "--json"}, "capture line 3");
	}
	// Negative times are real (bytes before the analyser's trigger).
	const std::string ok = dir.write("neg.csv", header + "TX,data,-0.5,1e-5,0x55\n");
	BOOST_TEST(hbctl({"frames", "decode", ok}).status == 0);
	// A name per row would make a stream per row.
	std::string many = header;
	for (int i = 0; i < 20; ++i)
		many +=
		    "line" + std::to_string(i) + ",data,0." + std::to_string(i) + ",1e-5,0x55\n";
	refused({"frames", "decode", dir.write("many.csv", many)}, "analyser names");
}

BOOST_AUTO_TEST_CASE(control_characters_are_escaped)
{
	const ToolRun r = hbctl({"frames", "decode", "-f", "bm\x1b[2J\x07", "/dev/null"});
	BOOST_TEST(r.status == 2);
	BOOST_TEST(r.out.find('\x1b') == std::string::npos);
	BOOST_TEST(r.out.find('\x07') == std::string::npos);
	BOOST_TEST(r.out.find("\\x1b") != std::string::npos);
	const ToolRun p = hbctl({"mine", "--seconds", "1\x1b[2J"});
	BOOST_TEST(p.status == 2);
	BOOST_TEST(p.out.find('\x1b') == std::string::npos);

	// A capture's name in replay's message, and a pool's job id in encode's comments.
	TempDir dir;
	const std::string capture = dir.write("cap\x1b[2J.hex", "00\n");
	const ToolRun replay = hbctl({"frames", "replay", "-f", "bm1366", capture});
	BOOST_TEST(replay.status == 1);
	BOOST_TEST(replay.out.find('\x1b') == std::string::npos);
	BOOST_TEST(replay.out.find("cap\\x1b[2J.hex") != std::string::npos, replay.out);
	const std::string notify =
	    "[\"\\u001b[31mjob\",\"" + std::string(64, '0') +
	    "\",\"01\",\"02\",[],\"20000000\",\"1705dd01\",\"64658bd8\",true]";
	const ToolRun job = hbctl({"frames", "encode", "job", "--job-id", "1", "--notify", notify,
	                           "--extranonce1", "00", "--extranonce2", "00"});
	BOOST_TEST(job.status == 0);
	BOOST_TEST(job.out.find('\x1b') == std::string::npos);
	BOOST_TEST(job.out.find("# stratum_job_id: \\x1b[31mjob") != std::string::npos, job.out);
}

BOOST_AUTO_TEST_CASE(frames_options_are_checked)
{
	for (const char *v : {"0", "-1", "129"})
		refused({"frames", "replay", "-f", "bm1366", "/dev/null", "--live-jobs", v},
		        "--live-jobs");
	refused({"frames", "encode", "job", "--job-id", "1", "--header", std::string(160, '0'),
	         "--extranonce2-size", "-1"},
	        "--extranonce2-size");
}
