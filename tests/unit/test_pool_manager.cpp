// SPDX-License-Identifier: MIT
// The pool manager against in-process test pools on loopback: failover when the first
// pool drops and when it goes silent, failback when it recovers, run-time changes, and no
// share lost or sent twice across a reconnect (the test pool counts).
#include <boost/test/unit_test.hpp>

#include "pool_rig.hpp"

#include <algorithm>

using namespace pool_rig;

namespace {

std::size_t submit_all(JobSource &src, const std::vector<Found> &shares)
{
	std::size_t queued = 0;
	for (const auto &f : shares)
		queued += src.on_nonce(f.work_id, f.nonce, f.version) == Offer::queued;
	return queued;
}

} // namespace

BOOST_AUTO_TEST_SUITE(pool_manager)

BOOST_AUTO_TEST_CASE(failback_waits_until_the_preferred_pool_has_stayed_up)
{
	Net net;
	hbpool::TestPool a(net.io, pool_options());
	hbpool::TestPool b(net.io, pool_options());
	auto options = manager_options();
	options.failback_after = 2s;
	PoolManager m(net.io, net.clock, options, {config_for(a, "wa"), config_for(b, "wb")});
	m.start();
	const PoolId ida = m.id_of(0);
	const PoolId idb = m.id_of(1);
	// Nothing active yet: the first usable pool takes the work at once.
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == ida; }));
	a.set_listening(false);
	a.drop_all();
	// Failover is immediate.
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == idb; }));
	a.set_listening(true);
	BOOST_TEST_REQUIRE(net.run_until([&] {
		return m.status()[0].state == hashboardd::PoolState::alive && m.current_job() &&
		       m.session(ida)->current_job();
	}));
	const auto back = std::chrono::steady_clock::now();
	// A is up again, B keeps the work until A has stayed up for failback_after.
	BOOST_TEST((m.active() == idb));
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == ida; }));
	BOOST_TEST((std::chrono::steady_clock::now() - back >= 1s));
}

BOOST_AUTO_TEST_CASE(failover_when_the_first_pool_drops_and_failback_when_it_returns)
{
	Net net;
	hbpool::TestPool a(net.io, pool_options());
	hbpool::TestPool b(net.io, pool_options());
	PoolManager m(net.io, net.clock, manager_options(),
	              {config_for(a, "wa"), config_for(b, "wb")});
	JobSource src(m, 2);
	m.start();
	const PoolId ida = m.id_of(0);
	const PoolId idb = m.id_of(1);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == ida; }));
	BOOST_TEST(submit_all(src, find_shares(src, m, 0, 3)) == 3u);
	BOOST_TEST_REQUIRE(net.run_until([&] { return a.counts("wa").accepted == 3; }));
	// B is not kept connected while A, preferred, is alive.
	BOOST_TEST_REQUIRE(net.run_until([&] { return b.connections() == 0; }));

	// A goes down: its connection drops and it refuses new ones.
	a.set_listening(false);
	a.drop_all();
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == idb; }));
	const auto st = m.status();
	BOOST_TEST((st[0].state != hashboardd::PoolState::alive));
	BOOST_TEST(st[0].remote_failures >= 1u);
	BOOST_TEST(st[1].active);
	BOOST_TEST(submit_all(src, find_shares(src, m, 1, 3)) == 3u);
	BOOST_TEST_REQUIRE(net.run_until([&] { return b.counts("wb").accepted == 3; }));

	// A is back: the manager notices (it keeps retrying with backoff) and fails back;
	// B is closed once its shares are answered.
	a.set_listening(true);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == ida; }));
	BOOST_TEST_REQUIRE(net.run_until([&] { return b.connections() == 0; }));
	BOOST_TEST(submit_all(src, find_shares(src, m, 0, 2)) == 2u);
	BOOST_TEST_REQUIRE(net.run_until([&] { return a.counts("wa").accepted == 5; }));
	// The pool counts before its answer reaches us.
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.status()[0].accepted == 5; }));

	for (const auto *p : {&a, &b}) {
		BOOST_TEST(p->totals().rejected == 0u);
		BOOST_TEST(p->totals().duplicates == 0u);
	}
	const auto end = m.status();
	BOOST_TEST(end[0].accepted == 5u);
	BOOST_TEST(end[1].accepted == 3u);
	BOOST_TEST(end[0].difficulty == kDifficulty);
	BOOST_TEST(end[0].difficulty_accepted == 5 * kDifficulty,
	           boost::test_tools::tolerance(1e-9));
	BOOST_TEST(end[0].version_rolling);
	BOOST_TEST(end[0].version_mask == 0x1fffe000u);
	BOOST_TEST(end[0].best_share >= kDifficulty);
	BOOST_TEST(end[0].works >= 1u);
}

