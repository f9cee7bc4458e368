// SPDX-License-Identifier: MIT
// The FPGA chip's RTL (Verilated, the simulator's "hbfp" chips) driven by the same HAL
// code as the simulated ASICs: in-process on sim:hbfp (virtual time), by the hbctl
// binary on it, and by hbctl over a pty to hbsim --family hbfp (real time). Every nonce
// the chips report is the RTL's own, re-checked by the HAL's SHA-256d checker. The
// ticket is 0x000000FF (zero_bits 8: the hash's top byte zero), so a chip at the
// simulator's 921.6 kHz clock finds one about every 16,640 clocks.
#include <boost/test/unit_test.hpp>

#include "release_only.hpp"

#include "child_process.hpp"
#include "hbctl_json.hpp"
#include "tool_run.hpp"

#include <hashboard/chain.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/clock.hpp>
#include <hashboard/transport.hpp>
#include <hashboard/work.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace hashboard;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr const char *kUri = "sim:hbfp?chips=2&zero_bits=8";

ChainConfig hbfp_config()
{
	ChainConfig cfg;
	cfg.family = &family_by_name("hbfp");
	cfg.expected_chips = 2;
	cfg.zero_bits = 8;
	cfg.ticket_log2 = 0;
	return cfg;
}

void check_scan(const ScanResult &scan)
{
	BOOST_TEST(scan.ok());
	BOOST_TEST(scan.found() == 2u);
	BOOST_TEST(scan.broadcast_replies == 2u);
	BOOST_TEST_REQUIRE(scan.chips.size() == 2u);
	for (unsigned i = 0; i < 2; ++i) {
		BOOST_TEST(scan.chips[i].answered);
		BOOST_TEST(scan.chips[i].chip_id == 0x1FA1);
		BOOST_TEST(scan.chips[i].core_byte == 2);     // the Verilated build's 2 lanes
		BOOST_TEST(scan.chips[i].address == i * 128); // 256 / chips apart
	}
}

json::object run_json(const std::vector<std::string> &args, Duration limit)
{
	const auto r = hbtest::run_hbctl_json(args, limit);
	BOOST_TEST(r.status == 0);
	return r.out;
}

void check_scan_json(const json::object &scan)
{
	BOOST_TEST(scan.at("found").as_int64() == 2);
	BOOST_TEST(scan.at("break_after").is_null());
	const auto &chips = scan.at("chips").as_array();
	BOOST_TEST_REQUIRE(chips.size() == 2u);
	for (std::size_t i = 0; i < 2; ++i) {
		BOOST_TEST(chips[i].as_object().at("chip_id").as_string() == "0x1fa1");
		BOOST_TEST(chips[i].as_object().at("address").as_int64() == std::int64_t(i * 128));
	}
}

// Every chip found nonces, all valid.
void check_mine_json(const json::object &mine)
{
	for (const auto &v : mine.at("chips").as_array()) {
		const auto &c = v.as_object();
		BOOST_TEST(c.at("nonces").as_int64() > 0,
		           "chip " << c.at("position") << " found nothing");
		BOOST_TEST(c.at("hw_errors").as_int64() == 0);
	}
	const auto &total = mine.at("total").as_object();
	BOOST_TEST(total.at("hw_errors").as_int64() == 0);
	BOOST_TEST(total.at("valid").as_int64() == total.at("nonces").as_int64());
}

} // namespace

BOOST_AUTO_TEST_CASE(scan_and_mine_in_process)
{
	VirtualClock clock;
	const auto t = open_transport(kUri, clock);
	Chain chain(*t, clock, hbfp_config());
	check_scan(chain.enumerate());
	// The ticket mask each chip holds is the HAL's 0x000000FF.
	for (const auto &[addr, v] : chain.read_register(std::nullopt, 0x14))
		BOOST_TEST(v == 0x000000FFu, "chip " << int(addr));

	SyntheticWorkSource work(1);
	chain.send_work(work.next());
	unsigned valid = 0, other = 0;
	std::vector<unsigned> per_chip(2, 0);
	const Duration end = clock.now() + 400ms;
	while (clock.now() < end)
		chain.poll(end - clock.now(), [&](const NonceEvent &e) {
			if (e.verdict != NonceVerdict::valid) {
				++other;
				return;
			}
			++valid;
			BOOST_TEST_REQUIRE(e.position.has_value());
			++per_chip[*e.position];
			// The RTL's nonce layout: chip address in bits 27..20 of the nonce word.
			BOOST_TEST(((__builtin_bswap32(e.nonce) >> 20) & 0xFF) ==
			           *e.position * 128);
			BOOST_TEST(hash_leading_zeros(e.hash) >= 8);
		});
	BOOST_TEST_MESSAGE("valid nonces: " << valid << " (chip 0 " << per_chip[0] << ", chip 1 "
	                                    << per_chip[1] << ")");
	BOOST_TEST(other == 0u);
	BOOST_TEST(per_chip[0] > 0u);
	BOOST_TEST(per_chip[1] > 0u);
	for (const auto &s : chain.chip_stats())
		BOOST_TEST(s.hw_errors == 0u);
}

BOOST_AUTO_TEST_CASE(hbctl_on_the_in_process_rtl)
{
	const std::vector<std::string> common{"--transport", kUri, "--json"};
	auto scan = common;
	scan.insert(scan.begin(), "scan");
	check_scan_json(run_json(scan, 60s));
	auto mine = common;
	mine.insert(mine.begin(), "mine");
	for (const char *a : {"--seconds", "0.4", "--baud", "115200"})
		mine.push_back(a);
	check_mine_json(run_json(mine, 120s));
}

// hbsim must keep real time for a pty host: the release build does (1.29 M chain clocks
// a second against the 0.92 M needed); a Debug+ASan build does not (docs/fpga.md).
BOOST_AUTO_TEST_CASE(hbctl_over_a_pty_to_hbsim,
                     *boost::unit_test::precondition(hbtest::release_only))
{
	hbtest::Child sim(
	    {hbtest::hbsim_bin(), "--json", "--family", "hbfp", "--chips", "2", "--pty"});
	const auto line = sim.read_line(10s);
	BOOST_TEST_REQUIRE(line.has_value(), "hbsim printed nothing");
	const auto info = json::parse(*line).as_object();
	BOOST_TEST(info.at("family").as_string() == "hbfp");
	const std::string uri = "tty:" + std::string(info.at("pty").as_string());
	const std::vector<std::string> common{"--transport", uri, "--family", "hbfp",
	                                      "--chips",     "2", "--json"};
	auto scan = common;
	scan.insert(scan.begin(), "scan");
	check_scan_json(run_json(scan, 30s));
	auto mine = common;
	mine.insert(mine.begin(), "mine");
	for (const char *a : {"--seconds", "2", "--zero-bits", "8", "--baud", "115200"})
		mine.push_back(a);
	check_mine_json(run_json(mine, 60s));
	BOOST_TEST(sim.terminate(5s) == 0);
}
