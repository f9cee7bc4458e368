// SPDX-License-Identifier: MIT
// The daemon put together, in-process, against test pools on loopback: the built-in
// simulated board (3 chains, real time) mines, every share the pools receive is checked
// there by rebuilding its header, and the daemon fails over when its pool drops or goes
// silent, fails back when it returns, and never sends a share twice. Real sockets and
// real time: each case waits for an outcome with a generous limit (a hang fails it),
// never for a speed.
#include <boost/test/unit_test.hpp>

#include "release_only.hpp"

#include "pool_rig.hpp"
#include "temp_dir.hpp"

#include <board_setup.hpp>
#include <daemon.hpp>
#include <hashboard/board/sim_board.hpp>
#include <log.hpp>

#include <cstdio>
#include <thread>

using namespace hashboardd;
using namespace std::chrono_literals;

namespace {

// Test pools on their own I/O thread, with a new job every 200 ms (a live pool's
// heartbeat), and the daemon on the built-in board.
struct DaemonRig {
	boost::asio::io_context pool_io;
	std::vector<std::unique_ptr<hbpool::TestPool>> pools;
	std::unique_ptr<pool_rig::Heartbeat> heartbeat;
	std::jthread pool_thread;
	std::FILE *log_file = std::tmpfile();
	Log log{LogLevel::debug, LogStyle::journal, log_file};
	BoardRig board;
	std::unique_ptr<Daemon> daemon;
	std::jthread daemon_thread;
	int exit_code = -1;

	explicit DaemonRig(unsigned n_pools, std::chrono::milliseconds silent_after = 30000ms,
	                   std::uint32_t version_mask = 0x1fffe000,
	                   const std::function<void(DaemonConfig &)> &tweak = {})
	{
		std::vector<hbpool::TestPool *> raw;
		for (unsigned i = 0; i < n_pools; ++i) {
			hbpool::TestPoolOptions o = pool_rig::pool_options();
			// The built-in board's chips report nonces of 6 + ticket-log2 zero bits.
			o.difficulty = 1.0 / (1 << 22);
			o.version_mask = version_mask;
			pools.push_back(std::make_unique<hbpool::TestPool>(pool_io, o));
			raw.push_back(pools.back().get());
		}
		heartbeat = std::make_unique<pool_rig::Heartbeat>(pool_io, raw, 200ms);
		pool_thread = std::jthread([this](std::stop_token stop) {
			while (!stop.stop_requested()) {
				pool_io.run_for(20ms);
				if (pool_io.stopped())
					pool_io.restart();
			}
		});
		DaemonConfig c;
		for (auto &p : pools) {
			PoolConfig pc;
			pc.url = p->url();
			pc.user = "me.worker";
			c.pools.push_back(pc);
		}
		c.api.enabled = false;
		c.metrics.enabled = false;
		c.pool_policy.silent_after = silent_after;
		c.pool_policy.retry_min = 100ms;
		c.pool_policy.retry_max = 500ms;
		c.pool_policy.failback_after = 300ms;
		if (tweak)
			tweak(c);
		board = open_board(std::nullopt);
		daemon = std::make_unique<Daemon>(c, board, log);
		daemon_thread = std::jthread([this] { exit_code = daemon->run(); });
	}
	~DaemonRig()
	{
		if (daemon_thread.joinable()) {
			daemon->stop();
			daemon_thread.join();
		}
		daemon.reset();
		pool_thread.request_stop();
		pool_thread.join();
		std::fclose(log_file);
	}

	// Pool counters are read on the pools' thread.
	hbpool::WorkerCounts counts(unsigned pool)
	{
		std::promise<hbpool::WorkerCounts> p;
		auto f = p.get_future();
		boost::asio::post(pool_io, [&] { p.set_value(pools.at(pool)->totals()); });
		return f.get();
	}
	template <typename Fn> void on_pools(Fn fn)
	{
		std::promise<void> p;
		auto f = p.get_future();
		boost::asio::post(pool_io, [&] {
			fn();
			p.set_value();
		});
		f.get();
	}
	bool wait_until(const std::function<bool()> &done, std::chrono::seconds limit = 60s)
	{
		const auto end = std::chrono::steady_clock::now() + limit;
		while (!done()) {
			if (std::chrono::steady_clock::now() > end)
				return false;
			std::this_thread::sleep_for(20ms);
		}
		return true;
	}
	std::string log_text()
	{
		std::fflush(log_file);
		std::rewind(log_file);
		std::string s;
		char buf[4096];
		while (std::size_t n = std::fread(buf, 1, sizeof buf, log_file))
			s.append(buf, n);
		return s;
	}
};

} // namespace

