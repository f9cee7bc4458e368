// SPDX-License-Identifier: MIT
// hbsim in its own process on a pty (and a unix socket), driven like hardware: by the
// codec through the tty transport (reset through hbsim's control socket), then by the
// hbctl binary.
#include <boost/test/unit_test.hpp>

#include "hbctl_json.hpp"
#include "hbsim_rig.hpp"
#include "temp_dir.hpp"
#include "tool_run.hpp"

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/transport.hpp>

#include <boost/json.hpp>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

using namespace hashboard;
using namespace std::chrono_literals;
namespace bm = hashboard::bm13xx;
namespace json = boost::json;

namespace {

using hbtest::Child;
using hbtest::host_seen;
using hbtest::read_chip_ids;
using hbtest::run_hbctl_json;
using Hbsim = hbtest::HbsimProcess;

bool path_exists(const std::string &path)
{
	struct stat st {};
	return ::lstat(path.c_str(), &st) == 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(codec_then_hbctl_on_one_hbsim)
{
	Hbsim sim;
	const auto &family = family_by_name("bm1366");

	{
		SteadyClock clock;
		const auto t = open_transport(sim.uri(), clock);
		BOOST_TEST(t->has_reset());
		BOOST_TEST(host_seen(sim.control, true));
		t->set_reset(true);
		clock.sleep_for(100ms);
		t->set_reset(false);
		clock.sleep_for(100ms);

		auto replies = read_chip_ids(*t, family);
		BOOST_TEST(replies.size() == 4u);
		for (const auto &r : replies)
			BOOST_TEST((r.value >> 16) == family.chip_id);

		// hbsim reads the host's baud off the pty: at a baud the chips do not talk,
		// nothing decodes; back at theirs, they answer again.
		t->set_baud(1'000'000);
		BOOST_TEST(read_chip_ids(*t, family).empty());
		t->set_baud(kResetHostBaud);
		BOOST_TEST(read_chip_ids(*t, family).size() == 4u);

		// Held in reset, the chain is silent.
		t->set_reset(true);
		BOOST_TEST(read_chip_ids(*t, family).empty());
		t->set_reset(false);
		BOOST_TEST(read_chip_ids(*t, family).size() == 4u);
	}
	// Closing the pty powers the chain off; the next host gets a fresh one.
	BOOST_TEST(host_seen(sim.control, false));

	const std::vector<std::string> common{"--transport", sim.uri(), "--family", "bm1366",
	                                      "--chips",     "4",       "--json"};
	auto scan_args = common;
	scan_args.insert(scan_args.begin(), "scan");
	const auto scan = run_hbctl_json(scan_args, 20s);
	BOOST_TEST(scan.status == 0);
	BOOST_TEST(scan.out.at("expected").as_int64() == 4);
	BOOST_TEST(scan.out.at("found").as_int64() == 4);
	BOOST_TEST(scan.out.at("break_after").is_null());
	const auto &chips = scan.out.at("chips").as_array();
	BOOST_TEST_REQUIRE(chips.size() == 4u);
	std::int64_t last_address = -1;
	for (std::size_t i = 0; i < chips.size(); ++i) {
		const auto &c = chips[i].as_object();
		BOOST_TEST(c.at("position").as_int64() == std::int64_t(i));
		BOOST_TEST(c.at("chip_id").as_string() == "0x1366");
		BOOST_TEST(c.at("address").as_int64() > last_address);
		last_address = c.at("address").as_int64();
	}

	// A quick PLL ramp keeps the run short; the ramp itself is the HAL's business.
	auto mine_args = common;
	mine_args.insert(mine_args.begin(), "mine");
	for (const char *a : {"--seconds", "3", "--zero-bits", "8", "--ramp-interval-ms", "5"})
		mine_args.push_back(a);
	const auto mine = run_hbctl_json(mine_args, 30s);
	BOOST_TEST(mine.status == 0);
	const auto &mined = mine.out.at("chips").as_array();
	BOOST_TEST_REQUIRE(mined.size() == 4u);
	std::int64_t nonces = 0;
	for (const auto &v : mined) {
		const auto &c = v.as_object();
		BOOST_TEST(c.at("nonces").as_int64() > 0,
		           "chip " << c.at("position") << " found nothing");
		BOOST_TEST(c.at("hw_errors").as_int64() == 0);
		nonces += c.at("nonces").as_int64();
	}
	const auto &total = mine.out.at("total").as_object();
	BOOST_TEST(total.at("nonces").as_int64() == nonces);
	BOOST_TEST(total.at("hw_errors").as_int64() == 0);
	BOOST_TEST(total.at("valid").as_int64() == nonces);

	// SIGTERM is a clean stop: exit 0, control socket removed.
	BOOST_TEST(sim.child.terminate(5s) == 0);
	BOOST_TEST(!path_exists(sim.control));
}

BOOST_AUTO_TEST_CASE(dead_chip_breaks_the_chain_for_hbctl)
{
	Hbsim sim({"--dead-chip", "2"});
	const auto scan = run_hbctl_json(
	    {"scan", "--transport", sim.uri(), "--family", "bm1366", "--chips", "4", "--json"},
	    20s);
	BOOST_TEST(scan.status == 1);
	BOOST_TEST(scan.out.at("found").as_int64() == 2);
	BOOST_TEST(scan.out.at("break_after").as_int64() == 2);
	BOOST_TEST(scan.out.at("chips").as_array().size() == 2u);
	BOOST_TEST(sim.child.terminate(5s) == 0);
}

BOOST_AUTO_TEST_CASE(hbctl_over_a_unix_socket)
{
	const hbtest::TempDir dir;
	const std::string path = dir.file("chain.sock");
	{
		Hbsim sim({"--control", dir.file("ctl.sock")}, path);
		BOOST_TEST(sim.link == path);
		const auto scan = run_hbctl_json({"scan", "--transport", sim.uri(), "--family",
		                                  "bm1366", "--chips", "4", "--json"},
		                                 20s);
		BOOST_TEST(scan.status == 0);
		BOOST_TEST(scan.out.at("found").as_int64() == 4);

		// The socket has no baud: hbsim keeps its end with the chips when hbctl
		// raises them to 1 MBd, so mining works the same as on the pty.
		const auto mine = run_hbctl_json(
		    {"mine", "--transport", sim.uri(), "--family", "bm1366", "--chips", "4",
		     "--json", "--seconds", "1", "--zero-bits", "8", "--ramp-interval-ms", "5"},
		    20s);
		BOOST_TEST(mine.status == 0);
		for (const auto &v : mine.out.at("chips").as_array()) {
			BOOST_TEST(v.at("nonces").as_int64() > 0);
			BOOST_TEST(v.at("hw_errors").as_int64() == 0);
		}
		BOOST_TEST(sim.child.terminate(5s) == 0);
	}
	BOOST_TEST(!path_exists(path));
	BOOST_TEST(!path_exists(dir.file("ctl.sock")));
}
