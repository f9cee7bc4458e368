// SPDX-License-Identifier: MIT
// The built hbctl's board commands on the simulator: every shipped board comes up and
// powers down, the small ones mine, per-chip frequencies and per-domain voltages come
// from the command line, a trip is reported with its reason, bad arguments exit 2.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

fs::path boards_dir()
{
	return fs::path(HB_VECTORS_DIR).parent_path().parent_path() / "boards";
}

struct Result {
	int status = -1;
	std::string out;
	std::string err;
};

std::string slurp(const fs::path &p)
{
	std::ifstream in(p);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

// Runs hbctl with stdout and stderr in files (nothing to deadlock on) and waits.
Result hbctl(std::vector<std::string> args)
{
	const fs::path dir = fs::temp_directory_path();
	const std::string tag = std::to_string(::getpid());
	const fs::path out = dir / ("hb-board-out-" + tag), err = dir / ("hb-board-err-" + tag);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
	                                 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	args.insert(args.begin(), hbtest::hbctl_bin());
	std::vector<char *> argv;
	for (auto &a : args)
		argv.push_back(a.data());
	argv.push_back(nullptr);
	pid_t pid = -1;
	const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
	posix_spawn_file_actions_destroy(&actions);
	BOOST_TEST_REQUIRE(rc == 0, "cannot start " << argv[0]);
	int status = 0;
	BOOST_TEST_REQUIRE(::waitpid(pid, &status, 0) == pid);
	Result r;
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r.out = slurp(out);
	r.err = slurp(err);
	fs::remove(out);
	fs::remove(err);
	return r;
}

json::object run_json(std::vector<std::string> args, int expected_status = 0)
{
	args.push_back("--json");
	const Result r = hbctl(args);
	BOOST_TEST_REQUIRE(r.status == expected_status, r.err);
	return json::parse(r.out).as_object();
}

std::string board(const char *file)
{
	return (boards_dir() / file).string();
}

} // namespace

BOOST_AUTO_TEST_CASE(every_shipped_board_comes_up_and_powers_down)
{
	for (const char *file : {"bitaxe-bm1370.toml", "bm1366-12.toml", "s19kpro-bm1366.toml",
	                         "a15-class-sim.toml", "nano3-class-sim.toml"}) {
		BOOST_TEST_CONTEXT(file)
		{
			const auto o = run_json({"board", "up", "--board", board(file), "--sim"});
			BOOST_TEST(o.at("state").as_string() == "off");
			BOOST_TEST(o.at("simulated").as_bool());
			BOOST_TEST(o.at("trip").is_null());
			for (const auto &c : o.at("chains").as_array()) {
				const auto &chain = c.as_object();
				BOOST_TEST(chain.at("found").as_int64() ==
				           chain.at("expected").as_int64());
				BOOST_TEST(chain.at("break_after").is_null());
				BOOST_TEST(chain.at("max_mhz").as_double() > 400.0);
			}
			for (const auto &d : o.at("domains").as_array())
				BOOST_TEST(d.as_object().at("vout_mv").as_double() > 1000.0);
		}
	}
}

BOOST_AUTO_TEST_CASE(small_boards_mine)
{
	for (const char *file : {"bitaxe-bm1370.toml", "nano3-class-sim.toml", "bm1366-12.toml"}) {
		BOOST_TEST_CONTEXT(file)
		{
			const auto o = run_json(
			    {"board", "mine", "--board", board(file), "--sim", "--seconds", "1"});
			BOOST_TEST(o.at("trip").is_null());
			const auto &total = o.at("total").as_object();
			BOOST_TEST(total.at("valid").as_int64() > 0);
			BOOST_TEST(total.at("hw_errors").as_int64() == 0);
			for (const auto &c : o.at("chains").as_array())
				for (const auto &chip : c.as_object().at("chips").as_array())
					BOOST_TEST(chip.as_object().at("valid").as_int64() > 0);
		}
	}
}

BOOST_AUTO_TEST_CASE(chip_frequency_and_domain_voltage_from_the_command_line)
{
	const auto o =
	    run_json({"board", "up", "--board", board("bm1366-12.toml"), "--sim", "--chip-freq",
	              "0:3=400", "--domain-voltage", "d1=1250", "--domain-voltage", "d2=2000"});
	const auto &chips = o.at("chains").as_array().at(0).as_object().at("chips").as_array();
	BOOST_TEST(chips.at(3).as_object().at("mhz").as_double() == 400.0);
	BOOST_TEST(chips.at(2).as_object().at("mhz").as_double() == 485.0);
	const auto &domains = o.at("domains").as_array();
	BOOST_TEST(domains.at(1).as_object().at("vout_mv").as_double() == 1250.0);
	BOOST_TEST(domains.at(2).as_object().at("vout_mv").as_double() == 1350.0); // clamped
}

BOOST_AUTO_TEST_CASE(a_trip_is_reported_with_its_reason)
{
	const fs::path file =
	    fs::temp_directory_path() / ("hb-board-trip-" + std::to_string(::getpid()) + ".toml");
	std::ofstream(file)
	    << slurp(boards_dir() / "nano3-class-sim.toml")
	    << "\n[[sim.fault]]\ntype = \"fan_stall\"\ndevice = \"fan\"\nat_s = 8\n";
	const auto o = run_json({"board", "mine", "--board", file.string(), "--seconds", "10"}, 1);
	fs::remove(file);
	BOOST_TEST(o.at("state").as_string() == "tripped");
	BOOST_TEST_REQUIRE(o.at("trip").is_object());
	BOOST_TEST(o.at("trip").as_object().at("cause").as_string() == "fan_failure");
	BOOST_TEST(o.at("trip").as_object().at("device").as_string() == "fan");
	BOOST_TEST(o.at("domains").as_array().at(0).as_object().at("vout_mv").as_double() == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_arguments_exit_2_with_a_message)
{
	const std::string b = board("bm1366-12.toml");
	struct Case {
		std::vector<std::string> args;
		std::string message;
	};
	for (const Case &c :
	     {Case{{"board", "up", "--board", b, "--sim", "--chip-freq", "0:12=400"}, "chips 0-11"},
	      Case{{"board", "up", "--board", b, "--sim", "--chip-freq", "0:3x400"},
	           "CHAIN:POS=MHZ"},
	      Case{{"board", "up", "--board", b, "--sim", "--freq", "900"}, "limits"},
	      Case{{"board", "up", "--board", b, "--sim", "--domain-voltage", "d9=1200"}, "'d9'"},
	      Case{{"board", "up", "--board", "/nonexistent.toml", "--sim"}, "/nonexistent.toml"},
	      Case{{"board", "fly", "--board", b}, "fly"}}) {
		BOOST_TEST_CONTEXT(c.args.at(1) << " " << c.args.back())
		{
			const Result r = hbctl(c.args);
			BOOST_TEST(r.status == 2);
			BOOST_TEST(r.err.find(c.message) != std::string::npos, r.err);
		}
	}
}
