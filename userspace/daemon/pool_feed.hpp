// SPDX-License-Identifier: MIT
//
// The WorkFeed the mining loop reads, over the pools. The pool manager and its job source
// live on the daemon's I/O thread; the mining loop on its own. Work is fetched by a
// round trip to the I/O thread (a few microseconds; bounded, so a stopping daemon never
// hangs the loop), found nonces are posted there without waiting, and the generation is
// an atomic the I/O thread updates on every job change, so the loop polls it for free.
#pragma once

#include "log.hpp"
#include "work_feed.hpp"

#include <hashboardd/stratum/job_source.hpp>
#include <hashboardd/stratum/pool_manager.hpp>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>

namespace hashboardd {

struct FeedCounters {
	std::uint64_t nonces = 0;       // valid nonces from the chains
	std::uint64_t queued = 0;       // shares checked and queued for their pool
	std::uint64_t below_target = 0; // met the chips' ticket, not the pool's target
	std::uint64_t duplicates = 0;
	std::uint64_t stale = 0;
	std::uint64_t bad_version = 0;
};

class PoolFeed final : public WorkFeed {
public:
	PoolFeed(boost::asio::io_context &io, stratum::PoolManager &pools, stratum::JobSource &jobs,
	         Log &log);

	std::optional<hashboard::Work> next_work(unsigned chain_id) override;
	void found(unsigned chain_id, const hashboard::NonceEvent &event) override;
	std::uint64_t generation() const override { return generation_.load(); }

	// On the I/O thread, whenever the pool manager reports a new job or active pool.
	void refresh();
	// From now on next_work() answers nullopt at once: the daemon is stopping.
	void close() { closed_.store(true); }

	FeedCounters counters() const;

private:
	boost::asio::io_context &io_;
	stratum::PoolManager &pools_;
	stratum::JobSource &jobs_;
	Log &log_;
	std::atomic<std::uint64_t> generation_{0};
	std::atomic<bool> has_job_{false};
	std::atomic<bool> closed_{false};
	mutable std::mutex counters_mu_;
	FeedCounters counters_;
};

} // namespace hashboardd
