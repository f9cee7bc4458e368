// SPDX-License-Identifier: MIT
//
// The seam between the daemon's mining loop and the pools: work for chain i from the
// active pool's newest job (extranonce2 from the ExtranonceSplit, so no two chains and no
// two work units hash the same coinbase), and a found nonce back to a share for the pool
// that gave the work. The work id -> (pool, job, extranonce2) map is bounded: work older
// than the last max_works units is forgotten, and a nonce for it counts as stale.
// Call on the PoolManager's io_context thread, like the manager.
#pragma once

#include <hashboardd/stratum/extranonce_split.hpp>
#include <hashboardd/stratum/pool_manager.hpp>

#include <hashboard/work.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <tuple>

namespace hashboardd::stratum {

class JobSource {
public:
	JobSource(PoolManager &pools, unsigned chains, std::size_t max_works = 4096);

	// nullopt when no pool is alive (the boards idle) or chain's extranonce2 share of the
	// job is used up (wait for the next job).
	std::optional<hashboard::Work> next_work(unsigned chain);
	// Bumps whenever the job that next_work() hands out changes; clean() tells whether
	// the change made all earlier work stale (the chains should drop it at once).
	std::uint64_t generation();
	bool clean() const { return clean_; }
	// A nonce a chain found on work_id with the version it hashed. Stale for a work id
	// that is unknown or forgotten.
	Offer on_nonce(std::uint64_t work_id, std::uint32_t nonce, std::uint32_t rolled_version);

	// The pool difficulty work_id's shares must meet (its job's, fixed when the job
	// came); nullopt for work unknown or forgotten.
	std::optional<double> share_difficulty(std::uint64_t work_id) const;

	std::size_t works_remembered() const { return works_.size(); }
	// Fixed at construction, so any thread may read it.
	std::size_t max_works() const { return max_works_; }
	unsigned chains() const { return chains_; }

private:
	struct Issued {
		PoolId pool = 0;
		JobPtr job;
		hashboard::Bytes extranonce2;
	};
	void follow();

	PoolManager &pools_;
	unsigned chains_;
	std::size_t max_works_;
	std::optional<PoolId> pool_;
	JobPtr job_; // the last job handed out (kept while idle, to resume its split)
	bool idle_ = true;
	ExtranonceSplit *split_ = nullptr;
	// Splits of recent jobs by (pool, epoch, serial): a job that comes back (failback to a
	// pool that resumed the session) goes on where it stopped instead of handing out the
	// same extranonce2 again. Bounded, oldest dropped first.
	using JobKey = std::tuple<PoolId, std::uint64_t, std::uint64_t>;
	std::map<JobKey, ExtranonceSplit> splits_;
	std::deque<JobKey> split_order_;
	std::uint64_t generation_ = 0;
	bool clean_ = false;
	std::uint64_t next_work_id_ = 1;
	std::map<std::uint64_t, Issued> works_;
	std::deque<std::uint64_t> order_;
};

} // namespace hashboardd::stratum
