// SPDX-License-Identifier: MIT
// hashboardd's config file: every key read, every error at its file, line and key, and
// the whole-config checks that run after the command line's overrides.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "temp_dir.hpp"

#include <board_setup.hpp>
#include <command_line.hpp>
#include <config.hpp>
#include <hashboard/config_file.hpp>

#include <daemon.hpp>

#include <chrono>
#include <cstdlib>

using namespace hashboardd;
using namespace std::chrono_literals;

namespace {

const std::string kFull = R"(# a full config
[[pool]]
url = "stratum+tcp://pool.example:3333"
user = "me.worker1"
password = "secret"

[[pool]]
url = "stratum+ssl://backup.example:4443"
user = "me.worker1"
tls_verify = false

[board]
file = "boards/s19.toml"

[api]
listen = "127.0.0.1"
port = 4029
privileged_from = ["127.0.0.0/8", "10.0.0.0/8"]

[metrics]
port = 9100

[failover]
silent_after_s = 90
submit_timeout_s = 20
retry_min_s = 0.5
retry_max_s = 30
failback_after_s = 10

[mining]
frequency_mhz = 485
idle_after_no_pool_s = 45

[tuning]
mode = "heat"
heat_w = 900
fan_cap = 0.5
power_limit_w = 1200
temp_ceiling_c = 70
profile_dir = "profiles"
serial = "SN-0042"
apply_profile = false
tune_when_missing = true

[log]
level = "debug"
)";

struct Expect {
	std::string text;
	std::string needle; // the line the error must point at
	std::string key;    // the key it must name
	std::string what;   // a part of the message
};

PoolConfig pool(const std::string &url, const std::string &user)
{
	PoolConfig p;
	p.url = url;
	p.user = user;
	return p;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_full_config_is_read_key_by_key)
{
	const DaemonConfig c = parse_daemon_config(kFull, "/etc/hashboardd/hashboardd.toml");
	BOOST_TEST_REQUIRE(c.pools.size() == 2u);
	BOOST_TEST(c.pools[0].url == "stratum+tcp://pool.example:3333");
	BOOST_TEST(c.pools[0].password == "secret");
	BOOST_TEST(c.pools[0].tls_verify);
	BOOST_TEST(c.pools[1].password == "x"); // the usual placeholder when none is given
	BOOST_TEST(!c.pools[1].tls_verify);
	// A relative board file is relative to the config file.
	BOOST_TEST(c.board_file->string() == "/etc/hashboardd/boards/s19.toml");
	BOOST_TEST(c.api.listen == "127.0.0.1");
	BOOST_TEST(c.api.port == 4029);
	BOOST_TEST(c.api.privileged_from.size() == 2u);
	BOOST_TEST(c.api.privileged_from[1] == "10.0.0.0/8");
	BOOST_TEST(c.metrics.port == 9100);
	BOOST_TEST(c.metrics.listen == "0.0.0.0");
	BOOST_TEST((c.pool_policy.silent_after == 90s));
	BOOST_TEST((c.pool_policy.submit_timeout == 20s));
	BOOST_TEST((c.pool_policy.retry_min == 500ms));
	BOOST_TEST((c.pool_policy.retry_max == 30s));
	BOOST_TEST((c.pool_policy.failback_after == 10s));
	BOOST_TEST(*c.mining.frequency_mhz == 485.0);
	BOOST_TEST((c.mining.idle_after_no_pool == 45s));
	BOOST_TEST((c.log_level == LogLevel::debug));
	BOOST_TEST_REQUIRE(c.tuning.mode.has_value());
	BOOST_TEST((*c.tuning.mode == hashboard::TuneMode::heat));
	BOOST_TEST((c.tuning.goal.mode == hashboard::TuneMode::heat));
	BOOST_TEST(c.tuning.goal.heat_w == 900.0);
	BOOST_TEST(c.tuning.goal.fan_cap == 0.5);
	BOOST_TEST(c.tuning.goal.power_limit_w.value() == 1200.0);
	BOOST_TEST(c.tuning.goal.temp_ceiling_c.value() == 70.0);
	BOOST_TEST(c.tuning.profile_dir == "/etc/hashboardd/profiles"); // beside the file
	BOOST_TEST(c.tuning.serial == "SN-0042");
	BOOST_TEST(!c.tuning.apply_profile);
	BOOST_TEST(c.tuning.tune_when_missing);
	BOOST_CHECK_NO_THROW(validate(c));
}

