// SPDX-License-Identifier: MIT
//
// What the daemon lets its API surfaces do: read a snapshot and make the changes the
// cgminer API's privileged commands (and later the web dashboard) ask for. The daemon
// implements it; the API and metrics servers hold a reference and never see the mining
// loop. Calls come from the API's own thread; an implementation makes them safe
// against the mining loop.
#pragma once

#include <hashboardd/status.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hashboardd {

// A change refused for a reason the caller can show ("no pool 7", "frequency 900 MHz
// is above the board's limit 650 MHz"): the API answers it with an E STATUS.
class ControlError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

// One line of the daemon's recent log, for the dashboard's logs page.
struct LogLine {
	std::string level; // "error", "warning", "notice", "info", "debug"
	std::string text;
};

// One read-only setting for the dashboard's settings page ("limits", "freq_max_mhz",
// "650").
struct SettingEntry {
	std::string section;
	std::string key;
	std::string value;
};

struct NewPool {
	std::string url; // stratum+tcp:// or stratum+ssl://
	std::string user;
	std::string password;
};

class DaemonControl {
public:
	virtual ~DaemonControl() = default;

	virtual DaemonStatus status() const = 0;
	// The last lines logged, oldest first (none by default: a control without a log).
	virtual std::vector<LogLine> recent_log() const { return {}; }
	// What the daemon runs with: board file, limits, fan policy, API access (none by
	// default).
	virtual std::vector<SettingEntry> settings() const { return {}; }

	// Pools, by their index in status().pools. Each throws ControlError on a bad index
	// or URL; add_pool returns the new pool's index (it goes last).
	virtual unsigned add_pool(const NewPool &pool) = 0;
	virtual void remove_pool(unsigned index) = 0;
	virtual void switch_pool(unsigned index) = 0; // make it the preferred pool
	virtual void enable_pool(unsigned index) = 0;
	virtual void disable_pool(unsigned index) = 0;

	// Chips, within the board file's limits (ControlError outside them).
	virtual void set_chain_frequency(unsigned chain_id, double mhz) = 0;
	virtual void set_chip_frequency(unsigned chain_id, unsigned position, double mhz) = 0;
	virtual void set_chain_voltage(unsigned chain_id, double mv) = 0;

	// The autotuner's goal: mode a TuningStatus mode name ("off" stops asking for tunes;
	// empty keeps the current mode), target the mode's number (nullopt keeps it): W of
	// power limit (hashrate) or heat (heat, quiet), TH/s floor (efficiency), MHz
	// (fixed). Returns at once; the tune runs on the mining thread. ControlError for a
	// goal the mode cannot use. Daemons without a tuner refuse.
	virtual void tune(const std::string &mode, std::optional<double> target)
	{
		(void)mode;
		(void)target;
		throw ControlError("this daemon cannot tune");
	}

	// Ask the daemon to restart its mining (re-read config, bring boards up again) or to
	// quit; both return at once and happen after the API has answered.
	virtual void restart() = 0;
	virtual void quit() = 0;
};

} // namespace hashboardd
