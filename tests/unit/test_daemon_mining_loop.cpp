// SPDX-License-Identifier: MIT
// hashboardd's mining loop on the built-in simulated board, in virtual time: every chain
// fed with work of its own, valid nonces handed back, a new generation re-sent to every
// chain at once, the board idled (powered down) while no pool has work and brought back
// when one does, commands run on the loop's thread, and a safety trip left in its safe
// state with the reason in the snapshot.
#include <boost/test/unit_test.hpp>

#include <board_setup.hpp>
#include <log.hpp>
#include <mining_loop.hpp>

#include "temp_dir.hpp"

#include <hashboard/board/sim_board.hpp>
#include <hashboard/nonce_checker.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>
#include <hashboard/tuning/profile.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <stop_token>

using namespace hashboardd;
using namespace std::chrono_literals;
using hashboard::Duration;

namespace {

// Work from the synthetic source, one header per call; records what went where.
class TestFeed final : public WorkFeed {
public:
	std::optional<hashboard::Work> next_work(unsigned chain_id) override
	{
		if (!has_work)
			return std::nullopt;
		hashboard::Work w = source.next();
		works[w.id] = {chain_id, w};
		per_chain[chain_id]++;
		return w;
	}
	void found(unsigned chain_id, const hashboard::NonceEvent &ev) override
	{
		nonces.push_back({chain_id, ev});
	}
	std::uint64_t generation() const override { return gen; }
	std::optional<double> share_difficulty() const override { return difficulty; }

	hashboard::SyntheticWorkSource source{5};
	std::optional<double> difficulty;
	bool has_work = true;
	std::uint64_t gen = 1;
	std::map<std::uint64_t, std::pair<unsigned, hashboard::Work>> works;
	std::map<unsigned, unsigned> per_chain;
	std::vector<std::pair<unsigned, hashboard::NonceEvent>> nonces;
};

struct LoopRig {
	BoardRig rig;
	hashboard::VirtualClock *clock;
	TestFeed feed;
	std::FILE *log_file = std::tmpfile();
	Log log{LogLevel::debug, LogStyle::journal, log_file};
	MiningOptions options;

	LoopRig()
	{
		auto c = std::make_unique<hashboard::VirtualClock>();
		clock = c.get();
		rig = open_board(hashboard::parse_board_config(builtin_board_toml(), "builtin"),
		                 std::move(c));
		options.idle_after_no_work = 2s;
	}
	~LoopRig() { std::fclose(log_file); }

	// Runs the loop until `until` returns true (checked every tick) or the time limit.
	void run(MiningLoop &loop, Duration limit, const std::function<bool()> &until = {})
	{
		std::stop_source stop;
		const Duration end = clock->now() + limit;
		loop_tick = [&] {
			if (clock->now() >= end || (until && until()))
				stop.request_stop();
		};
		loop.run(stop.get_token());
	}
	std::function<void()> loop_tick;
	std::map<unsigned, std::vector<double>> targets;

	MiningOptions with_tick()
	{
		MiningOptions o = options;
		o.on_tick = [this] {
			if (loop_tick)
				loop_tick();
		};
		return o;
	}
};

} // namespace