BOOST_AUTO_TEST_CASE(a_silent_pool_counts_as_dead)
{
	Net net;
	hbpool::TestPool a(net.io, pool_options());
	hbpool::TestPool b(net.io, pool_options());
	auto o = manager_options();
	o.session.notify_timeout = 600ms;
	o.session.handshake_timeout = 600ms;
	PoolManager m(net.io, net.clock, o, {config_for(a, "wa"), config_for(b, "wb")});
	Heartbeat beat(net.io, {&a, &b});
	m.start();
	const PoolId ida = m.id_of(0);
	const PoolId idb = m.id_of(1);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == ida; }));
	// A keeps the connection but stops talking: no jobs, no answers.
	a.set_silent(true);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == idb; }));
	BOOST_TEST(m.status()[0].remote_failures >= 1u);
	// While silent, reconnects do not bring it back (the handshake goes unanswered).
	net.run_for(300ms);
	BOOST_TEST((m.active() == idb));
	a.set_silent(false);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == ida; }));
}

BOOST_AUTO_TEST_CASE(unanswered_submits_make_a_pool_dead)
{
	Net net;
	hbpool::TestPool a(net.io, pool_options());
	hbpool::TestPool b(net.io, pool_options());
	auto o = manager_options();
	o.session.submit_timeout = 300ms;
	PoolManager m(net.io, net.clock, o, {config_for(a, "wa"), config_for(b, "wb")});
	JobSource src(m, 1);
	m.start();
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == m.id_of(0); }));
	const auto shares = find_shares(src, m, 0, 1);
	a.set_silent(true);
	BOOST_TEST(submit_all(src, shares) == 1u);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == m.id_of(1); }));
	// Sent once, never answered: counted, not sent again (to either pool).
	BOOST_TEST(m.status()[0].remote_failures >= 1u);
	BOOST_TEST(a.totals().accepted + b.totals().accepted == 0u);
}

BOOST_AUTO_TEST_CASE(no_share_lost_or_sent_twice_across_a_reconnect)
{
	Net net;
	hbpool::TestPool pool(net.io, pool_options());
	PoolManager m(net.io, net.clock, manager_options(), {config_for(pool, "w")});
	JobSource src(m, 3);
	m.start();
	const PoolId id = m.id_of(0);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == id; }));
	const auto before = find_shares(src, m, 0, 4);
	BOOST_TEST(submit_all(src, before) == 4u);
	BOOST_TEST_REQUIRE(net.run_until([&] { return pool.counts("w").accepted == 4; }));
	// Work handed out before the drop; its shares are found while the pool is away.
	const auto later = find_shares(src, m, 1, 5);
	pool.set_listening(false);
	pool.drop_all();
	BOOST_TEST_REQUIRE(net.run_until([&] { return !m.active().has_value(); }));
	BOOST_TEST(submit_all(src, later) == 5u);
	// Found twice (a chip reporting a nonce again): refused here, never sent.
	BOOST_TEST((src.on_nonce(before[0].work_id, before[0].nonce, before[0].version) ==
	            Offer::duplicate));
	BOOST_TEST(
	    (src.on_nonce(later[0].work_id, later[0].nonce, later[0].version) == Offer::duplicate));
	BOOST_TEST(m.book(id)->queued() == 5u);
	BOOST_TEST(!src.next_work(0).has_value()); // no pool: the chains idle
	pool.set_listening(true);
	BOOST_TEST_REQUIRE(net.run_until([&] { return pool.counts("w").accepted == 9; }));
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.book(id)->counters().accepted == 9; }));
	BOOST_TEST(pool.resumes() >= 1u);
	BOOST_TEST(pool.counts("w").accepted == 9u);
	BOOST_TEST(pool.counts("w").duplicates == 0u);
	BOOST_TEST(pool.counts("w").rejected == 0u);
	BOOST_TEST(m.book(id)->counters().accepted == 9u);
	BOOST_TEST(m.book(id)->counters().stale == 0u);
	// After the resume the split goes on: new work does not repeat an extranonce2.
	const auto again = find_shares(src, m, 1, 1);
	BOOST_TEST(submit_all(src, again) == 1u);
	BOOST_TEST_REQUIRE(net.run_until([&] { return pool.counts("w").accepted == 10; }));
}

