// SPDX-License-Identifier: MIT
// The station on simulated boards: a healthy board passes every step, and each injected
// fault is reported by the step that should see it, with the chip, domain or device a
// repair technician must look at. Virtual time: each run takes a second or less.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "release_only.hpp"

#include <station/plan.hpp>
#include <station/runner.hpp>

#include <hashboard/board/board.hpp>
#include <hashboard/board/board_config.hpp>
#include <hashboard/board/sim_board.hpp>
#include <hashboard/config_file.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

using namespace station;

namespace station {
// Boost.Test prints verdicts by name.
std::ostream &operator<<(std::ostream &os, Verdict v)
{
	return os << verdict_name(v);
}
} // namespace station

namespace {

std::string board_text(const std::string &name)
{
	return hashboard::config::read_text_file(hbtest::boards_dir() / name, 1 << 20, "board");
}

RunResult run(const std::string &text, const TestPlan &plan = default_test_plan())
{
	const auto cfg = hashboard::parse_board_config(text, "test-board.toml");
	hashboard::VirtualClock clock;
	auto devices = std::make_shared<hashboard::SimDeviceFactory>(cfg, clock);
	hashboard::Board board(cfg, clock, devices);
	RunOptions o;
	o.serial = "T-1";
	o.simulated = true;
	RunResult r = run_test_plan(board, plan, o);
	for (const auto &s : r.steps) {
		BOOST_TEST_MESSAGE(s.name << ": " << verdict_name(s.verdict) << " " << s.measured);
		for (const auto &f : s.findings)
			BOOST_TEST_MESSAGE("    " << format_finding(f));
	}
	return r;
}

// The nano3-class board (one chain of 10 BM1368, domain "core") with a fault.
std::string nano3_with(const std::string &fault)
{
	return board_text("nano3-class-sim.toml") + "\n[[sim.fault]]\n" + fault + "\n";
}

const StepResult &step(const RunResult &r, StepKind kind)
{
	const auto it = std::find_if(r.steps.begin(), r.steps.end(),
	                             [&](const StepResult &s) { return s.kind == kind; });
	BOOST_TEST_REQUIRE((it != r.steps.end()));
	return *it;
}

const ChipResult &chip(const RunResult &r, unsigned chain, unsigned position)
{
	const auto it = std::find_if(r.chips.begin(), r.chips.end(), [&](const ChipResult &c) {
		return c.chain == chain && c.position == position;
	});
	BOOST_TEST_REQUIRE((it != r.chips.end()));
	return *it;
}

unsigned failed_chips(const RunResult &r)
{
	return unsigned(std::count_if(r.chips.begin(), r.chips.end(), [](const ChipResult &c) {
		return c.verdict == Verdict::fail;
	}));
}

} // namespace

BOOST_AUTO_TEST_CASE(a_healthy_nano3_class_board_passes_every_step)
{
	const RunResult r = run(board_text("nano3-class-sim.toml"));
	BOOST_TEST(r.verdict == Verdict::pass);
	BOOST_TEST(r.steps.size() == default_test_plan().steps.size());
	for (const auto &s : r.steps)
		BOOST_TEST((s.verdict == Verdict::pass), s.name << ": " << s.measured);
	BOOST_TEST(r.chips.size() == 10u);
	BOOST_TEST(failed_chips(r) == 0u);
	BOOST_TEST_REQUIRE(r.domains.size() == 1u);
	BOOST_TEST(r.domains[0].name == "core");
	BOOST_TEST(r.domains[0].chips == 10u);
	// Hashes credited over nominal: a healthy domain is within a few per cent.
	BOOST_TEST(r.domains[0].ghs / r.domains[0].nominal_ghs > 0.9);
	BOOST_TEST(r.domains[0].ghs / r.domains[0].nominal_ghs < 1.1);
	for (const auto &c : r.chips) {
		BOOST_TEST(c.domain == "core");
		BOOST_TEST(c.valid.value_or(0) >= c.min_valid);
		BOOST_TEST(c.expected >= PatternStep{}.min_expected);
		BOOST_TEST(c.chip_hashes.has_value());
	}
}

