// SPDX-License-Identifier: MIT
// Every shipped board over ptys, in real time: hbsim --board serves each of the board's
// chains on its own pty, and the hbctl binary brings the board up with a per-chip
// frequency and a per-domain voltage from the command line, mines, and powers it down,
// its devices the simulator's twins (--sim-devices) and its chains on the ptys.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "hbsim_rig.hpp"
#include "hbtest.hpp"
#include "tool_run.hpp"

#include "transport/hbsim_control.hpp"

#include <hashboard/board/board_config.hpp>

#include <boost/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;
using hbtest::Child;

namespace {

using hbtest::boards_dir;

// Every board file that ships, so a new one is covered the day it is added.
std::vector<std::string> shipped_boards()
{
	std::vector<std::string> names;
	for (const auto &e : fs::directory_iterator(boards_dir()))
		if (e.path().extension() == ".toml")
			names.push_back(e.path().filename().string());
	std::sort(names.begin(), names.end());
	return names;
}

// Real time is the cost here: hbsim hashes 2^(zero_bits - 32) of the chips' nominal
// rate for real, on a machine that also runs hbctl and other tests. 4 zero bits for
// the big boards (hundreds of chips), 6 for the small ones, keeps hbsim well inside
// real time in a Debug+ASan build while every chip still reports nonces at its real
// rate and the host checks each one.
unsigned zero_bits_for(const hashboard::BoardConfig &cfg)
{
	return cfg.total_chips() > 64 ? 4 : 6;
}

struct PtyChain {
	unsigned id = 0;
	std::string pty;
	std::string control;
	std::string uri() const { return "tty:" + pty + "?reset=hbsim:" + control; }
};

// hbsim --board on ptys; the Child kills and reaps it on every path out of the test.
struct BoardSim {
	Child child;
	std::vector<PtyChain> chains;

	BoardSim(const fs::path &file, unsigned zero_bits)
	    : child({hbtest::hbsim_bin(), "--board", file.string(), "--pty", "--json",
	             "--zero-bits", std::to_string(zero_bits)})
	{
		const auto line = child.read_line(10s);
		BOOST_TEST_REQUIRE(line.has_value(), "hbsim printed nothing");
		const auto doc = json::parse(*line).as_object();
		for (const auto &v : doc.at("chains").as_array()) {
			const auto &c = v.as_object();
			chains.push_back({unsigned(c.at("id").as_int64()),
			                  std::string(c.at("pty").as_string()),
			                  std::string(c.at("control").as_string())});
			BOOST_TEST(c.at("zero_bits").as_int64() == std::int64_t(zero_bits));
		}
	}
};

// hbctl with stdout (and, when asked, stderr) read back; killed if it overruns.
hbtest::ToolRun hbctl(const std::vector<std::string> &args,
                      Child::Stderr err = Child::Stderr::inherit)
{
	return hbtest::run_hbctl(args, err, 120s);
}

using hbtest::hbsim_status;

const json::object &chain_by_id(const json::array &chains, unsigned id)
{
	for (const auto &v : chains)
		if (v.as_object().at("id").to_number<unsigned>() == id)
			return v.as_object();
	BOOST_FAIL("hbctl reported no chain " << id);
	throw std::logic_error("unreachable");
}

const json::object &domain_by_name(const json::array &domains, const std::string &name)
{
	for (const auto &v : domains)
		if (v.as_object().at("name").as_string() == name)
			return v.as_object();
	BOOST_FAIL("hbctl reported no domain " << name);
	throw std::logic_error("unreachable");
}

} // namespace

