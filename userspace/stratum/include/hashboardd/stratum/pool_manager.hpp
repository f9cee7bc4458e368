// SPDX-License-Identifier: MIT
//
// The daemon's pools: an ordered list, one Session and one ShareBook per pool, failover
// to the next alive pool, failback to a preferred one when it recovers, reconnects with a
// bounded, jittered backoff, and dead-pool rules (a pool that stays connected but sends
// no job, or leaves submits unanswered, is dead). Runs on an io_context the daemon owns;
// every call is made on that io_context's thread (post to it from elsewhere).
//
// Which pools are connected: every enabled pool from the top of the order down to the
// active one (the first alive), so a preferred pool that recovers is noticed; when none is
// alive, all enabled pools are tried. A lower pool left behind by a failback is closed
// once its shares are answered.
#pragma once

#include <hashboardd/status.hpp>
#include <hashboardd/stratum/pool_connection.hpp>
#include <hashboardd/stratum/pool_url.hpp>
#include <hashboardd/stratum/session.hpp>
#include <hashboardd/stratum/share_book.hpp>

#include <hashboard/clock.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace hashboardd::stratum {

// Stable for a pool's life (indexes shift when a pool is removed).
using PoolId = std::uint64_t;

struct PoolConfig {
	std::string url; // stratum+tcp://host:port or stratum+ssl://host:port
	std::string user;
	std::string password = "x";
	bool tls_verify = true; // false only for self-signed test pools
	std::optional<std::string> ca_file;
};

struct PoolManagerOptions {
	// Template for every pool's session (user and password come from PoolConfig).
	SessionConfig session;
	Duration tick = std::chrono::milliseconds(200);
	Duration backoff_initial = std::chrono::seconds(1);
	Duration backoff_max = std::chrono::seconds(60);
	double backoff_jitter = 0.25; // +-25 %, so a farm does not reconnect in lockstep
	Duration connect_timeout = std::chrono::seconds(10);
	// A preferred pool that is back (ready, with a job) takes the work back only after it
	// has stayed up this long, so a flapping pool does not pull the board to and fro.
	// Failover to a lower pool when the active one dies is immediate.
	Duration failback_after = Duration::zero();
	std::uint64_t seed = 1; // the jitter's generator (tests fix it; the daemon seeds it)
	LineTap line_tap;       // every pool connection's lines (ConnectionOptions::tap)
};

class PoolManager {
public:
	struct Events {
		// The active pool changed (nullopt: none alive) or its job did.
		std::function<void(std::optional<PoolId>)> on_active;
		std::function<void(PoolId, const JobPtr &, bool clean)> on_job;
		std::function<void(PoolId, const std::string &)> on_log; // state changes, messages
	};

	PoolManager(boost::asio::io_context &io, const hashboard::Clock &clock,
	            PoolManagerOptions options, const std::vector<PoolConfig> &pools = {});
	~PoolManager();
	PoolManager(const PoolManager &) = delete;
	PoolManager &operator=(const PoolManager &) = delete;

	void set_events(Events events) { events_ = std::move(events); }
	void start();
	void stop(); // closes every connection; the manager can start() again

	// Run-time changes (the cgminer API's addpool, removepool, switchpool, enablepool,
	// disablepool). Indexes are those of status(). Each throws std::invalid_argument on a
	// bad index or URL.
	unsigned add_pool(const PoolConfig &pool);
	void remove_pool(unsigned index);
	void switch_pool(unsigned index); // to the top of the order
	void enable_pool(unsigned index);
	void disable_pool(unsigned index);

	std::vector<PoolStatus> status() const;
	std::size_t size() const { return pools_.size(); }
	std::optional<PoolId> active() const { return active_; }
	std::optional<unsigned> active_index() const;
	PoolId id_of(unsigned index) const;
	// The active pool's newest job (nullptr when no pool is alive).
	JobPtr current_job() const;
	// A found share for pool's job: checked, deduplicated, queued, sent when the pool is
	// up. Returns what the book said (stale for a pool that is gone).
	Offer submit(PoolId pool, Share share);
	// The pool's own session (tests and the daemon's log read it).
	const Session *session(PoolId pool) const;
	const ShareBook *book(PoolId pool) const;

	// One round of the rules (dead pools, reconnects, failback); the timer calls it
	// every options.tick, tests may call it directly.
	void tick();

private:
	struct Pool;
	class Listener;
	Pool *find(PoolId id) const;
	Pool &at(unsigned index) const;
	void connect(Pool &p);
	void drop(Pool &p, const std::string &reason, bool dead);
	void schedule_retry(Pool &p);
	void choose_active();
	void arm_timer();
	void log(const Pool &p, const std::string &text);

	boost::asio::io_context &io_;
	const hashboard::Clock &clock_;
	PoolManagerOptions options_;
	Events events_;
	std::vector<std::unique_ptr<Pool>> pools_; // in priority order
	std::optional<PoolId> active_;
	PoolId next_id_ = 1;
	std::mt19937_64 rng_;
	boost::asio::steady_timer timer_;
	bool running_ = false;
};

} // namespace hashboardd::stratum
