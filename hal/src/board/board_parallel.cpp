// SPDX-License-Identifier: MIT
// The chains' parallel phases (bring-up, ramp-down, power-down): every chain at once, as
// a real board's chains run, without giving up a seed's exact replay in virtual time.
// docs/ARCHITECTURE.md ("Time") explains the two ways this runs.
#include "board_slot.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <tuple>

namespace hashboard {
namespace {

// Forks every chain's clock from the board's for as long as it lives, then moves the
// board's clock to where the latest chain's timeline ended: the phase took as long as
// its slowest chain.
class Timelines {
public:
	Timelines(Clock &board, std::vector<ChainClock *> clocks)
	    : board_(board), clocks_(std::move(clocks))
	{
		for (ChainClock *c : clocks_)
			c->fork();
	}
	~Timelines()
	{
		Duration end = board_.now();
		for (ChainClock *c : clocks_)
			end = std::max(end, c->join());
		if (end > board_.now())
			board_.sleep_for(end - board_.now());
	}
	Timelines(const Timelines &) = delete;
	Timelines &operator=(const Timelines &) = delete;

private:
	Clock &board_;
	std::vector<ChainClock *> clocks_;
};

} // namespace

struct Board::Phase {
	// The earliest time, on its own chain's clock, at which a chain failed; every other
	// chain stops at its first progress step at or after it. In real time all chains
	// read one clock, so they stop at once. In virtual time the chains run one after
	// another: those after the failed one stop where they would have side by side;
	// those before it have already finished, so a failure leaves them at full speed
	// for the ramp-down, as a failure late in a real bring-up would.
	std::atomic<Duration::rep> stop_at{Duration::max().count()};

	void failed_at(Duration t)
	{
		Duration::rep cur = stop_at.load();
		while (t.count() < cur && !stop_at.compare_exchange_weak(cur, t.count())) {
		}
	}
	bool stopped(Duration now) const { return now.count() >= stop_at.load(); }
};

void Board::ChainTask::progress(std::string_view what)
{
	if (phase_.stopped(clock().now()))
		throw Stopped("chain " + std::to_string(slot_.spec.id) +
		              ": stopped, another chain failed");
	board_.progress(what);
}

void Board::for_each_chain(const std::function<void(ChainTask &)> &work)
{
	// A phase started from inside another (a progress callback that trips the board)
	// would fork the running chains' timelines again and race their threads.
	if (in_phase_.exchange(true))
		throw std::logic_error("board " + config_.name +
		                       ": chain work started from inside a chain phase");
	struct Leave {
		std::atomic<bool> &flag;
		~Leave() { flag.store(false); }
	} leave{in_phase_};
	Phase phase;
	std::vector<ChainTask> tasks;
	tasks.reserve(chains_.size());
	for (auto &slot : chains_)
		tasks.emplace_back(*this, *slot, phase);
	const auto run = [&phase, &work](ChainTask &t) {
		const std::string name = "chain " + std::to_string(t.slot().spec.id);
		try {
			work(t);
		} catch (const ChainTask::Stopped &) {
			t.log(name + ": stopped, another chain failed");
		} catch (const std::exception &e) {
			t.log(name + ": failed: " + e.what());
			t.error_ = std::current_exception();
			phase.failed_at(t.clock().now());
		} catch (...) {
			t.log(name + ": failed");
			t.error_ = std::current_exception();
			phase.failed_at(t.clock().now());
		}
	};
	if (clock_.is_virtual()) {
		// One thread, one timeline per chain: deterministic, and exact because the
		// chains share no wire (nothing one does can change what another sees).
		std::vector<ChainClock *> clocks;
		for (auto &slot : chains_)
			clocks.push_back(slot->clock.get());
		const Timelines timelines(clock_, std::move(clocks));
		for (auto &t : tasks)
			run(t);
	} else if (tasks.size() == 1) {
		run(tasks.front());
	} else {
		// Each thread touches its own chain and link only; the sinks it reaches
		// (progress, the board's state) are locked or atomic. Joined at the brace.
		std::vector<std::jthread> threads;
		threads.reserve(tasks.size());
		for (auto &t : tasks)
			threads.emplace_back([&run, &t] { run(t); });
	}

	// Merged by time then chain, so the same run logs the same lines in the same order.
	std::vector<std::tuple<Duration, std::size_t, std::size_t>> order;
	for (std::size_t i = 0; i < tasks.size(); ++i)
		for (std::size_t j = 0; j < tasks[i].lines_.size(); ++j)
			order.emplace_back(tasks[i].lines_[j].first, i, j);
	std::sort(order.begin(), order.end());
	for (const auto &[t, i, j] : order)
		log_at(t, tasks[i].lines_[j].second);

	for (auto &t : tasks)
		if (t.error_)
			std::rethrow_exception(t.error_);
}

void Board::ramp_all_down_fast() noexcept
{
	try {
		for_each_chain([this](ChainTask &task) {
			try {
				ramp_down_fast(task.slot());
			} catch (const std::exception &e) {
				// The link is gone; cutting power is what is left.
				task.log("chain " + std::to_string(task.slot().spec.id) +
				         ": ramp-down failed: " + e.what());
			}
		});
	} catch (const std::exception &e) {
		// No thread for a chain, or a phase already running: power goes off regardless.
		log(std::string("ramp-down: not every chain could ramp: ") + e.what());
	}
}

} // namespace hashboard
