// SPDX-License-Identifier: MIT
// Mining across a board's chains: one job per chain, replies read round-robin.
#include "board_slot.hpp"

#include <chrono>
#include <stdexcept>

namespace hashboard {
namespace {

// How long each chain is read before the next one's turn. On a shared virtual clock
// the chains' simulators run lazily, so nothing is lost while another chain is read;
// a reply merely waits up to (chains - 1) slices.
constexpr Duration kPollSlice = std::chrono::milliseconds(5);

} // namespace

void Board::send_work(const std::function<Work()> &next_work)
{
	send_work([&](unsigned) { return next_work(); });
}

void Board::send_work(const std::function<Work(unsigned chain_id)> &next_work)
{
	require({BoardState::enumerated, BoardState::mining}, "send_work");
	bool any = false;
	for (auto &slot : chains_) {
		if (!slot->usable)
			continue;
		try {
			slot->chain->send_work(next_work(slot->spec.id));
		} catch (const TransportError &e) {
			trip({TripCause::link_failure, "chain " + std::to_string(slot->spec.id),
			      e.what(), clock_.now()});
			return;
		}
		any = true;
	}
	if (!any)
		throw OperationalError("board " + config_.name + ": no chain has chips to mine on");
	BoardState expected = BoardState::enumerated;
	state_.compare_exchange_strong(expected, BoardState::mining);
}

void Board::poll(Duration timeout, const NonceSink &sink)
{
	require({BoardState::mining}, "poll");
	// A trip from another thread (the watchdog's) while this one read: the chains are
	// told here, on the thread that holds them.
	struct AfterTrip {
		Board &board;
		~AfterTrip()
		{
			if (board.state_.load() == BoardState::tripped)
				board.chains_lost_power();
		}
	} after_trip{*this};
	const Duration deadline = clock_.now() + timeout;
	while (state_.load() == BoardState::mining) {
		bool polled = false;
		// Each call starts where the last one stopped: a caller that polls in slices
		// shorter than one per chain still reads every chain in turn.
		for (std::size_t n = 0; n < chains_.size(); ++n) {
			auto &slot = chains_[poll_next_ % chains_.size()];
			const Duration now = clock_.now();
			if (now >= deadline || state_.load() != BoardState::mining)
				return;
			poll_next_ = (poll_next_ + 1) % chains_.size();
			if (!slot->usable)
				continue;
			const unsigned id = slot->spec.id;
			try {
				slot->chain->poll(std::min(kPollSlice, deadline - now),
				                  [&](const NonceEvent &ev) {
					                  if (sink)
						                  sink(id, ev);
				                  });
			} catch (const TransportError &e) {
				trip({TripCause::link_failure, "chain " + std::to_string(id),
				      e.what(), clock_.now()});
				return;
			}
			polled = true;
		}
		if (!polled) {
			// No chain to read (all empty): let the time pass.
			const Duration now = clock_.now();
			if (now >= deadline)
				return;
			clock_.sleep_for(deadline - now);
		}
	}
}

} // namespace hashboard