BOOST_AUTO_TEST_CASE(defaults_are_the_documented_ones)
{
	const DaemonConfig c = parse_daemon_config("", "empty.toml");
	BOOST_TEST(c.pools.empty());
	BOOST_TEST(!c.board_file); // the built-in simulated board
	BOOST_TEST(c.api.port == 4028);
	BOOST_TEST(c.metrics.port == 9028);
	BOOST_TEST(c.api.privileged_from.size() == 2u); // loopback only
	BOOST_TEST((c.pool_policy.silent_after == 120s));
	BOOST_TEST((c.log_level == LogLevel::info));
	// Tuning off, a saved profile applied, no tune of the daemon's own.
	BOOST_TEST(!c.tuning.mode.has_value());
	BOOST_TEST(c.tuning.profile_dir.empty()); // the state directory's, at start
	BOOST_TEST(c.tuning.serial.empty());      // the board file's name, at start
	BOOST_TEST(c.tuning.apply_profile);
	BOOST_TEST(!c.tuning.tune_when_missing);
	const DaemonConfig off = parse_daemon_config("[tuning]\nmode = \"off\"\n", "off.toml");
	BOOST_TEST(!off.tuning.mode.has_value());
	const DaemonConfig fixed =
	    parse_daemon_config("[tuning]\nmode = \"fixed\"\nfixed_mhz = 480\n", "f.toml");
	BOOST_TEST((fixed.tuning.goal.mode == hashboard::TuneMode::fixed));
	BOOST_TEST(fixed.tuning.goal.fixed_mhz == 480.0);
}

BOOST_AUTO_TEST_CASE(the_default_profile_dir_and_serial_come_from_the_environment_and_board)
{
	const DaemonConfig c = parse_daemon_config("", "empty.toml");
	const auto board = open_board(std::nullopt);
	// The environment as it was, after: other cases may read it.
	const auto kept = [](const char *name) -> std::optional<std::string> {
		const char *v = std::getenv(name);
		return v ? std::optional<std::string>(v) : std::nullopt;
	};
	const auto state = kept("STATE_DIRECTORY"), xdg = kept("XDG_STATE_HOME");
	::setenv("STATE_DIRECTORY", "/var/lib/hashboardd:/var/lib/other", 1);
	const MiningOptions o = mining_options(c, *board.board);
	BOOST_TEST(o.tuning.profile_dir.string() == "/var/lib/hashboardd/profiles");
	BOOST_TEST(o.tuning.serial == "hashboardd-sim");
	BOOST_TEST(!o.tuning.goal.has_value());
	::unsetenv("STATE_DIRECTORY");
	::setenv("XDG_STATE_HOME", "/tmp/xdg-state", 1);
	BOOST_TEST(mining_options(c, *board.board).tuning.profile_dir.string() ==
	           "/tmp/xdg-state/hashboard/profiles");
	::unsetenv("XDG_STATE_HOME");
	if (state)
		::setenv("STATE_DIRECTORY", state->c_str(), 1);
	if (xdg)
		::setenv("XDG_STATE_HOME", xdg->c_str(), 1);
}