BOOST_AUTO_TEST_CASE(every_chain_mines_work_of_its_own_and_valid_nonces_come_back)
{
	LoopRig r;
	MiningLoop loop(*r.rig.board, r.feed, r.log, r.with_tick());
	r.run(loop, 20s, [&] { return r.feed.nonces.size() >= 60; });
	BOOST_TEST(r.feed.nonces.size() >= 60u);
	std::set<unsigned> chains;
	for (const auto &[chain, ev] : r.feed.nonces) {
		chains.insert(chain);
		BOOST_TEST((ev.verdict == hashboard::NonceVerdict::valid));
		// The nonce is for work that went to that very chain, and hashes as reported.
		const auto it = r.feed.works.find(ev.work_id);
		BOOST_TEST_REQUIRE((it != r.feed.works.end()));
		BOOST_TEST(it->second.first == chain);
		const auto hash = hashboard::sha256::sha256d_header(
		    it->second.second.header(ev.nonce, ev.version));
		BOOST_TEST((hash == ev.hash));
	}
	BOOST_TEST(chains.size() == 3u); // all three chains found nonces
	// No two chains were given the same header.
	std::set<hashboard::Hash256> roots;
	for (const auto &[id, w] : r.feed.works)
		BOOST_TEST(roots.insert(w.second.merkle_root).second);
	// The board is left powered down when the loop stops.
	BOOST_TEST((r.rig.board->state() == hashboard::BoardState::off));
	const auto snap = loop.snapshot();
	BOOST_TEST(snap.chains.size() == 3u);
	BOOST_TEST(snap.chains[0].chips.size() == 4u);
	// The built-in board's one sensor (on no chain, measuring the board) stands for every
	// chain's board temperature; no sensor reads the chips; each chain's domain is on
	// the one regulator.
	for (const auto &c : snap.chains) {
		BOOST_TEST_CONTEXT("chain " << c.id)
		{
			BOOST_TEST_REQUIRE(c.board_temp_c.has_value());
			BOOST_TEST_REQUIRE(snap.sensors.size() == 1u);
			BOOST_TEST(*c.board_temp_c == *snap.sensors[0].celsius);
			BOOST_TEST(!c.chip_temp_c.has_value());
			BOOST_TEST(c.voltage_mv.has_value());
		}
	}
}

BOOST_AUTO_TEST_CASE(a_new_generation_reaches_every_chain_at_once)
{
	LoopRig r;
	MiningLoop loop(*r.rig.board, r.feed, r.log, r.with_tick());
	std::map<unsigned, unsigned> before;
	bool bumped = false;
	Duration bumped_at{};
	r.run(loop, 10s, [&] {
		if (!bumped && r.feed.nonces.size() >= 5) {
			before = r.feed.per_chain;
			r.feed.gen++;
			bumped = true;
			bumped_at = r.clock->now();
			return false;
		}
		return bumped && r.clock->now() - bumped_at >= 5ms;
	});
	BOOST_TEST_REQUIRE(bumped);
	for (unsigned id : {0u, 1u, 2u})
		BOOST_TEST(r.feed.per_chain[id] == before[id] + 1, "chain " << id);
}

BOOST_AUTO_TEST_CASE(no_work_idles_the_board_and_work_brings_it_back)
{
	LoopRig r;
	MiningLoop loop(*r.rig.board, r.feed, r.log, r.with_tick());
	bool went_idle = false, came_back = false;
	r.run(loop, 30s, [&] {
		const auto snap = loop.snapshot();
		if (!went_idle && r.feed.nonces.size() >= 5)
			r.feed.has_work = false;
		if (!r.feed.has_work && snap.safety.idle_no_pool) {
			went_idle = true;
			BOOST_TEST((r.rig.board->state() == hashboard::BoardState::off));
			r.feed.has_work = true;
		}
		if (went_idle && !snap.safety.idle_no_pool &&
		    r.rig.board->state() == hashboard::BoardState::mining)
			came_back = true;
		return came_back;
	});
	BOOST_TEST(went_idle);
	BOOST_TEST(came_back);
}

