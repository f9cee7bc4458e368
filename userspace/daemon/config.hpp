// SPDX-License-Identifier: MIT
//
// hashboardd's configuration: the TOML file (docs/daemon.md lists every key) with the
// command line's overrides on top. Everything is checked when it is read, with the
// file, line and key of every error (hashboard::ConfigError), so the daemon never starts
// on a half-understood file; SIGHUP reads it again and applies what can change live.
#pragma once

#include <hashboard/clock.hpp>
#include <hashboard/tuning/tuner.hpp>
#include <hashboardd/api/access_list.hpp>
#include <hashboardd/stratum/pool_manager.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashboardd {

// A pool as the pool manager takes it (url, user, password, tls_verify, ca_file).
using PoolConfig = stratum::PoolConfig;

struct ApiConfig {
	bool enabled = true;
	std::string listen = "0.0.0.0";
	std::uint16_t port = 4028;
	// Privileged commands (addpool, switchpool, ascset ...) come only from these, and
	// from further away only with a logon session: an open addpool lets anyone on the
	// LAN point the hashrate at their own pool.
	std::vector<std::string> privileged_from = api::loopback_networks();
	// When set, logon needs it (logon|SECRET); when empty any privileged_from peer may
	// log on.
	std::string logon_secret;
};

struct MetricsConfig {
	bool enabled = true;
	std::string listen = "0.0.0.0";
	std::uint16_t port = 9028;
};

// The web dashboard (docs/web.md). Off unless the config file or --web-port asks: the
// shipped config (userspace/config/hashboardd.toml) turns it on; tests and benches run
// daemons side by side and must not all want one port.
struct WebConfig {
	bool enabled = false;
	std::string listen = "0.0.0.0";
	std::uint16_t port = 8080;
	// Status and pages readable without a login (changes always need one).
	bool public_status = true;
	// The stored password hash; empty: web-password in $STATE_DIRECTORY (systemd's
	// StateDirectory=), else in $XDG_STATE_HOME/hashboardd or ~/.local/state/hashboardd.
	std::string password_file;
};

struct PoolPolicy {
	// A connected pool that sends no notify for this long counts as dead: the failure
	// open-firmware users report most (a pool that accepts the socket and goes silent).
	hashboard::Duration silent_after = std::chrono::seconds(120);
	// A submit unanswered this long counts as a remote failure; two in a row: dead.
	hashboard::Duration submit_timeout = std::chrono::seconds(30);
	// Reconnect backoff: from min, doubled per failure up to max, with +-25 % jitter.
	hashboard::Duration retry_min = std::chrono::seconds(1);
	hashboard::Duration retry_max = std::chrono::seconds(60);
	// A preferred pool must stay up this long before work moves back to it.
	hashboard::Duration failback_after = std::chrono::seconds(30);
};

struct MiningConfig {
	std::optional<double> frequency_mhz; // every chip; the board file's when unset
	// When every pool has been dead this long the boards power down instead of hashing
	// into nothing; they come back up when a pool does.
	hashboard::Duration idle_after_no_pool = std::chrono::seconds(60);
	// The chips' ticket: about this many nonces per chip per second (0: the link's rule
	// alone). MiningOptions::nonces_per_chip_s says why.
	double nonces_per_chip_s = 1;
};

// The autotuner (docs/tuning.md) as the daemon uses it: a saved profile applied at
// every bring-up, an online tune at start when none is saved, or when the API asks.
struct TuningConfig {
	// nullopt: mode = "off" (no tune of the daemon's own; a saved profile is still
	// applied). goal.mode is the mode otherwise.
	std::optional<hashboard::TuneMode> mode;
	hashboard::TuneGoal goal;
	// Empty: state_directory("hashboard") / "profiles" (state_dir.hpp), chosen at start.
	std::string profile_dir;
	std::string serial; // empty: the board file's name
	bool apply_profile = true;
	bool tune_when_missing = false;
};

enum class LogLevel { error, warning, notice, info, debug };
std::optional<LogLevel> parse_log_level(std::string_view name);
std::string_view log_level_name(LogLevel level);

struct DaemonConfig {
	std::string source; // the file it came from, empty for defaults and overrides only
	std::vector<PoolConfig> pools;
	std::optional<std::filesystem::path> board_file; // unset: the built-in simulated board
	// --chain-transport ID=URI (command line only): the board file's chain links replaced.
	std::vector<std::string> chain_transports;
	ApiConfig api;
	MetricsConfig metrics;
	WebConfig web;
	PoolPolicy pool_policy;
	MiningConfig mining;
	TuningConfig tuning;
	LogLevel log_level = LogLevel::info;
};

// Reads and checks a config file (at most 1 MiB). Throws hashboard::ConfigError.
DaemonConfig load_daemon_config(const std::filesystem::path &file);
// The same from text; source_name stands for the file in messages.
DaemonConfig parse_daemon_config(std::string_view text, const std::string &source_name);

// The checks that need the whole configuration (after the command line's overrides):
// at least one pool, every pool URL a stratum+tcp://HOST:PORT or stratum+ssl://HOST:PORT
// URL, the API, metrics and web ports distinct. std::invalid_argument naming what is wrong.
void validate(const DaemonConfig &config);

} // namespace hashboardd
