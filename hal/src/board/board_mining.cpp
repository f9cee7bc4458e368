// SPDX-License-Identifier: MIT
// Mining across a board's chains: one job per chain, replies read round-robin.
#include "board_slot.hpp"
#include "board_waker.hpp"
#include "link_poller.hpp"
#include "transport/fd_io.hpp"

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace hashboard {
namespace {

// How long each chain is read before the next one's turn. On a shared virtual clock
// the chains' simulators run lazily, so nothing is lost while another chain is read;
// a reply merely waits up to (chains - 1) slices.
constexpr Duration kPollSlice = std::chrono::milliseconds(5);
// In real time, links without a descriptor (the simulator on a steady clock, USB bulk,
// SPI) are swept this often: a reply waits at most about this long; a wake() not at all.
constexpr Duration kRealTimeSlice = std::chrono::milliseconds(1);

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

void Board::wake() noexcept
{
	waker_->wake();
}

bool Board::read_chain(ChainSlot &slot, Duration timeout, const NonceSink &sink)
{
	const unsigned id = slot.spec.id;
	try {
		slot.chain->poll(timeout, [&](const NonceEvent &ev) {
			if (sink)
				sink(id, ev);
		});
	} catch (const TransportError &e) {
		trip({TripCause::link_failure, "chain " + std::to_string(id), e.what(),
		      clock_.now()});
		return false;
	}
	return state_.load() == BoardState::mining;
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
	if (clock_.is_virtual())
		poll_in_turn(deadline, sink);
	else
		poll_real_time(deadline, sink);
}

void Board::poll_real_time(Duration deadline, const NonceSink &sink)
{
	// Links with a descriptor are waited on together with the waker; the others (the
	// simulator on a steady clock, USB bulk, SPI) are swept for what they have before
	// each wait, which is then capped at one slice. A wake() ends any wait at once.
	std::vector<int> fds{waker_->fd()};
	std::vector<ChainSlot *> waited, swept;
	for (auto &slot : chains_) {
		if (!slot->usable)
			continue;
		if (const int fd = slot->link.transport->readable_fd(); fd >= 0) {
			fds.push_back(fd);
			waited.push_back(slot.get());
		} else {
			swept.push_back(slot.get());
		}
	}
	if (!poller_)
		poller_ = std::make_unique<LinkPoller>();
	poller_->watch(fds);
	std::vector<bool> ready;
	while (state_.load() == BoardState::mining && !waker_->take()) {
		for (ChainSlot *slot : swept)
			if (!read_chain(*slot, Duration::zero(), sink))
				return;
		// Nonces a control operation held (Chain::has_held_nonces) go out now, not
		// when the link next has bytes.
		for (ChainSlot *slot : waited)
			if (slot->chain->has_held_nonces() &&
			    !read_chain(*slot, Duration::zero(), sink))
				return;
		const Duration left = deadline - clock_.now();
		if (left <= Duration::zero())
			return;
		const int r =
		    poller_->wait(swept.empty() ? left : std::min(left, kRealTimeSlice), ready);
		if (r < 0 && errno != EINTR) {
			trip({TripCause::link_failure, "board",
			      std::string("poll: ") + std::strerror(errno), clock_.now()});
			return;
		}
		// Ready links (and hung-up or failed ones, whose read reports why) are read with
		// no wait, starting after the last one read, as the round-robin reader does.
		// The start is fixed before the loop: poll_next_ moves as chains are read.
		const std::size_t first = poll_next_;
		for (std::size_t n = 0; r > 0 && n < waited.size(); ++n) {
			const std::size_t k = (first + n) % waited.size();
			if (!ready[k + 1])
				continue;
			if (!read_chain(*waited[k], Duration::zero(), sink))
				return;
			poll_next_ = (k + 1) % waited.size();
		}
	}
}

void Board::poll_in_turn(Duration deadline, const NonceSink &sink)
{
	// Virtual time: each chain is read for a slice in turn (its simulator runs lazily on
	// the shared clock, so nothing is lost meanwhile).
	const Duration slice = kPollSlice;
	while (state_.load() == BoardState::mining) {
		bool polled = false;
		// Each call starts where the last one stopped: a caller that polls in slices
		// shorter than one per chain still reads every chain in turn.
		for (std::size_t n = 0; n < chains_.size(); ++n) {
			auto &slot = chains_[poll_next_ % chains_.size()];
			const Duration now = clock_.now();
			if (now >= deadline || waker_->take())
				return;
			poll_next_ = (poll_next_ + 1) % chains_.size();
			if (!slot->usable)
				continue;
			if (!read_chain(*slot, std::min(slice, deadline - now), sink))
				return;
			polled = true;
		}
		if (!polled) {
			// No chain to read (all empty): let the time pass.
			const Duration now = clock_.now();
			if (now >= deadline)
				return;
			clock_.sleep_for(std::min(deadline - now, slice));
		}
	}
}

} // namespace hashboard