BOOST_AUTO_TEST_CASE(the_board_mines_shares_the_pool_accepts)
{
	DaemonRig r(1);
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(0).accepted >= 10; }), r.log_text());
	const auto c = r.counts(0);
	// Every submit was rebuilt into a header by the pool and met its target.
	BOOST_TEST(c.rejected == 0u);
	BOOST_TEST(c.duplicates == 0u);
	r.daemon->stop();
	r.daemon_thread.join();
	BOOST_TEST(r.exit_code == 0);
	// The board is powered down when the daemon stops.
	BOOST_TEST((r.board.board->state() == hashboard::BoardState::off));
	const auto feed = r.daemon->feed_counters();
	BOOST_TEST(feed.duplicates == 0u);
	BOOST_TEST(feed.queued >= 10u);
}

BOOST_AUTO_TEST_CASE(a_dropped_pool_fails_over_and_back)
{
	DaemonRig r(2);
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(0).accepted >= 3; }), r.log_text());
	BOOST_TEST(r.counts(1).accepted == 0u); // the backup gets nothing while the first is up
	r.on_pools([&] {
		r.pools[0]->set_listening(false);
		r.pools[0]->drop_all();
	});
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(1).accepted >= 3; }), r.log_text());
	const auto first_before = r.counts(0).accepted;
	r.on_pools([&] { r.pools[0]->set_listening(true); });
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(0).accepted >= first_before + 3; }),
	                   r.log_text());
	for (unsigned i : {0u, 1u}) {
		const auto c = r.counts(i);
		// Shares found on the first pool's work while it was away are kept and sent
		// when it returns; this test pool binds jobs to the connection that got them,
		// so it may call those stale. Nothing else may be refused.
		BOOST_TEST(c.rejected == c.stale, "pool " << i << ": stale " << c.stale << ", low "
		                                          << c.low_difficulty << ", other "
		                                          << c.other);
		BOOST_TEST(r.counts(i).duplicates == 0u, "pool " << i);
	}
	// The daemon's own count is the pools' (each accept answered once).
	const auto st = r.daemon->query_status();
	std::uint64_t accepted = 0;
	for (const auto &pool : st.pools)
		accepted += pool.accepted;
	BOOST_TEST(accepted <= r.counts(0).accepted + r.counts(1).accepted);
	BOOST_TEST(accepted + 4 >= r.counts(0).accepted + r.counts(1).accepted);
}

BOOST_AUTO_TEST_CASE(a_silent_pool_counts_as_dead)
{
	DaemonRig r(2, 1500ms);
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(0).accepted >= 3; }), r.log_text());
	// Connected, but no more jobs and no answers: the failure users report most.
	r.on_pools([&] {
		r.heartbeat->pools = {r.pools[1].get()};
		r.pools[0]->set_silent(true);
	});
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(1).accepted >= 3; }), r.log_text());
	BOOST_TEST(r.counts(1).rejected == 0u);
}

BOOST_AUTO_TEST_CASE(a_safety_trip_is_in_the_status_with_its_reason)
{
	DaemonRig r(1);
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(0).accepted >= 1; }), r.log_text());
	auto &sim = dynamic_cast<hashboard::SimDeviceFactory &>(*r.board.devices);
	r.daemon->run_on_board([&](hashboard::Board &) { sim.fan("fan").inject_stall(true); });
	BOOST_TEST_REQUIRE(
	    r.wait_until([&] { return r.daemon->query_status().safety.trip_reason.has_value(); }),
	    r.log_text());
	const DaemonStatus s = r.daemon->query_status();
	BOOST_TEST(s.safety.board_state == "tripped");
	BOOST_TEST(s.safety.trip_reason->find("fan") != std::string::npos, *s.safety.trip_reason);
	BOOST_TEST(r.log_text().find("<3>board tripped, in its safe state") != std::string::npos);
}