BOOST_AUTO_TEST_CASE(posted_commands_run_on_the_loop_and_report_their_errors)
{
	LoopRig r;
	MiningLoop loop(*r.rig.board, r.feed, r.log, r.with_tick());
	std::future<void> ok, bad;
	r.run(loop, 10s, [&] {
		if (!ok.valid() && r.rig.board->state() == hashboard::BoardState::mining) {
			ok = loop.post([](hashboard::Board &b) { b.set_chain_frequency(1, 300); });
			bad =
			    loop.post([](hashboard::Board &b) { b.set_chain_frequency(1, 5000); });
			return false;
		}
		return ok.valid() && ok.wait_for(0s) == std::future_status::ready &&
		       bad.wait_for(0s) == std::future_status::ready;
	});
	BOOST_TEST_REQUIRE(ok.valid());
	BOOST_CHECK_NO_THROW(ok.get());
	BOOST_CHECK_THROW(bad.get(), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_trip_stays_in_the_safe_state_with_its_reason)
{
	LoopRig r;
	auto &sim = dynamic_cast<hashboard::SimDeviceFactory &>(*r.rig.devices);
	MiningLoop loop(*r.rig.board, r.feed, r.log, r.with_tick());
	bool tripped = false;
	r.run(loop, 20s, [&] {
		if (r.rig.board->state() == hashboard::BoardState::mining &&
		    r.feed.nonces.size() > 3)
			sim.fan("fan").inject_stall(true);
		const auto snap = loop.snapshot();
		tripped = snap.safety.trip_reason.has_value();
		return tripped;
	});
	BOOST_TEST_REQUIRE(tripped);
	const auto snap = loop.snapshot();
	BOOST_TEST(snap.safety.board_state == "tripped");
	BOOST_TEST(snap.safety.trip_reason->find("fan") != std::string::npos,
	           *snap.safety.trip_reason);
	BOOST_TEST((r.rig.board->state() == hashboard::BoardState::tripped));
}

namespace {

// The ticket the policy should pick for one chain: as few nonces as the rate asks, never
// above the pool difficulty, never below the link's rule (the bring-up's ticket).
unsigned expected_ticket(const hashboard::Board &board, const hashboard::ChainBringUp &r,
                         double rate, double difficulty)
{
	const hashboard::Chain &chain = board.chain(r.chain_id);
	double hashes = 0;
	unsigned chips = 0;
	for (const auto &chip : chain.chips())
		if (chip.answered) {
			hashes += chain.family().hashes_per_second(
			    chain.chip_frequencies_mhz().at(chip.position));
			++chips;
		}
	return std::max(
	    r.ticket_log2,
	    std::min(hashboard::ticket_log2_for_rate(hashes / chips, rate),
	             hashboard::ticket_log2_for_share(difficulty, chain.config().zero_bits)));
}

} // namespace

BOOST_AUTO_TEST_CASE(the_ticket_follows_the_nonce_rate_and_never_passes_the_pool_difficulty)
{
	// Pool difficulty far above the chips: the nonce rate decides. Then one just above
	// the link's ticket: the pool decides. Every nonce meets the ticket it was found at
	// (no hardware errors across the changes) and nonces keep coming.
	LoopRig r;
	r.options.nonces_per_chip_s = 2;
	r.feed.difficulty = 1e12;
	MiningLoop loop(*r.rig.board, r.feed, r.log, r.with_tick());
	std::map<unsigned, unsigned> at_high, wire;
	std::map<unsigned, unsigned> want_high;
	r.run(loop, 30s, [&] {
		if (r.rig.board->state() != hashboard::BoardState::mining)
			return false;
		for (const auto &c : r.rig.board->bring_up_report()) {
			wire[c.chain_id] = c.ticket_log2;
			at_high[c.chain_id] =
			    r.rig.board->chain(c.chain_id).ticket_difficulty_log2();
			want_high[c.chain_id] = expected_ticket(*r.rig.board, c, 2, 1e12);
		}
		return at_high == want_high && r.clock->now() > 3s;
	});
	BOOST_TEST_REQUIRE(!want_high.empty());
	for (const auto &[id, k] : want_high) {
		BOOST_TEST_CONTEXT("chain " << id)
		{
			BOOST_TEST(at_high[id] == k);
			// The rate asks for fewer nonces than the link carries: a higher ticket.
			BOOST_TEST(k > wire[id]);
		}
	}
	const auto high_snap = loop.snapshot();
	// The board's physics gives a few errors near a chip's stable frequency (well under
	// 1 %); a ticket checked wrongly across a change would flag a large share of them.
	std::uint64_t valid_high = 0;
	for (const auto &c : high_snap.chains)
		valid_high += c.valid;
	BOOST_TEST(high_snap.hw_errors * 50 <= valid_high);

	// A pool difficulty whose shares would be lost above the link's ticket + 1.
	const unsigned chain0 = want_high.begin()->first;
	const unsigned zb = r.rig.board->chain(chain0).config().zero_bits;
	const unsigned bound = wire[chain0] + 1;
	BOOST_TEST_REQUIRE(bound < want_high[chain0]);
	r.feed.difficulty = std::ldexp(1.0, int(bound + zb) - 32);
	BOOST_TEST(hashboard::ticket_log2_for_share(*r.feed.difficulty, zb) == bound);
	MiningLoop again(*r.rig.board, r.feed, r.log, r.with_tick());
	const std::size_t before = r.feed.nonces.size();
	unsigned at_low = 0;
	r.run(again, 30s, [&] {
		if (r.rig.board->state() != hashboard::BoardState::mining)
			return false;
		at_low = r.rig.board->chain(chain0).ticket_difficulty_log2();
		return at_low == bound && r.feed.nonces.size() > before + 20;
	});
	BOOST_TEST(at_low == bound);
	BOOST_TEST(r.feed.nonces.size() > before + 20);
	const auto low_snap = again.snapshot();
	std::uint64_t valid_low = 0;
	for (const auto &c : low_snap.chains)
		valid_low += c.valid;
	BOOST_TEST(low_snap.hw_errors * 50 <= valid_low);
	for (const auto &[chain, ev] : r.feed.nonces)
		BOOST_TEST((ev.verdict == hashboard::NonceVerdict::valid));
}

namespace {

// A profile for the built-in board: each chip a frequency of its own, below the board
// file's 400 MHz and above it, the rail above its default.
hashboard::TuneProfile sim_profile(const std::string &board = "hashboardd-sim")
{
	hashboard::TuneProfile p;
	p.serial = "sim-1";
	p.board = board;
	p.mode = hashboard::TuneMode::efficiency;
	p.goal.mode = p.mode;
	p.saved_at = "2026-12-04T12:00:00Z";
	p.rail_mv["vcore"] = 1300;
	for (unsigned c = 0; c < 3; ++c)
		p.chip_mhz[c] = {380.0 + c, 390.0 + c, 410.0 + c, 420.0 + c};
	p.hashrate_ths = 0.9;
	p.power_w = 30;
	p.j_per_th = 33.3;
	return p;
}

bool logged(const Log &log, const std::string &needle)
{
	const auto lines = log.recent();
	return std::any_of(lines.begin(), lines.end(), [&](const Log::Entry &e) {
		return e.text.find(needle) != std::string::npos;
	});
}

// Runs a loop with the profile directory until the board has mined for a second.
BoardSnapshot mine_with_profiles(LoopRig &r, const std::string &dir)
{
	r.options.tuning.profile_dir = dir;
	r.options.tuning.serial = "sim-1";
	MiningLoop loop(*r.rig.board, r.feed, r.log, r.with_tick());
	r.run(loop, 10s, [&] {
		if (r.rig.board->state() != hashboard::BoardState::mining || r.clock->now() < 1s)
			return false;
		for (unsigned c = 0; c < 3; ++c)
			r.targets[c] = r.rig.board->chip_targets(c);
		return true;
	});
	return loop.snapshot();
}

} // namespace

BOOST_AUTO_TEST_CASE(a_saved_profile_is_applied_at_bring_up)
{
	hbtest::TempDir dir;
	const auto p = sim_profile();
	hashboard::save_profile(hashboard::profile_path(dir.path, "sim-1"), p);
	LoopRig r;
	const BoardSnapshot snap = mine_with_profiles(r, dir.path);
	for (unsigned c = 0; c < 3; ++c)
		BOOST_TEST(r.targets[c] == p.chip_mhz.at(c), boost::test_tools::per_element());
	BOOST_TEST(snap.tuning.state == "applied");
	BOOST_TEST(snap.tuning.mode == "efficiency");
	BOOST_TEST(snap.tuning.profile_serial == "sim-1");
	BOOST_TEST(snap.tuning.j_per_th.value() == 33.3);
	// The regulator's read-back, a few mV off what was set.
	BOOST_TEST(std::abs(snap.chains.at(0).voltage_mv.value() - 1300) < 15,
	           "the profile's rail");
	BOOST_TEST(logged(r.log, "profile " + hashboard::profile_path(dir.path, "sim-1").string() +
	                             " applied"));
	BOOST_TEST(!r.feed.nonces.empty(), "mining at the profile's settings");
}

BOOST_AUTO_TEST_CASE(a_profile_for_another_board_or_unreadable_is_refused_and_mining_goes_on)
{
	hbtest::TempDir dir;
	hashboard::save_profile(hashboard::profile_path(dir.path, "sim-1"), sim_profile("s19-xp"));
	{
		LoopRig r;
		const BoardSnapshot snap = mine_with_profiles(r, dir.path);
		for (unsigned c = 0; c < 3; ++c)
			BOOST_TEST(r.targets[c] == std::vector<double>(4, 400.0),
			           boost::test_tools::per_element());
		BOOST_TEST(snap.tuning.state == "failed");
		BOOST_TEST(snap.tuning.error.find("s19-xp") != std::string::npos,
		           snap.tuning.error);
		BOOST_TEST(logged(r.log, "not applied: it is for board 's19-xp', this is "
		                         "'hashboardd-sim'"));
		BOOST_TEST(!r.feed.nonces.empty());
	}
	// A damaged file: its error text in the log, the board file's settings.
	std::ofstream(hashboard::profile_path(dir.path, "sim-1"))
	    << "serial = \"sim-1\"\nboard = 7\n";
	{
		LoopRig r;
		const BoardSnapshot snap = mine_with_profiles(r, dir.path);
		BOOST_TEST(r.targets[0] == std::vector<double>(4, 400.0),
		           boost::test_tools::per_element());
		BOOST_TEST(snap.tuning.state == "failed");
		BOOST_TEST(logged(r.log, "board"));
		BOOST_TEST(logged(r.log, "sim-1.toml:2"), "the file and line of the error");
	}
	// None saved: said once, nothing changed.
	{
		hbtest::TempDir empty;
		LoopRig r;
		const BoardSnapshot snap = mine_with_profiles(r, empty.path);
		BOOST_TEST(snap.tuning.state == "off");
		BOOST_TEST(logged(r.log, "no profile saved for sim-1"));
	}
}

BOOST_AUTO_TEST_CASE(an_online_tune_saves_its_profile_and_its_shares_reach_the_feed)
{
	hbtest::TempDir dir;
	LoopRig r;
	r.options.tuning.profile_dir = dir.path;
	r.options.tuning.serial = "sim-1";
	// A short tune: the search's windows and the settling cut down to seconds.
	r.options.tuning.tuner.min_window = 1s;
	r.options.tuning.tuner.max_window = 3s;
	r.options.tuning.tuner.window_nonces = 40;
	r.options.tuning.tuner.settle = 5s;
	r.options.tuning.tuner.time_budget = 120s;
	MiningLoop loop(*r.rig.board, r.feed, r.log, r.with_tick());
	hashboard::TuneGoal goal;
	goal.mode = hashboard::TuneMode::fixed;
	goal.fixed_mhz = 450;
	bool requested = false;
	std::size_t nonces_before = 0;
	std::string seen_states;
	r.run(loop, 300s, [&] {
		if (!requested && r.rig.board->state() == hashboard::BoardState::mining) {
			loop.request_tune(goal);
			requested = true;
			nonces_before = r.feed.nonces.size();
		}
		const auto state = loop.snapshot().tuning.state;
		if (seen_states.find(state) == std::string::npos)
			seen_states += state + " ";
		return state == "tuned" || state == "failed";
	});
	const BoardSnapshot snap = loop.snapshot();
	for (const auto &e : r.log.recent())
		if (e.text.starts_with("tuning"))
			BOOST_TEST_MESSAGE(e.text);
	BOOST_TEST_REQUIRE(snap.tuning.state == "tuned", snap.tuning.error);
	BOOST_TEST(seen_states.find("tuning") != std::string::npos, seen_states);
	BOOST_TEST(snap.tuning.mode == "fixed");
	BOOST_TEST(snap.tuning.target.value() == 450);
	BOOST_TEST(snap.tuning.hashrate_ths.value() > 0);
	BOOST_TEST(snap.tuning.power_w.value() > 0);
	const auto saved = hashboard::load_profile(hashboard::profile_path(dir.path, "sim-1"));
	BOOST_TEST(saved.board == "hashboardd-sim");
	BOOST_TEST((saved.mode == hashboard::TuneMode::fixed));
	BOOST_TEST(saved.chip_mhz.size() == 3u);
	BOOST_TEST(saved.j_per_th == *snap.tuning.j_per_th);
	BOOST_TEST(logged(r.log, "tuning: fixed tune started"));
	BOOST_TEST(logged(r.log, "saved to"));
	// While it measured, the chips' valid nonces still went to the pool's feed.
	BOOST_TEST(r.feed.nonces.size() > nonces_before + 10);
}
