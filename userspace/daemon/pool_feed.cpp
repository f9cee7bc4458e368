// SPDX-License-Identifier: MIT
#include "pool_feed.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include <fmt/format.h>

#include <chrono>
#include <future>
#include <memory>

namespace hashboardd {
namespace {

// How long the mining loop waits for the I/O thread to hand out work. The I/O thread
// only runs short handlers, so this is never reached while it is healthy; when it is
// (a stopping daemon), the loop sees "no work" instead of hanging.
constexpr auto kWorkWait = std::chrono::milliseconds(500);

} // namespace

PoolFeed::PoolFeed(boost::asio::io_context &io, stratum::PoolManager &pools,
                   stratum::JobSource &jobs, Log &log)
    : io_(io), pools_(pools), jobs_(jobs), log_(log)
{
}

void PoolFeed::refresh()
{
	generation_.store(jobs_.generation());
	has_job_.store(pools_.current_job() != nullptr);
}

std::optional<hashboard::Work> PoolFeed::next_work(unsigned chain_id)
{
	if (closed_.load() || !has_job_.load())
		return std::nullopt;
	// Shared with the handler, which may run after a timed-out wait has given up.
	auto promise = std::make_shared<std::promise<std::optional<hashboard::Work>>>();
	auto result = promise->get_future();
	boost::asio::post(io_, [this, promise, chain_id] {
		try {
			auto w = jobs_.next_work(chain_id);
			refresh();
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

void PoolFeed::found(unsigned chain_id, const hashboard::NonceEvent &event)
{
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
