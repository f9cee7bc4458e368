// SPDX-License-Identifier: MIT
#include "pool_feed.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>
#include <vector>

namespace hashboardd {
namespace {

// How long the mining loop waits for the I/O thread to hand out work. The I/O thread
// only runs short handlers, so this is never reached while it is healthy; when it is
// (a stopping daemon), the loop sees "no work" instead of hanging.
constexpr auto kWorkWait = std::chrono::milliseconds(500);
// The mining thread's difficulty is a float computed from the same hash the share book
// compares with the integer target; a nonce within this margin of the line goes to the
// exact check rather than being judged here.
constexpr double kBelowTargetMargin = 0.999;

} // namespace

PoolFeed::PoolFeed(boost::asio::io_context &io, stratum::PoolManager &pools,
                   stratum::JobSource &jobs, Log &log)
    : io_(io), pools_(pools), jobs_(jobs), log_(log)
{
}

void PoolFeed::refresh()
{
	const std::uint64_t generation = jobs_.generation();
	has_job_.store(pools_.current_job() != nullptr);
	if (generation == generation_.load())
		return;
	std::vector<unsigned> chains;
	{
		std::lock_guard lock(ready_mu_);
		for (const auto &[id, ready] : ready_)
			chains.push_back(id);
	}
	for (unsigned id : chains)
		prepare(id);
	generation_.store(generation);
	if (on_change_)
		on_change_();
}

std::optional<PoolFeed::Made> PoolFeed::make(unsigned chain_id)
{
	auto work = jobs_.next_work(chain_id);
	if (!work)
		return std::nullopt;
	const double difficulty = jobs_.share_difficulty(work->id).value_or(0.0);
	return Made{*work, difficulty};
}

void PoolFeed::prepare(unsigned chain_id)
{
	auto made = make(chain_id);
	const std::uint64_t generation = jobs_.generation();
	std::lock_guard lock(ready_mu_);
	auto &slot = ready_[chain_id];
	if (made)
		slot = Ready{generation, *made};
	else
		slot.reset();
}

std::optional<hashboard::Work> PoolFeed::hand_out(std::optional<Made> made)
{
	if (!made)
		return std::nullopt;
	share_difficulty_[made->work.id] = made->share_difficulty;
	if (made->share_difficulty > 0)
		last_difficulty_ = made->share_difficulty;
	handed_out_.push_back(made->work.id);
	// As many as the job source remembers: a nonce for older work is stale there.
	while (handed_out_.size() > jobs_.max_works()) {
		share_difficulty_.erase(handed_out_.front());
		handed_out_.pop_front();
	}
	return made->work;
}

std::optional<hashboard::Work> PoolFeed::next_work(unsigned chain_id)
{
	if (closed_.load() || !has_job_.load())
		return std::nullopt;
	{
		std::unique_lock lock(ready_mu_);
		const auto it = ready_.find(chain_id);
		if (it != ready_.end() && it->second &&
		    it->second->generation == generation_.load()) {
			Made made = it->second->made;
			it->second.reset();
			lock.unlock();
			if (std::find(taken_.begin(), taken_.end(), chain_id) == taken_.end())
				taken_.push_back(chain_id);
			return hand_out(made);
		}
	}
	return hand_out(ask(chain_id));
}

void PoolFeed::sent()
{
	if (taken_.empty())
		return;
	boost::asio::post(io_, [this, chains = std::move(taken_)] {
		for (unsigned id : chains)
			prepare(id);
	});
	taken_.clear();
}

std::optional<PoolFeed::Made> PoolFeed::ask(unsigned chain_id)
{
	// Shared with the handler, which may run after a timed-out wait has given up.
	auto promise = std::make_shared<std::promise<std::optional<Made>>>();
	auto result = promise->get_future();
	boost::asio::post(io_, [this, promise, chain_id] {
		try {
			auto w = make(chain_id);
			refresh();
			prepare(chain_id); // from now on this chain's work is made ahead
			promise->set_value(w);
		} catch (...) {
			promise->set_exception(std::current_exception());
		}
	});
	if (result.wait_for(kWorkWait) != std::future_status::ready) {
		log_.warning(fmt::format("chain {}: no answer from the pools' thread in {} ms",
		                         chain_id, kWorkWait.count()));
		return std::nullopt;
	}
	return result.get();
}

void PoolFeed::count_below_target()
{
	std::lock_guard lock(counters_mu_);
	counters_.nonces++;
	counters_.below_target++;
}

void PoolFeed::found(unsigned chain_id, const hashboard::NonceEvent &event)
{
	const auto known = share_difficulty_.find(event.work_id);
	if (known != share_difficulty_.end() &&
	    event.difficulty < known->second * kBelowTargetMargin)
		return count_below_target();
	boost::asio::post(io_, [this, chain_id, work = event.work_id, nonce = event.nonce,
	                        version = event.version] {
		const stratum::Offer offer = jobs_.on_nonce(work, nonce, version);
		std::lock_guard lock(counters_mu_);
		counters_.nonces++;
		switch (offer) {
		case stratum::Offer::queued:
			counters_.queued++;
			break;
		case stratum::Offer::below_target:
			counters_.below_target++;
			break;
		case stratum::Offer::duplicate:
			counters_.duplicates++;
			log_.debug(fmt::format("chain {}: duplicate share (nonce {:08x}) not sent",
			                       chain_id, nonce));
			break;
		case stratum::Offer::stale:
			counters_.stale++;
			break;
		case stratum::Offer::bad_version:
			counters_.bad_version++;
			log_.warning(
			    fmt::format("chain {}: nonce {:08x} with version {:08x} outside "
			                "the pool's mask, not sent",
			                chain_id, nonce, version));
			break;
		}
	});
}

FeedCounters PoolFeed::counters() const
{
	std::lock_guard lock(counters_mu_);
	return counters_;
}

} // namespace hashboardd
