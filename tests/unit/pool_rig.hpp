// SPDX-License-Identifier: MIT
// Shared by the pool tests: test pools and a PoolManager on one io_context on loopback,
// real sockets, short timeouts; a CPU "chain" that finds real shares on the work the
// JobSource hands out; run_until() with a generous limit (a hang fails, speed is never
// asserted).
#pragma once

#include "stratum_rig.hpp"

#include <hashboardd/stratum/job_source.hpp>
#include <hashboardd/stratum/pool_manager.hpp>

#include <hbpool/test_pool.hpp>

#include <hashboard/clock.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace pool_rig {

using namespace stratum_rig;
namespace asio = boost::asio;

// Low enough to find a share in a few thousand hashes.
inline constexpr double kDifficulty = 1e-6;

inline hbpool::TestPoolOptions pool_options()
{
	hbpool::TestPoolOptions o;
	o.notifies = {vector_notify()};
	o.difficulty = kDifficulty;
	return o;
}

inline PoolManagerOptions manager_options()
{
	PoolManagerOptions o;
	o.tick = 20ms;
	o.backoff_initial = 50ms;
	o.backoff_max = 200ms;
	o.connect_timeout = 2s;
	o.session.notify_timeout = 30s;
	o.session.submit_timeout = 30s;
	o.session.handshake_timeout = 2s;
	o.seed = 42;
	return o;
}

inline PoolConfig config_for(const hbpool::TestPool &pool, const std::string &user)
{
	PoolConfig c;
	c.url = pool.url();
	c.user = user;
	return c;
}

struct Net {
	asio::io_context io;
	hashboard::SteadyClock clock;

	bool run_until(const std::function<bool()> &done, std::chrono::seconds limit = 20s)
	{
		const auto deadline = std::chrono::steady_clock::now() + limit;
		while (!done()) {
			if (std::chrono::steady_clock::now() > deadline)
				return false;
			io.run_for(5ms);
			if (io.stopped())
				io.restart();
		}
		return true;
	}
	void run_for(std::chrono::milliseconds d)
	{
		const auto until = std::chrono::steady_clock::now() + d;
		run_until([&] { return std::chrono::steady_clock::now() >= until; });
	}
};

// New jobs every period on the pools it is given: a live pool's sign of life.
struct Heartbeat {
	asio::steady_timer timer;
	std::vector<hbpool::TestPool *> pools;
	std::chrono::milliseconds period;
	Heartbeat(asio::io_context &io, std::vector<hbpool::TestPool *> p,
	          std::chrono::milliseconds every = 100ms)
	    : timer(io), pools(std::move(p)), period(every)
	{
		arm();
	}
	void arm()
	{
		timer.expires_after(period);
		timer.async_wait([this](const boost::system::error_code &ec) {
			if (ec)
				return;
			for (auto *p : pools)
				p->new_job(false);
			arm();
		});
	}
};

struct Found {
	std::uint64_t work_id;
	std::uint32_t nonce;
	std::uint32_t version;
};

// A chain's worth of hashing on the CPU: n shares on fresh work for chain, found against
// the active job's target (the pool's difficulty), not yet handed to the source.
inline std::vector<Found> find_shares(JobSource &src, const PoolManager &m, unsigned chain,
                                      std::size_t n)
{
	std::vector<Found> out;
	const JobPtr job = m.current_job();
	BOOST_TEST_REQUIRE(job != nullptr);
	while (out.size() < n) {
		const auto w = src.next_work(chain);
		BOOST_TEST_REQUIRE(w.has_value());
		for (std::uint32_t nonce = 0; nonce < 200000 && out.size() < n; ++nonce) {
			const auto h =
			    hashboard::sha256::sha256d_header(w->header(nonce, w->version));
			if (hashboard::hash_meets(h, job->target))
				out.push_back({w->id, nonce, w->version});
		}
	}
	return out;
}

} // namespace pool_rig