BOOST_AUTO_TEST_CASE(a_healthy_three_chain_board_passes_every_step)
{
	const RunResult r = run(board_text("hashboardd-sim.toml"));
	BOOST_TEST(r.verdict == Verdict::pass);
	for (const auto &s : r.steps)
		BOOST_TEST((s.verdict == Verdict::pass), s.name << ": " << s.measured);
	BOOST_TEST(r.chains.size() == 3u);
	BOOST_TEST(r.domains.size() == 3u);
}

// The one default plan serves every shipped board, its thresholds scaled from the board
// file; run on each board's simulated twin (hbctl test --sim). ~7 s in all.
BOOST_AUTO_TEST_CASE(every_shipped_board_passes_the_default_plan_on_its_twin,
                     *boost::unit_test::precondition(hbtest::release_only))
{
	unsigned boards = 0;
	for (const auto &e : std::filesystem::directory_iterator(hbtest::boards_dir())) {
		BOOST_TEST_CONTEXT(e.path().filename())
		{
			const RunResult r = run(board_text(e.path().filename().string()));
			BOOST_TEST(r.verdict == Verdict::pass);
			for (const auto &s : r.steps)
				BOOST_TEST((s.verdict == Verdict::pass),
				           s.name << ": " << s.measured);
			++boards;
		}
	}
	BOOST_TEST(boards >= 6u);
}

BOOST_AUTO_TEST_CASE(the_a15_class_plan_finishes_within_two_simulated_minutes,
                     *boost::unit_test::precondition(hbtest::release_only))
{
	const auto cfg = hashboard::parse_board_config(board_text("a15-class-sim.toml"), "a15");
	const TestPlan plan = load_test_plan(
	    hbtest::boards_dir().parent_path() / "plans" / "a15-class-sim.toml", cfg);
	const RunResult r = run(board_text("a15-class-sim.toml"), plan);
	BOOST_TEST(r.verdict == Verdict::pass);
	BOOST_TEST(r.chips.size() == 480u);
	BOOST_TEST(r.board_seconds < 120.0);
}

BOOST_AUTO_TEST_CASE(healthy_chips_show_their_cores_finding_nonces)
{
	TestPlan plan = default_test_plan();
	for (auto &s : plan.steps)
		s.pattern.min_core_fraction = 0.9;
	const RunResult r = run(board_text("nano3-class-sim.toml"), plan);
	BOOST_TEST(r.verdict == Verdict::pass);
	for (const auto &c : r.chips) {
		BOOST_TEST(c.cores > 0u);
		BOOST_TEST(c.cores_seen > 0u);
		BOOST_TEST(c.cores_seen <= c.cores);
	}
}

BOOST_AUTO_TEST_CASE(a_chip_with_dead_cores_fails_the_core_check)
{
	// 16 of the BM1368's 80 cores: its count alone (80 %) still passes.
	TestPlan plan = default_test_plan();
	for (auto &s : plan.steps)
		s.pattern.min_core_fraction = 0.9;
	const RunResult r =
	    run(nano3_with("type = \"dead_cores\"\nchain = 0\nposition = 2\ncores = 16"), plan);
	BOOST_TEST(r.verdict == Verdict::fail);
	const StepResult &p = step(r, StepKind::pattern);
	BOOST_TEST(p.verdict == Verdict::fail);
	BOOST_TEST_REQUIRE(p.findings.size() == 1u);
	BOOST_TEST(p.findings[0].position.value_or(999) == 2u);
	BOOST_TEST(p.findings[0].what.find("64 of 80 cores") == 0u, p.findings[0].what);
	BOOST_TEST(failed_chips(r) == 1u);
	const ChipResult &c = chip(r, 0, 2);
	BOOST_TEST(c.cores_seen == 64u);
	BOOST_TEST(double(*c.valid) > c.min_valid);
	// The default plan leaves cores alone: the same board passes.
	BOOST_TEST(
	    run(nano3_with("type = \"dead_cores\"\nchain = 0\nposition = 2\ncores = 16")).verdict ==
	    Verdict::pass);
}

