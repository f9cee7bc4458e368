// SPDX-License-Identifier: MIT
//
// hashboardd put together: one I/O thread (the pools, the cgminer API, the HTTP server,
// the signals) and one mining thread (the board). The Daemon is the DaemonControl the
// API servers hold: its calls come on the I/O thread, so the pool changes are made
// there directly and the board changes are posted to the mining loop.
#pragma once

#include "board_setup.hpp"
#include "command_line.hpp"
#include "config.hpp"
#include "log.hpp"
#include "mining_loop.hpp"
#include "pool_feed.hpp"

#include <hashboardd/control.hpp>
#include <hashboardd/stratum/job_source.hpp>
#include <hashboardd/stratum/pool_manager.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

namespace hashboardd {

namespace api {
class CgminerServer;
class HttpServer;
} // namespace api
namespace web {
class WebApp;
} // namespace web

struct DaemonHooks {
	// systemd's notifications (sd_notify); empty in tests.
	std::function<void(const std::string &)> notify;
	// Where a SIGHUP reads the configuration again (the file and the command line);
	// empty: SIGHUP only logs that there is nothing to reload.
	std::function<DaemonConfig()> reload;
	// Called once the servers listen and the mining thread runs, with their ports.
	std::function<void(std::uint16_t api_port, std::uint16_t metrics_port)> on_ready;
	// Every pool line as it is read and once it is written, on the I/O thread (the
	// benchmarks time clean jobs and shares with it); empty in the daemon.
	stratum::LineTap pool_lines;
};

class Daemon final : public DaemonControl {
public:
	// The board (and its clock) must outlive the daemon.
	Daemon(DaemonConfig config, BoardRig &board, Log &log, DaemonHooks hooks = {});
	~Daemon() override;
	Daemon(const Daemon &) = delete;
	Daemon &operator=(const Daemon &) = delete;

	// Runs until quit (API), SIGTERM or SIGINT, or stop(); returns the exit code.
	int run();
	// From any thread: the daemon stops as if it got SIGTERM.
	void stop();
	// SIGHUP's work: the pools, limits and log level from the configuration again.
	void reload(const DaemonConfig &config);

	// DaemonControl, on the I/O thread.
	DaemonStatus status() const override;
	std::vector<LogLine> recent_log() const override;
	std::vector<SettingEntry> settings() const override;
	unsigned add_pool(const NewPool &pool) override;
	void remove_pool(unsigned index) override;
	void switch_pool(unsigned index) override;
	void enable_pool(unsigned index) override;
	void disable_pool(unsigned index) override;
	void set_chain_frequency(unsigned chain_id, double mhz) override;
	void set_chip_frequency(unsigned chain_id, unsigned position, double mhz) override;
	void set_chain_voltage(unsigned chain_id, double mv) override;
	void tune(const std::string &mode, std::optional<double> target) override;
	void restart() override;
	void quit() override;

	// fn on the mining thread, waited for (tests inject faults into the twins there).
	void run_on_board(std::function<void(hashboard::Board &)> fn)
	{
		loop_.post(std::move(fn)).get();
	}
	// status() run on the I/O thread, for callers on any other (tests, tools).
	DaemonStatus query_status();
	FeedCounters feed_counters() const { return feed_.counters(); }
	// The web dashboard's port once run() listens (0 when it is off).
	std::uint16_t web_port() const;

private:
	void start_servers();
	void start_web();
	void sample_web();
	std::string pool_name(stratum::PoolId id) const;
	void on_signal(int signo);
	void shutdown();
	void check_chain(unsigned chain_id) const;
	void check_frequency(unsigned chain_id, double mhz) const;
	// Runs fn on the mining thread and waits for it (ControlError for what it throws).
	void on_board(std::function<void(hashboard::Board &)> fn, const char *what);

	DaemonConfig config_;
	BoardRig &rig_;
	Log &log_;
	DaemonHooks hooks_;
	boost::asio::io_context io_;
	stratum::PoolManager pools_;
	stratum::JobSource jobs_;
	PoolFeed feed_;
	MiningLoop loop_;
	// The goal ascset tune-target changes (nullopt: mode off), on the I/O thread.
	std::optional<hashboard::TuneGoal> tune_goal_;
	boost::asio::signal_set signals_;
	std::unique_ptr<api::CgminerServer> cgminer_;
	std::unique_ptr<api::HttpServer> http_;
	hashboard::SteadyClock web_clock_; // login sessions' ages: wall time, not the board's
	std::unique_ptr<web::WebApp> web_app_;
	std::unique_ptr<api::HttpServer> web_;
	std::unique_ptr<boost::asio::steady_timer> web_timer_;
	std::jthread mining_;
	std::chrono::system_clock::time_point started_;
	int exit_code_ = 0;
	bool stopping_ = false;
};

// The mining loop's options from the config (the tuning's defaults resolved: profile_dir,
// serial) and the board.
MiningOptions mining_options(const DaemonConfig &config, const hashboard::Board &board,
                             std::function<void()> on_tick = {});

// The pool manager's options from the config's failover policy (and the hooks' tap).
stratum::PoolManagerOptions pool_manager_options(const DaemonConfig &config,
                                                 stratum::LineTap line_tap = {});

} // namespace hashboardd
