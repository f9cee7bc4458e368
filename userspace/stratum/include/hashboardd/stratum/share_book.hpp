// SPDX-License-Identifier: MIT
//
// The shares of one pool on their way out: each is checked against its job's share
// target by rebuilding the header (JobBuilder::header + SHA-256d) before it is queued,
// sent at most once (duplicates by (job, extranonce2, ntime, nonce, version bits) are
// refused), kept while the pool is away and sent when it is back if its job is still
// live, counted stale and dropped otherwise.
#pragma once

#include <hashboardd/stratum/job.hpp>
#include <hashboardd/stratum/session.hpp>

#include <hashboard/bytes.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace hashboardd::stratum {

struct Share {
	JobPtr job;
	hashboard::Bytes extranonce2;
	std::uint32_t nonce = 0;
	std::uint32_t rolled_version = 0; // the full version the chip hashed
	double difficulty = 0;            // filled by ShareBook::offer
};

enum class Offer {
	queued,       // checked, will be sent
	duplicate,    // the same share was offered before
	below_target, // its hash does not meet the job's share target
	stale,        // its job is no longer live
	bad_version,  // the rolled version leaves the job's mask
};
const char *offer_name(Offer o);

struct ShareCounters {
	std::uint64_t accepted = 0;
	std::uint64_t rejected = 0;
	std::uint64_t stale = 0; // refused as stale by the pool, or dropped before sending
	std::uint64_t duplicates = 0;
	std::uint64_t below_target = 0;
	std::uint64_t unanswered = 0; // sent, connection lost before the answer
	double difficulty_accepted = 0;
	double difficulty_rejected = 0;
	double difficulty_stale = 0;
	double last_share_difficulty = 0;
	std::optional<std::chrono::system_clock::time_point> last_share_time;
	double best_share = 0;
};

class ShareBook {
public:
	// Keys kept for duplicate detection at most; the oldest jobs' keys go first.
	explicit ShareBook(std::size_t max_keys = 1 << 16) : max_keys_(max_keys) {}

	// Checks and queues a share. Never throws on a bad share: the verdict says why.
	Offer offer(Share share);
	// Sends what is queued when the session is ready; drops (and counts) stale shares.
	// Returns how many were sent.
	std::size_t flush(Session &session, Duration now);
	// The pool's answer to a submit this book sent (other ids are ignored: false).
	bool
	on_result(const SubmitResult &result,
	          std::chrono::system_clock::time_point when = std::chrono::system_clock::now());
	// The connection dropped: its unanswered submits (Session::connection_lost()) are
	// not sent again (the pool may have them: a second copy is a duplicate to it).
	void on_connection_lost(const std::vector<std::uint64_t> &unanswered);
	// Drops every queued share (the pool was removed) and counts them stale.
	void drop_all();

	std::size_t queued() const { return queue_.size(); }
	std::size_t in_flight() const { return sent_.size(); }
	const ShareCounters &counters() const { return counters_; }

private:
	static std::string key_of(const Share &s);
	void remember(const Share &s, std::string key);

	std::size_t max_keys_;
	std::deque<Share> queue_;
	std::map<std::uint64_t, Share> sent_; // submit id -> share
	std::set<std::string> keys_;
	std::deque<std::string> key_order_; // oldest first, to bound keys_
	ShareCounters counters_;
};

} // namespace hashboardd::stratum