BOOST_AUTO_TEST_CASE(every_error_names_its_file_line_and_key)
{
	const std::vector<Expect> cases = {
	    {"[[pool]]\nurl = \"http://x:1\"\nuser = \"u\"\n", "url", "pool[0].url", "stratum+tcp"},
	    {"[[pool]]\nurl = \"stratum+tcp://pool.example\"\nuser = \"u\"\n", "url", "pool[0].url",
	     "port"},
	    {"[api]\nprivileged_from = [\"127.0.0.0/8\", \"10.0.0.0/33\"]\n", "privileged_from",
	     "api.privileged_from", ""},
	    {"[[pool]]\nurl = \"stratum+tcp://x:1\"\n", "[[pool]]", "pool[0].user", "missing"},
	    {"[[pool]]\nurl = \"stratum+tcp://x:1\"\nuser = \"u\"\nusr = \"v\"\n", "usr",
	     "pool[0].usr", ""},
	    {"[api]\nport = 70000\n", "port", "api.port", ""},
	    {"[api]\nport = \"4028\"\n", "port", "api.port", "integer"},
	    {"[metrics]\nenabled = 1\n", "enabled", "metrics.enabled", ""},
	    {"[failover]\nretry_min_s = 10\nretry_max_s = 5\n", "retry_max_s",
	     "failover.retry_max_s", "retry_min_s"},
	    {"[failover]\nsilent_after_s = nan\n", "silent_after_s", "failover.silent_after_s", ""},
	    {"[mining]\nfrequency_mhz = 1e300\n", "frequency_mhz", "mining.frequency_mhz", ""},
	    {"[log]\nlevel = \"loud\"\n", "level", "log.level", ""},
	    {"[board]\nfile = \"\"\n", "file", "board.file", "empty"},
	    {"[bored]\nfile = \"x\"\n", "[bored]", "bored", ""},
	    {"[tuning]\nmode = \"turbo\"\n", "mode", "tuning.mode", "unknown value 'turbo'"},
	    {"[tuning]\nmode = \"heat\"\n", "mode", "tuning.mode", "heat_w"},
	    {"[tuning]\nmode = \"fixed\"\n", "mode", "tuning.mode", "fixed_mhz"},
	    {"[tuning]\nmode = \"quiet\"\nheat_w = 0\n", "mode", "tuning.mode", "heat_w"},
	    {"[tuning]\npower_limit_w = -100\n", "power_limit_w", "tuning.power_limit_w",
	     "positive"},
	    {"[tuning]\npower_limit_w = nan\n", "power_limit_w", "tuning.power_limit_w", ""},
	    {"[tuning]\nmin_ths = -1\n", "min_ths", "tuning.min_ths", "TH/s"},
	    {"[tuning]\ntemp_ceiling_c = 200\n", "temp_ceiling_c", "tuning.temp_ceiling_c", "150"},
	    {"[tuning]\nheat_w = inf\n", "heat_w", "tuning.heat_w", ""},
	    {"[tuning]\nfan_cap = 0\n", "fan_cap", "tuning.fan_cap", "(0, 1]"},
	    {"[tuning]\nfan_cap = 1.5\n", "fan_cap", "tuning.fan_cap", "(0, 1]"},
	    {"[tuning]\nfixed_mhz = \"500\"\n", "fixed_mhz", "tuning.fixed_mhz", "number"},
	    {"[tuning]\nserial = \"../etc/passwd\"\n", "serial", "tuning.serial", "serial"},
	    {"[tuning]\nserial = \"\"\n", "serial", "tuning.serial", "serial"},
	    {"[tuning]\nprofile_dir = \"\"\n", "profile_dir", "tuning.profile_dir", "empty"},
	    {"[tuning]\napply_profile = \"yes\"\n", "apply_profile", "tuning.apply_profile", ""},
	    {"[tuning]\ntune_when_missing = true\n", "tune_when_missing",
	     "tuning.tune_when_missing", "mode"},
	    {"[tuning]\nmode = \"efficiency\"\ntarget = 3\n", "target", "tuning.target",
	     "unknown key"},
	};
	for (const auto &c : cases) {
		BOOST_TEST_CONTEXT(c.text)
		{
			try {
				parse_daemon_config(c.text, "cfg.toml");
				BOOST_ERROR("accepted");
			} catch (const hashboard::ConfigError &e) {
				BOOST_TEST(e.file() == "cfg.toml");
				BOOST_TEST(e.line() == hbtest::line_of(c.text, c.needle));
				BOOST_TEST(e.key() == c.key);
				BOOST_TEST(std::string(e.what()).find(c.what) != std::string::npos,
				           e.what());
			}
		}
	}
}

BOOST_AUTO_TEST_CASE(syntax_errors_and_hostile_bytes_are_refused_with_a_place)
{
	for (const std::string &text :
	     {std::string("[[pool]\n"), std::string("a = = 1\n"), std::string("x = \"\xff\xfe\"\n"),
	      std::string("\xc3\xa9 = 1\n")}) {
		try {
			parse_daemon_config(text, "cfg.toml");
			BOOST_ERROR("accepted");
		} catch (const hashboard::ConfigError &e) {
			BOOST_TEST(e.line() == 1u, e.what());
		}
	}
}