namespace {

// One injected fault on the nano3-class board and where the station must put it.
struct FaultCase {
	const char *name;
	std::string fault; // the [[sim.fault]] table's keys
	StepKind step;     // the step that fails
	bool one_finding;  // exactly one finding (else at least one, all at the same place)
	std::optional<unsigned> position; // every finding's chip
	std::string domain;               // the first finding's domain
	std::string device;               // its device
	std::string what;                 // part of its text
	// Chips failed; unset where the physics decides (a weak chip at a lower voltage).
	std::optional<unsigned> failed_chips;
	// What else this fault must show.
	std::function<void(const RunResult &)> more = [](const RunResult &) {};
};

std::vector<FaultCase> fault_cases()
{
	return {
	    {"a dead chip is located by position and domain",
	     "type = \"dead_chip\"\nchain = 0\nposition = 6", StepKind::enumeration, true, 6u,
	     "core", "", "chain cut", 4,
	     [](const RunResult &r) {
		     BOOST_TEST(step(r, StepKind::enumeration).findings[0].cause.find("chip 6") !=
		                std::string::npos);
		     // The chips before the break still hash and pass; it and those after fail.
		     BOOST_TEST(step(r, StepKind::pattern).verdict == Verdict::pass);
		     for (unsigned p = 0; p < 10; ++p)
			     BOOST_TEST(
			         (chip(r, 0, p).verdict == (p < 6 ? Verdict::pass : Verdict::fail)),
			         "chip " << p);
	     }},
	    {"a mute chip is named alone", "type = \"mute_chip\"\nchain = 0\nposition = 3",
	     StepKind::enumeration, true, 3u, "core", "", "relays but never answers", 1,
	     [](const RunResult &r) {
		     BOOST_TEST(chip(r, 0, 3).verdict == Verdict::fail);
		     BOOST_TEST(!chip(r, 0, 3).answered);
	     }},
	    {"a weak chip fails on its error rate",
	     "type = \"weak_chip\"\nchain = 0\nposition = 4\nrate = 0.3", StepKind::pattern, false,
	     4u, "core", "", "", 1,
	     [](const RunResult &r) {
		     BOOST_TEST(step(r, StepKind::enumeration).verdict == Verdict::pass);
		     const ChipResult &c = chip(r, 0, 4);
		     BOOST_TEST(c.hw_error_rate() > 0.2);
		     BOOST_TEST(c.hw_error_rate() < 0.4);
		     // Its nonces all reached the host, wrong or not: the counters agree.
		     BOOST_TEST(step(r, StepKind::counters).verdict == Verdict::pass);
	     }},
	    {"a low domain voltage fails the supply step at its regulator",
	     "type = \"vout_droop\"\ndevice = \"vcore\"\nmv = 60", StepKind::supply, true,
	     std::nullopt, "core", "regulator vcore", "-60.0 mV", std::nullopt,
	     [](const RunResult &r) {
		     BOOST_TEST(step(r, StepKind::supply).findings[0].chain.value_or(999) == 0u);
	     }},
	    {"a broken sensor fails the sensor step and trips the pattern run",
	     "type = \"sensor_failure\"\ndevice = \"board\"", StepKind::sensors, true, std::nullopt,
	     "", "sensor board", "", 0,
	     [](const RunResult &r) {
		     // The supervisor stops the board without its only sensor: the chips are not
		     // blamed (failed_chips is 0).
		     BOOST_TEST(step(r, StepKind::pattern).verdict == Verdict::fail);
	     }},
	    {"a stalled fan fails the fan step by name", "type = \"fan_stall\"\ndevice = \"fan\"",
	     StepKind::fans, true, std::nullopt, "", "fan fan", "", 0},
	};
}

} // namespace

BOOST_AUTO_TEST_CASE(each_fault_is_reported_by_its_step_at_its_place)
{
	for (const FaultCase &c : fault_cases()) {
		BOOST_TEST_CONTEXT(c.name)
		{
			const RunResult r = run(nano3_with(c.fault));
			BOOST_TEST(r.verdict == Verdict::fail);
			const StepResult &s = step(r, c.step);
			BOOST_TEST(s.verdict == Verdict::fail);
			if (c.one_finding)
				BOOST_TEST_REQUIRE(s.findings.size() == 1u);
			else
				BOOST_TEST_REQUIRE(s.findings.size() >= 1u);
			const Finding &f = s.findings[0];
			for (const auto &each : s.findings)
				if (c.position)
					BOOST_TEST(each.position.value_or(999) == *c.position);
			BOOST_TEST(f.domain == c.domain);
			BOOST_TEST(f.device == c.device);
			BOOST_TEST(f.what.find(c.what) != std::string::npos, f.what);
			if (c.failed_chips)
				BOOST_TEST(failed_chips(r) == *c.failed_chips);
			c.more(r);
		}
	}
}

