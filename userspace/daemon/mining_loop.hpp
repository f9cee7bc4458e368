// SPDX-License-Identifier: MIT
//
// The mining loop: the one thread that owns the Board. It brings the board up, keeps
// every chain fed from the WorkFeed (at the chain's job interval, and at once when the
// feed's generation changes), hands valid nonces back, runs the safety supervisor, and
// idles the board (powered down) while no pool has work. Everything else (the API, the
// pools) reaches the board through post(), which runs a function on this thread.
#pragma once

#include "log.hpp"
#include "work_feed.hpp"

#include <hashboard/board/board.hpp>
#include <hashboard/board/safety.hpp>
#include <hashboard/rate_window.hpp>
#include <hashboard/tuning/tuner.hpp>

#include <hashboardd/status.hpp>

#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace hashboardd {

// The autotuner in the loop (docs/tuning.md, docs/daemon.md [tuning]).
struct LoopTuning {
	std::optional<hashboard::TuneGoal> goal; // nullopt: mode off
	std::filesystem::path profile_dir;       // empty: no profile is read or saved
	std::string serial;                      // the profile's name in profile_dir
	bool apply_profile = true;
	bool tune_when_missing = false;
	hashboard::TunerOptions tuner; // tests shorten the windows
};

struct MiningOptions {
	std::optional<double> frequency_mhz;
	hashboard::Duration idle_after_no_work = std::chrono::seconds(60);
	// The longest a poll blocks. New work (wake()) and posted commands end a poll at
	// once, so this only bounds how late the loop looks at its own clock.
	hashboard::Duration poll_slice = std::chrono::milliseconds(50);
	hashboard::Duration tick = std::chrono::milliseconds(100);
	// The chips' ticket policy: about this many nonces per chip per second (docs/
	// hashboardd.md, "The chips' ticket"), never a ticket above the pool's difficulty,
	// never below the one that keeps the link a quarter full. 0: the link rule alone.
	double nonces_per_chip_s = 1;
	// Called on every tick from the mining thread: the systemd watchdog is fed here,
	// so a hung loop stops the keep-alives and systemd restarts the daemon.
	std::function<void()> on_tick;
	LoopTuning tuning;
};

// What the loop knows about the board, for DaemonStatus.
struct BoardSnapshot {
	std::vector<ChainStatus> chains;
	std::vector<FanStatus> fans;
	std::vector<SensorStatus> sensors;
	SafetyStatus safety;
	double hashrate_ghs_5s = 0, hashrate_ghs_1m = 0, hashrate_ghs_5m = 0, hashrate_ghs_15m = 0,
	       hashrate_ghs_avg = 0, hashrate_ideal_ghs = 0;
	std::uint64_t hw_errors = 0;
	std::uint64_t jobs_sent = 0;
	double power_w = 0;
	double mining_s = 0;
	TuningStatus tuning;
};

class MiningLoop {
public:
	MiningLoop(hashboard::Board &board, WorkFeed &feed, Log &log, MiningOptions options);
	~MiningLoop();
	MiningLoop(const MiningLoop &) = delete;
	MiningLoop &operator=(const MiningLoop &) = delete;

	// Runs until stop is requested; leaves the board powered down (or tripped).
	void run(std::stop_token stop);

	// Runs fn on the loop's thread before its next poll (ending the current one); the
	// future carries fn's exception (std::invalid_argument for a frequency out of
	// range, ...).
	std::future<void> post(std::function<void(hashboard::Board &)> fn);
	// From any thread: the feed has new work; the loop looks at once.
	void wake() { board_.wake(); }

	BoardSnapshot snapshot() const;

	// From any thread: tune online to goal once the board mines with pool work (the
	// goal is checked by the caller: validate_goal). A later request replaces one not
	// yet started; one under way finishes first.
	void request_tune(const hashboard::TuneGoal &goal);
	// From any thread: mode off; a tune not yet started is dropped.
	void cancel_tune();

private:
	struct Rates;
	void bring_up();
	void idle(const std::string &why);
	void feed_all();
	void run_posted();
	void on_nonce(unsigned chain_id, const hashboard::NonceEvent &event);
	void apply_ticket_policy(double share_difficulty);
	void tick(hashboard::Duration now);
	void refresh_snapshot(hashboard::Duration now);
	// loop_tuning.cpp
	void apply_saved_profile();
	bool take_tuning_work();
	void run_tune(const std::stop_token &stop);
	void set_tuning(const std::function<void(TuningStatus &)> &edit);
	void read_chain_devices(const std::vector<hashboard::SensorReading> &sensors,
	                        const std::vector<hashboard::RegulatorReading> &regulators);

	hashboard::Board &board_;
	hashboard::Clock &clock_;
	WorkFeed &feed_;
	Log &log_;
	MiningOptions options_;
	hashboard::SafetySupervisor supervisor_;

	std::mutex posted_mu_;
	std::deque<std::packaged_task<void(hashboard::Board &)>> posted_;

	mutable std::mutex snap_mu_;
	BoardSnapshot snap_;

	std::unique_ptr<Rates> rates_;
	// Per chain, from the last device read: its sensors (board file `chain`,
	// `measures`) and its domain's regulator.
	struct ChainDevices {
		std::optional<double> chip_temp_c, board_temp_c, voltage_mv;
	};
	std::map<unsigned, ChainDevices> chain_devices_;
	std::uint64_t generation_ = 0;
	hashboard::Duration next_job_{};
	hashboard::Duration next_tick_{};
	hashboard::Duration no_work_since_{-1};
	hashboard::Duration mining_since_{-1};
	// The pool difficulty the chips' tickets were last chosen for.
	std::optional<double> ticket_difficulty_;
	bool idle_ = false;
	bool trip_logged_ = false;
	// Tuning, on the mining thread: the goal of the tune to run next, the work it mines
	// (the feed's latest per chain), whether tune_when_missing has had its one go.
	std::optional<hashboard::TuneGoal> pending_tune_;
	std::map<unsigned, hashboard::Work> tuning_work_;
	bool tune_when_missing_checked_ = false;
	bool tune_wait_logged_ = false;
	TuningStatus tuning_; // under snap_mu_
};

} // namespace hashboardd
