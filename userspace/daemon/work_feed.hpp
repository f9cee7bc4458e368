// SPDX-License-Identifier: MIT
//
// The seam between the pools and the mining loop. The mining loop runs on its own thread
// and asks for work per chain; the pools run on the daemon's I/O thread. A WorkFeed is
// safe to call from the mining thread while the pools change underneath it.
#pragma once

#include <hashboard/chain.hpp>
#include <hashboard/work.hpp>

#include <cstdint>
#include <optional>

namespace hashboardd {

class WorkFeed {
public:
	virtual ~WorkFeed() = default;

	// Work for one chain from the current job, each call a fresh part of the extranonce2
	// space (never the same header twice); nullopt when no pool has a job.
	virtual std::optional<hashboard::Work> next_work(unsigned chain_id) = 0;
	// A nonce the chain checked against its ticket (verdict valid): the feed checks it
	// against its job's pool target and submits it, or counts why not.
	virtual void found(unsigned chain_id, const hashboard::NonceEvent &event) = 0;
	// Changes whenever the chips' current work must be replaced at once (a clean_jobs
	// notify, a switch to another pool): the mining loop re-sends to every chain.
	virtual std::uint64_t generation() const = 0;
	// Mining thread, after the works next_work() gave have been sent: the feed may now
	// make the next ones (work made meanwhile would compete with the sending for the CPU).
	virtual void sent() {}
	// Mining thread: the pool difficulty of the work last handed out (nullopt before
	// any, or when the pool's is unknown). The chips' ticket must stay at or below it.
	virtual std::optional<double> share_difficulty() const { return std::nullopt; }
};

} // namespace hashboardd