BOOST_DATA_TEST_CASE(board_mines_over_ptys, boost::unit_test::data::make(shipped_boards()), name)
{
	const fs::path file = boards_dir() / name;
	const auto cfg = hashboard::load_board_config(file);
#if defined(__SANITIZE_ADDRESS__)
	// Real time on ptys: an AddressSanitizer hbsim hashes 480 chips several times slower
	// than the release one and falls behind (it says so), so the first chip's reply misses
	// its timeout. The release tree runs every board; this tree the ones it keeps up with.
	if (cfg.total_chips() > 256) {
		BOOST_TEST_MESSAGE(name << ": not run under AddressSanitizer (" << cfg.total_chips()
		                        << " chips in real time)");
		return;
	}
#endif
	const unsigned zero_bits = zero_bits_for(cfg);
	BoardSim sim(file, zero_bits);
	BOOST_TEST_REQUIRE(sim.chains.size() == cfg.chains.size());

	// One chip of the last chain at its own frequency; the last domain at a voltage
	// inside every limit and off its regulator's default, so both show they were set.
	const auto &last_chain = cfg.chains.back();
	const unsigned tuned_chip = last_chain.chips - 1;
	const double tuned_mhz = 400;
	std::vector<std::string> args{"board",         "mine",   "--board",   file.string(),
	                              "--sim-devices", "--json", "--seconds", "1.5"};
	const auto add = [&](std::initializer_list<std::string> more) {
		args.insert(args.end(), more);
	};
	add({"--zero-bits", std::to_string(zero_bits)});
	// The default ramp (6.25 MHz per 100 ms) would take longer than the mining.
	add({"--ramp-step", "50", "--ramp-interval-ms", "5"});
	add({"--chip-freq", std::to_string(last_chain.id) + ":" + std::to_string(tuned_chip) + "=" +
	                        std::to_string(tuned_mhz)});
	BOOST_TEST_REQUIRE(!cfg.domains.empty(), "every shipped board has a voltage domain");
	const auto &domain = cfg.domains.back();
	const auto &regulator = cfg.regulator(domain.regulator);
	const double domain_mv = cfg.vout_limits(regulator).min_mv + 25;
	BOOST_TEST_REQUIRE(domain_mv != regulator.default_mv);
	add({"--domain-voltage", domain.name + "=" + std::to_string(domain_mv)});
	for (const auto &c : sim.chains)
		add({"--chain-transport", std::to_string(c.id) + "=" + c.uri()});

	const hbtest::ToolRun run = hbctl(args);
	BOOST_TEST_MESSAGE(name << ": hbctl exit " << run.status);
	BOOST_TEST_REQUIRE(run.status == 0, "hbctl board mine failed: " << run.out);
	const auto doc = json::parse(run.out).as_object();

	// Powered down at the end, nothing tripped, nothing warned about.
	BOOST_TEST(doc.at("state").as_string() == "off");
	BOOST_TEST(doc.at("trip").is_null());
	BOOST_TEST(!doc.at("simulated").as_bool()); // real time, on the ptys
	BOOST_TEST(doc.at("total").as_object().at("hw_errors").as_int64() == 0);

	const auto &chains = doc.at("chains").as_array();
	BOOST_TEST_REQUIRE(chains.size() == cfg.chains.size());
	for (const auto &pc : sim.chains) {
		BOOST_TEST_CONTEXT("chain " << pc.id)
		{
			const auto &c = chain_by_id(chains, pc.id);
			const auto &spec = cfg.chain(pc.id);
			// The chain really ran over its pty.
			BOOST_TEST(std::string(c.at("link").as_string()).find(pc.pty) !=
			           std::string::npos);
			BOOST_TEST(c.at("expected").as_int64() == std::int64_t(spec.chips));
			BOOST_TEST(c.at("found").as_int64() == std::int64_t(spec.chips));
			BOOST_TEST(c.at("break_after").is_null());
			BOOST_TEST(c.at("silent_positions").as_array().empty());
			BOOST_TEST(c.at("valid").as_int64() > 0);
			BOOST_TEST(c.at("hw_errors").as_int64() == 0);
			const auto &chips = c.at("chips").as_array();
			BOOST_TEST_REQUIRE(chips.size() == spec.chips);
			for (const auto &v : chips) {
				const auto &chip = v.as_object();
				const bool tuned = pc.id == last_chain.id &&
				                   chip.at("position").as_int64() == tuned_chip;
				BOOST_TEST(chip.at("answered").as_bool());
				BOOST_TEST(chip.at("mhz").as_double() ==
				               (tuned ? tuned_mhz : spec.frequency_mhz),
				           "chip " << chip.at("position"));
			}
		}
	}
	const auto &d = domain_by_name(doc.at("domains").as_array(), domain.name);
	BOOST_TEST(d.at("vout_mv").as_double() == domain_mv);

	// The power-down reached the simulated chains: the board asserted their reset
	// lines through hbsim's control sockets, and let go of the ptys.
	for (const auto &pc : sim.chains) {
		const std::string status = hbsim_status(pc.control);
		BOOST_TEST(status.find("reset=1") != std::string::npos, status);
		BOOST_TEST(status.find("host=0") != std::string::npos, status);
	}
	BOOST_TEST(sim.child.terminate(5s) == 0);
	for (const auto &pc : sim.chains) {
		struct stat st {};
		BOOST_TEST(::lstat(pc.control.c_str(), &st) != 0, pc.control << " left behind");
	}
}

BOOST_AUTO_TEST_CASE(bad_chain_transports_exit_2_with_a_message)
{
	const std::string b = (boards_dir() / "s19kpro-bm1366.toml").string();
	struct Case {
		std::vector<std::string> args;
		std::string message;
	};
	for (const Case &c : {
	         Case{{"--chain-transport", "7=tty:/dev/null"}, "has no chain 7"},
	         Case{{"--chain-transport", "0"}, "expected ID=URI"},
	         Case{{"--chain-transport", "x=tty:/dev/null"}, "not a whole number"},
	         Case{{"--chain-transport", "0=bogus:/dev/null"}, "unknown scheme"},
	         Case{{"--chain-transport", "0=tty:/dev/null", "--chain-transport",
	               "0=tty:/dev/zero"},
	              "given twice"},
	         Case{{"--sim", "--chain-transport", "0=tty:/dev/null"}, "excludes"},
	         Case{{"--zero-bits", "4"}, "requires --chain-transport"},
	     }) {
		BOOST_TEST_CONTEXT(c.args.at(1))
		{
			std::vector<std::string> args{"board", "up", "--board", b, "--sim-devices"};
			if (c.args.front() == "--sim")
				args.pop_back();
			args.insert(args.end(), c.args.begin(), c.args.end());
			const hbtest::ToolRun r = hbctl(args, Child::Stderr::capture);
			BOOST_TEST(r.status == 2);
			BOOST_TEST(r.out.find(c.message) != std::string::npos, r.out);
		}
	}
}