BOOST_AUTO_TEST_CASE(files_that_are_not_config_files_are_refused)
{
	hbtest::TempDir dir;
	BOOST_CHECK_THROW(load_daemon_config(dir.file("missing.toml")), hashboard::ConfigError);
	BOOST_CHECK_THROW(load_daemon_config(dir.path), hashboard::ConfigError);
	// An endless file stops at the size limit instead of filling memory.
	BOOST_CHECK_THROW(load_daemon_config("/dev/zero"), hashboard::ConfigError);
	const auto path =
	    dir.write("ok.toml", "[[pool]]\nurl = \"stratum+tcp://h:1\"\nuser = \"u\"\n");
	BOOST_TEST(load_daemon_config(path).pools.size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_whole_config_is_checked_after_the_overrides)
{
	DaemonConfig c;
	BOOST_CHECK_THROW(validate(c), std::invalid_argument); // no pool
	c.pools.push_back(pool("stratum+tcp://h:1", "u"));
	BOOST_CHECK_NO_THROW(validate(c));
	c.pools.push_back(pool("tcp://h:1", "u"));
	BOOST_CHECK_THROW(validate(c), std::invalid_argument);
	c.pools.pop_back();
	c.pools.push_back(pool("stratum+ssl://h:1", ""));
	BOOST_CHECK_THROW(validate(c), std::invalid_argument);
	c.pools.pop_back();
	c.metrics.port = c.api.port;
	BOOST_CHECK_THROW(validate(c), std::invalid_argument);
	c.metrics.enabled = false;
	BOOST_CHECK_NO_THROW(validate(c));
}

BOOST_AUTO_TEST_CASE(chain_transports_move_a_simulated_boards_chains_onto_links)
{
	const char *argv[] = {"hashboardd",
	                      "--pool",
	                      "stratum+tcp://h:1",
	                      "--user",
	                      "me.worker",
	                      "--chain-transport",
	                      "0=tty:/dev/pts/90",
	                      "--chain-transport",
	                      "2=tty:/dev/pts/92?reset=hbsim:/tmp/c2.ctl"};
	const auto parsed = parse_command_line(int(std::size(argv)), argv);
	BOOST_REQUIRE(parsed.line);
	const DaemonConfig c = effective_config(*parsed.line);
	BOOST_REQUIRE_EQUAL(c.chain_transports.size(), 2u);

	// The built-in board: its chains 0 and 2 on links, with the board's [sim] zero
	// bits (what hbsim --board serves); its devices still twins, so the linked twins.
	const hashboard::BoardConfig b = board_config(std::nullopt, c.chain_transports);
	BOOST_CHECK_EQUAL(b.chain(0).transport, "tty:/dev/pts/90");
	BOOST_CHECK_EQUAL(b.chain(1).transport, "sim");
	BOOST_CHECK_EQUAL(b.chain(2).transport, "tty:/dev/pts/92?reset=hbsim:/tmp/c2.ctl");
	BOOST_CHECK_EQUAL(b.chain(0).zero_bits, b.sim.zero_bits);
	BOOST_CHECK(!b.simulated());
	BOOST_CHECK(twins_only(b));
	BOOST_CHECK(board_config(std::nullopt).simulated());

	// "sim" keeps a chain in-process: the board stays all-simulated.
	BoardRig rig = open_board(std::nullopt, {"1=sim"});
	BOOST_CHECK(rig.simulated);
}

BOOST_AUTO_TEST_CASE(bad_chain_transports_are_refused_naming_the_argument)
{
	for (const std::vector<std::string> &bad : {std::vector<std::string>{"7=tty:/dev/pts/1"},
	                                            {"0=nosuch:/x"},
	                                            {"x=tty:/dev/pts/1"},
	                                            {"0"},
	                                            {"0="},
	                                            {"0=tty:/dev/pts/1", "0=tty:/dev/pts/2"}}) {
		try {
			board_config(std::nullopt, bad);
			BOOST_ERROR("accepted " + bad.front());
		} catch (const std::invalid_argument &e) {
			BOOST_CHECK_MESSAGE(std::string(e.what()).find("--chain-transport") !=
			                        std::string::npos,
			                    e.what());
		}
	}
}

BOOST_AUTO_TEST_CASE(log_levels_by_name)
{
	BOOST_TEST((parse_log_level("warning") == LogLevel::warning));
	BOOST_TEST(!parse_log_level("Warning"));
	BOOST_TEST(log_level_name(LogLevel::notice) == "notice");
}