// Real time: a tune's windows under the sanitizers stretch past the waits.
BOOST_AUTO_TEST_CASE(
    an_online_tune_starts_when_asked_keeps_sending_shares_and_stops_with_the_daemon,
    *boost::unit_test::precondition(hbtest::release_only))
{
	hbtest::TempDir dir;
	DaemonRig r(1, 30000ms, 0x1fffe000,
	            [&](DaemonConfig &c) { c.tuning.profile_dir = dir.path; });
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(0).accepted >= 1; }), r.log_text());
	DaemonStatus s = r.daemon->query_status();
	BOOST_TEST(s.tuning.state == "off");
	BOOST_TEST(s.tuning.mode == "off");
	BOOST_TEST(s.tuning.profile_serial == "hashboardd-sim"); // the board file's name
	BOOST_TEST(r.log_text().find("no profile saved for hashboardd-sim") != std::string::npos);
	// Goals the tuner cannot use are refused before anything starts.
	BOOST_CHECK_THROW(r.daemon->tune("turbo", std::nullopt), ControlError);
	BOOST_CHECK_THROW(r.daemon->tune("", 5.0), ControlError);              // no mode yet
	BOOST_CHECK_THROW(r.daemon->tune("heat", std::nullopt), ControlError); // no heat_w
	BOOST_TEST(r.daemon->query_status().tuning.state == "off");

	r.daemon->tune("efficiency", 0.5);
	BOOST_TEST_REQUIRE(
	    r.wait_until([&] { return r.daemon->query_status().tuning.state == "tuning"; }, 20s),
	    r.log_text());
	s = r.daemon->query_status();
	BOOST_TEST(s.tuning.mode == "efficiency");
	BOOST_TEST(s.tuning.target.value() == 0.5);
	// The shares found while the tuner measures still reach the pool.
	const auto before = r.counts(0).accepted;
	BOOST_TEST(r.wait_until([&] { return r.counts(0).accepted >= before + 3; }, 15s),
	           r.log_text());
	BOOST_TEST(r.daemon->query_status().tuning.state == "tuning");
	r.daemon->stop();
	r.daemon_thread.join();
	BOOST_TEST(r.exit_code == 0);
	BOOST_TEST((r.board.board->state() == hashboard::BoardState::off));
	BOOST_TEST(r.log_text().find("tuning: stopped with the daemon") != std::string::npos,
	           r.log_text());
}

BOOST_AUTO_TEST_CASE(the_pools_version_mask_reaches_the_chips)
{
	// A pool that grants fewer bits than asked (BIP 310): the chips roll only those,
	// and the pool, which checks every submit's version bits, refuses none.
	constexpr std::uint32_t kMask = 0x1fe00000;
	DaemonRig r(1, 30000ms, kMask);
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(0).accepted >= 10; }), r.log_text());
	BOOST_TEST(r.counts(0).rejected == 0u);
	std::vector<std::uint32_t> masks;
	r.daemon->run_on_board([&](hashboard::Board &b) {
		for (unsigned id : b.chain_ids())
			masks.push_back(b.chain(id).version_mask());
	});
	BOOST_TEST_REQUIRE(masks.size() == 3u);
	for (const auto m : masks)
		BOOST_TEST(m == kMask);
	const auto st = r.daemon->query_status();
	BOOST_TEST(st.pools.at(0).version_rolling);
	BOOST_TEST(st.pools.at(0).version_mask == kMask);
}

BOOST_AUTO_TEST_CASE(with_every_pool_dead_the_board_idles_and_comes_back)
{
	DaemonRig r(1, 30000ms, 0x1fffe000,
	            [](DaemonConfig &c) { c.mining.idle_after_no_pool = 1s; });
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(0).accepted >= 1; }), r.log_text());
	r.on_pools([&] {
		r.pools[0]->set_listening(false);
		r.pools[0]->drop_all();
	});
	BOOST_TEST_REQUIRE(
	    r.wait_until([&] { return r.daemon->query_status().safety.idle_no_pool; }),
	    r.log_text());
	BOOST_TEST((r.board.board->state() == hashboard::BoardState::off));
	const auto before = r.counts(0).accepted;
	r.on_pools([&] { r.pools[0]->set_listening(true); });
	BOOST_TEST_REQUIRE(r.wait_until([&] { return r.counts(0).accepted > before; }),
	                   r.log_text());
	BOOST_TEST(!r.daemon->query_status().safety.idle_no_pool);
}