BOOST_AUTO_TEST_CASE(a_chain_whose_link_is_broken_fails_at_its_chain_and_the_others_are_tested)
{
	// hashboardd-sim: three chains of four; chain 1's link carries nothing.
	const RunResult r = run(board_text("hashboardd-sim.toml") +
	                        "\n[[sim.fault]]\ntype = \"broken_link\"\nchain = 1\n");
	BOOST_TEST(r.verdict == Verdict::fail);
	BOOST_TEST_REQUIRE(r.chains.size() == 3u);
	BOOST_TEST(r.chains[1].found == 0u);
	const StepResult &e = step(r, StepKind::enumeration);
	BOOST_TEST(e.verdict == Verdict::fail);
	BOOST_TEST(e.measured == "8 of 12 chips answer");
	BOOST_TEST_REQUIRE(e.findings.size() == 1u);
	const Finding &f = e.findings[0];
	BOOST_TEST(f.chain.value_or(999) == 1u);
	BOOST_TEST(f.position.value_or(999) == 0u);
	BOOST_TEST(f.what.find("no chip answers") != std::string::npos, f.what);
	BOOST_TEST(f.cause.find("the chain's link") != std::string::npos, f.cause);
	BOOST_TEST(f.cause.find("UART adapter") != std::string::npos, f.cause);
	// The other chains ran the whole plan: every chip hashed and passed.
	for (unsigned chain : {0u, 2u})
		for (unsigned p = 0; p < 4; ++p) {
			const ChipResult &c = chip(r, chain, p);
			BOOST_TEST((c.verdict == Verdict::pass),
			           "chain " << chain << " chip " << p);
			BOOST_TEST(c.valid.value_or(0) >= c.min_valid);
			BOOST_TEST(c.valid.value_or(0) > 0u);
		}
	for (unsigned p = 0; p < 4; ++p) {
		BOOST_TEST(chip(r, 1, p).verdict == Verdict::fail);
		BOOST_TEST(!chip(r, 1, p).answered);
	}
	BOOST_TEST(failed_chips(r) == 4u);
	// The devices are not blamed.
	for (StepKind k : {StepKind::supply, StepKind::sensors, StepKind::fans})
		BOOST_TEST(step(r, k).verdict == Verdict::pass);
}

BOOST_AUTO_TEST_CASE(a_regulator_fault_during_the_run_trips_it_and_names_the_regulator)
{
	// Power-up clears latched faults, as on hardware: this one latches mid-run.
	const RunResult r = run(nano3_with(
	    "type = \"regulator_fault\"\ndevice = \"vcore\"\nfault = \"IOUT_OC\"\nat_s = 25"));
	BOOST_TEST(r.verdict == Verdict::fail);
	BOOST_TEST(step(r, StepKind::supply).verdict == Verdict::pass);
	const StepResult &p = step(r, StepKind::pattern);
	BOOST_TEST(p.verdict == Verdict::fail);
	BOOST_TEST_REQUIRE(p.findings.size() >= 1u);
	BOOST_TEST(p.findings.back().device == "vcore");
	BOOST_TEST(p.findings.back().what.find("regulator_fault") != std::string::npos);
	BOOST_TEST(step(r, StepKind::counters).verdict == Verdict::skipped);
}

BOOST_AUTO_TEST_CASE(the_expected_count_is_poisson_with_a_noise_bound)
{
	// 2^40 hashes at ticket 8 are one nonce.
	BOOST_TEST(expected_nonces(1.0, std::ldexp(1.0, 40), 8) == 1.0);
	PatternStep p;
	// Many nonces: the fraction decides; few: the 4-sigma bound; never below one nonce.
	BOOST_TEST(min_valid_nonces(10000, p) == 5000);
	BOOST_TEST(min_valid_nonces(40, p) == std::floor(40 - 4 * std::sqrt(40.0)));
	BOOST_TEST(min_valid_nonces(2, p) == 1);
}
