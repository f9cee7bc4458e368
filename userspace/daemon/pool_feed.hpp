// SPDX-License-Identifier: MIT
//
// The WorkFeed the mining loop reads, over the pools. The pool manager and its job source
// live on the daemon's I/O thread; the mining loop on its own. Each chain's next work is
// made ahead on the I/O thread (at once for every chain when the job changes, and again
// each time a chain takes its work), so the mining loop takes it under a mutex without
// waiting; only a chain's first ask is a round trip (bounded, so a stopping daemon never
// hangs the loop). Each work comes with its job's pool difficulty, so a nonce that meets
// only the chips' ticket (nearly all of them) is counted on the mining thread and never
// crosses threads; the rest, possible shares, are posted there without waiting and
// checked again in full by the share book. The generation is an
// atomic the I/O thread stores once every chain's work for it is ready, and on_change
// tells the mining loop at that moment, so a clean job is not left waiting for a poll
// to time out.
#pragma once

#include "log.hpp"
#include "work_feed.hpp"

#include <hashboardd/stratum/job_source.hpp>
#include <hashboardd/stratum/pool_manager.hpp>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

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
	// Called on the I/O thread once a new generation's work is ready (the daemon wakes
	// the mining loop). Set before the pools start.
	void on_change(std::function<void()> fn) { on_change_ = std::move(fn); }
	// From now on next_work() answers nullopt at once: the daemon is stopping.
	void close() { closed_.store(true); }

	FeedCounters counters() const;
	std::optional<double> share_difficulty() const override { return last_difficulty_; }
	// Makes the next work of every chain whose ready work next_work() took, in one
	// handler on the I/O thread.
	void sent() override;

private:
	struct Made {
		hashboard::Work work;
		double share_difficulty; // its job's; 0 when unknown (every nonce is posted)
	};
	struct Ready {
		std::uint64_t generation;
		Made made;
	};
	// On the I/O thread: chain's next work, made now.
	void prepare(unsigned chain_id);
	std::optional<Made> make(unsigned chain_id);
	std::optional<Made> ask(unsigned chain_id);
	// On the mining thread: what the chains' nonces must meet to be worth posting.
	std::optional<hashboard::Work> hand_out(std::optional<Made> made);
	void count_below_target();

	boost::asio::io_context &io_;
	stratum::PoolManager &pools_;
	stratum::JobSource &jobs_;
	Log &log_;
	std::atomic<std::uint64_t> generation_{0};
	std::atomic<bool> has_job_{false};
	std::atomic<bool> closed_{false};
	std::function<void()> on_change_;
	std::mutex ready_mu_;
	// Every chain that has asked, with its next work (none while its share of the job's
	// extranonce2 space is used up).
	std::map<unsigned, std::optional<Ready>> ready_;
	mutable std::mutex counters_mu_;
	FeedCounters counters_;
	// Mining thread only: recent work ids and their share difficulty, as many as the job
	// source remembers (JobSource::max_works; older work is stale there anyway).
	std::map<std::uint64_t, double> share_difficulty_;
	std::deque<std::uint64_t> handed_out_;
	std::optional<double> last_difficulty_;
	// Mining thread only: chains whose ready work was taken since the last sent().
	std::vector<unsigned> taken_;
};

} // namespace hashboardd