BOOST_AUTO_TEST_CASE(client_reconnect_to_the_same_host_only)
{
	Net net;
	hbpool::TestPool pool(net.io, pool_options());
	PoolManager m(net.io, net.clock, manager_options(), {config_for(pool, "w")});
	std::vector<std::string> log;
	m.set_events({{}, {}, [&](PoolId, const std::string &t) { log.push_back(t); }});
	JobSource src(m, 1);
	m.start();
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active().has_value(); }));
	// Another host: refused, the connection stays.
	pool.send_reconnect("pool.elsewhere.example", pool.port(), 0);
	BOOST_TEST_REQUIRE(net.run_until([&] {
		return std::any_of(log.begin(), log.end(), [](const std::string &t) {
			return t.find("refused") != std::string::npos;
		});
	}));
	BOOST_TEST(pool.subscribes() == 1u);
	// The same host (empty = the one we use): reconnect, resumed; shares found before it
	// go after it.
	const auto shares = find_shares(src, m, 0, 2);
	pool.send_reconnect("", pool.port(), 0);
	BOOST_TEST_REQUIRE(net.run_until([&] { return pool.subscribes() == 2; }));
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active().has_value(); }));
	for (const auto &f : shares)
		BOOST_TEST((src.on_nonce(f.work_id, f.nonce, f.version) == Offer::queued));
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.status()[0].accepted == 2; }));
	BOOST_TEST(pool.resumes() == 1u);
	BOOST_TEST(pool.totals().rejected == 0u);
}

BOOST_AUTO_TEST_CASE(a_clean_job_makes_the_old_shares_stale)
{
	Net net;
	hbpool::TestPool pool(net.io, pool_options());
	PoolManager m(net.io, net.clock, manager_options(), {config_for(pool, "w")});
	JobSource src(m, 1);
	m.start();
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active().has_value(); }));
	const auto old = find_shares(src, m, 0, 2);
	const auto gen = src.generation();
	pool.new_job(true);
	BOOST_TEST_REQUIRE(net.run_until([&] { return src.generation() != gen; }));
	BOOST_TEST(src.clean());
	// The job is gone from the session: the book drops both and counts them.
	for (const auto &f : old)
		BOOST_TEST((src.on_nonce(f.work_id, f.nonce, f.version) == Offer::queued));
	net.run_for(100ms);
	BOOST_TEST(m.status()[0].stale == 2u);
	BOOST_TEST(m.status()[0].discarded >= 1u);
	BOOST_TEST(pool.totals().accepted + pool.totals().rejected == 0u);
	BOOST_TEST((src.on_nonce(999999, 1, 0x20000000) == Offer::stale));
}

BOOST_AUTO_TEST_CASE(pools_change_at_run_time)
{
	Net net;
	hbpool::TestPool a(net.io, pool_options());
	hbpool::TestPool b(net.io, pool_options());
	PoolManager m(net.io, net.clock, manager_options(), {config_for(a, "wa")});
	m.start();
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == m.id_of(0); }));
	BOOST_TEST(m.add_pool(config_for(b, "wb")) == 1u);
	const PoolId idb = m.id_of(1);
	m.switch_pool(1);
	BOOST_TEST(m.id_of(0) == idb);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == idb; }));
	BOOST_TEST_REQUIRE(net.run_until([&] { return a.connections() == 0; }));
	m.disable_pool(0);
	BOOST_TEST((m.status()[0].state == hashboardd::PoolState::disabled));
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == m.id_of(1); }));
	m.enable_pool(0);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active() == idb; }));
	m.remove_pool(0);
	BOOST_TEST(m.size() == 1u);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active().has_value(); }));
	BOOST_TEST(m.status()[0].user == "wa");
	BOOST_CHECK_THROW(m.remove_pool(5), std::invalid_argument);
	BOOST_CHECK_THROW(m.add_pool(PoolConfig{"http://x:1", "u", "p", true, {}}),
	                  std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(no_pool_alive_means_no_work_and_counted_failures)
{
	Net net;
	hbpool::TestPool a(net.io, pool_options());
	const std::string url = a.url();
	a.set_listening(false);
	PoolManager m(net.io, net.clock, manager_options(), {PoolConfig{url, "w", "x", true, {}}});
	JobSource src(m, 1);
	m.start();
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.status()[0].get_failures >= 3; }));
	BOOST_TEST(!m.active().has_value());
	BOOST_TEST(!src.next_work(0).has_value());
	a.set_listening(true);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active().has_value(); }));
	BOOST_TEST(src.next_work(0).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
