// SPDX-License-Identifier: MIT
#include <hashboardd/stratum/share_book.hpp>

#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace hashboardd::stratum {

const char *offer_name(Offer o)
{
	switch (o) {
	case Offer::queued:
		return "queued";
	case Offer::duplicate:
		return "duplicate";
	case Offer::below_target:
		return "below target";
	case Offer::stale:
		return "stale";
	case Offer::bad_version:
		return "version outside the mask";
	}
	return "?";
}

std::string ShareBook::key_of(const Share &s)
{
	// What the pool sees (job, extranonce2, ntime, nonce, version bits) plus the epoch:
	// job ids repeat across pool sessions.
	const std::uint32_t mask = s.job->builder.version_mask();
	return fmt::format("{}/{}/{}/{:08x}/{:08x}/{:08x}", s.job->epoch, s.job->notify.job_id,
	                   hashboard::to_hex(s.extranonce2), s.job->builder.ntime(), s.nonce,
	                   s.rolled_version & mask);
}

void ShareBook::remember(const Share &s, std::string key)
{
	(void)s;
	keys_.insert(key);
	key_order_.push_back(std::move(key));
	while (key_order_.size() > max_keys_) {
		keys_.erase(key_order_.front());
		key_order_.pop_front();
	}
}

Offer ShareBook::offer(Share share)
{
	if (!share.job)
		return Offer::stale;
	const hashboard::JobBuilder &b = share.job->builder;
	if (share.extranonce2.size() != b.extranonce2_size())
		return Offer::below_target; // not a coinbase of this job: it cannot meet it
	if ((share.rolled_version & ~b.version_mask()) != (b.version() & ~b.version_mask()))
		return Offer::bad_version;
	// Rebuilt from the job, not taken from the chip's Work: a share the pool would
	// reject (a wrong merkle root, a version outside the mask) stops here.
	const auto header =
	    b.header(share.extranonce2, share.nonce,
	             hashboard::submit_version_bits(share.rolled_version, b.version_mask()));
	const hashboard::Hash256 hash = hashboard::sha256::sha256d_header(header);
	if (!hashboard::hash_meets(hash, share.job->target)) {
		++counters_.below_target;
		return Offer::below_target;
	}
	std::string key = key_of(share);
	if (keys_.count(key)) {
		++counters_.duplicates;
		return Offer::duplicate;
	}
	share.difficulty = hashboard::hash_difficulty(hash);
	remember(share, std::move(key));
	queue_.push_back(std::move(share));
	return Offer::queued;
}

std::size_t ShareBook::flush(Session &session, Duration now)
{
	if (!session.ready())
		return 0;
	std::size_t sent = 0;
	while (!queue_.empty()) {
		Share s = std::move(queue_.front());
		queue_.pop_front();
		if (!session.is_live(*s.job)) {
			++counters_.stale;
			counters_.difficulty_stale += s.job->difficulty;
			continue;
		}
		try {
			const std::uint64_t id =
			    session.submit(*s.job, s.extranonce2, s.nonce, s.rolled_version, now);
			sent_.emplace(id, std::move(s));
			++sent;
		} catch (const std::invalid_argument &) {
			// The live job's mask changed under it (set_version_mask): the pool would
			// refuse it, so it goes as stale.
			++counters_.stale;
			counters_.difficulty_stale += s.job->difficulty;
		}
	}
	return sent;
}

bool ShareBook::on_result(const SubmitResult &r, std::chrono::system_clock::time_point when)
{
	const auto it = sent_.find(r.id);
	if (it == sent_.end())
		return false;
	const Share &s = it->second;
	// Credit is the job's difficulty (what the pool pays), as cgminer counts it.
	const double d = s.job->difficulty;
	if (r.accepted) {
		++counters_.accepted;
		counters_.difficulty_accepted += d;
		counters_.last_share_difficulty = d;
		counters_.last_share_time = when;
		counters_.best_share = std::max(counters_.best_share, s.difficulty);
	} else if (r.code == 21) {
		++counters_.stale;
		counters_.difficulty_stale += d;
	} else {
		++counters_.rejected;
		counters_.difficulty_rejected += d;
	}
	sent_.erase(it);
	return true;
}

void ShareBook::on_connection_lost(const std::vector<std::uint64_t> &unanswered)
{
	for (const auto id : unanswered)
		if (sent_.erase(id))
			++counters_.unanswered;
}

void ShareBook::drop_all()
{
	for (const auto &s : queue_) {
		++counters_.stale;
		counters_.difficulty_stale += s.job->difficulty;
	}
	queue_.clear();
}

} // namespace hashboardd::stratum
