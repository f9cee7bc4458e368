// SPDX-License-Identifier: MIT
//
// What the Board keeps per chain, shared by its source files.
#pragma once

#include <hashboard/board/board.hpp>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hashboard {

// The chain's link as Chain sees it: every call passes through, but it has no reset
// line. The Board owns reset, because only the Board knows when power is good and
// which chains share a reset line; a Chain pulsing a shared line would reset the
// chains already brought up.
class ResetlessLink final : public Transport {
public:
	explicit ResetlessLink(Transport &inner) : inner_(inner) {}
	void write(ByteSpan data) override { inner_.write(data); }
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override
	{
		return inner_.read(buf, timeout);
	}
	void set_baud(std::uint32_t baud) override { inner_.set_baud(baud); }
	std::uint32_t baud() const override { return inner_.baud(); }
	void flush_input() override { inner_.flush_input(); }
	std::string describe() const override { return inner_.describe(); }
	int readable_fd() const override { return inner_.readable_fd(); }

private:
	Transport &inner_;
};

// A chain's view of the board's clock: the board's clock itself, except while the chains
// work in parallel in virtual time. One thread runs every chain then, one after
// another, so each needs a timeline of its own: forked from the board's now, moved only
// by its own chain's waits and wire time, and joined back when the phase ends (the
// board's clock then jumps to the latest chain's end). Chains share no wire, so this
// is what running them side by side would have given. In real time it never forks;
// every chain's thread reads the board's (thread-safe) clock.
class ChainClock final : public Clock {
public:
	explicit ChainClock(Clock &board) : board_(board) {}
	Duration now() const override { return timeline_ ? *timeline_ : board_.now(); }
	void sleep_for(Duration d) override
	{
		if (!timeline_)
			board_.sleep_for(d);
		else if (d > Duration::zero())
			*timeline_ += d;
	}
	bool is_virtual() const override { return board_.is_virtual(); }

	void fork() { timeline_ = board_.now(); }
	// Back on the board's clock; returns where this chain's timeline ended.
	Duration join()
	{
		const Duration end = now();
		timeline_.reset();
		return end;
	}

private:
	Clock &board_;
	std::optional<Duration> timeline_;
};

struct Board::ChainSlot {
	ChainSpec spec;
	// Before link and chain, which hold it, so it outlives both.
	std::unique_ptr<ChainClock> clock;
	ChainLink link;                      // the factory's transport
	std::unique_ptr<ResetlessLink> view; // what the Chain talks through
	std::unique_ptr<Chain> chain;
	std::vector<double> targets;    // per chip position, MHz
	GpioLine *reset_gpio = nullptr; // owned by Board::gpios_; else the link's own reset
	bool usable = false;            // chips answered at the last start_chains()
};

// One chain's share of a parallel phase (Board::for_each_chain). The task touches its
// own slot and link; what it logs is kept, stamped with its chain's time, and emitted
// by the control thread when the phase is over, so the order of lines is the same
// whichever thread ran first.
class Board::ChainTask {
public:
	ChainTask(Board &board, ChainSlot &slot, Phase &phase)
	    : board_(board), slot_(slot), phase_(phase)
	{
	}
	ChainSlot &slot() { return slot_; }
	Clock &clock() { return *slot_.clock; }
	void log(std::string line) { lines_.emplace_back(clock().now(), std::move(line)); }
	// Forwarded as it happens (serialised: it kicks the watchdog); throws Stopped once
	// another chain of the phase has failed, so this one ends at its next step.
	void progress(std::string_view what);

	struct Stopped : OperationalError {
		using OperationalError::OperationalError;
	};

private:
	friend class Board;
	Board &board_;
	ChainSlot &slot_;
	Phase &phase_;
	std::vector<std::pair<Duration, std::string>> lines_;
	std::exception_ptr error_;
};

} // namespace hashboard
