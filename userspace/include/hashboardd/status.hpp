// SPDX-License-Identifier: MIT
//
// What hashboardd knows about itself at one moment: the snapshot every reader of the
// daemon (the cgminer API on 4028, /metrics, the JSON status endpoint, later the web
// dashboard) renders. One struct so every surface shows the same numbers; the daemon
// fills it, readers never reach into the mining loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hashboardd {

// The firmware's own name, as fleet tools search for it in `version`/`devdetails`
// replies (docs/api.md): an honest token of our own, never another firmware's.
inline constexpr const char *kFirmwareName = "HASHBOARD";

enum class PoolState { alive, dead, connecting, disabled };

struct PoolStatus {
	unsigned index = 0;    // POOL: its place in the failover order, from 0
	unsigned priority = 0; // lower is preferred; equal to index unless reordered
	std::string url;       // stratum+tcp://host:port or stratum+ssl://host:port
	std::string user;      // never the password
	PoolState state = PoolState::connecting;
	bool active = false; // the pool work comes from now ("Stratum Active")
	std::uint64_t accepted = 0;
	std::uint64_t rejected = 0;
	std::uint64_t stale = 0;           // refused as stale, or dropped before sending
	std::uint64_t works = 0;           // notify messages received
	std::uint64_t discarded = 0;       // jobs dropped by clean_jobs
	std::uint64_t get_failures = 0;    // connects or subscribes that failed
	std::uint64_t remote_failures = 0; // submits unanswered, connections lost
	double difficulty = 0;             // the pool's current share difficulty
	double difficulty_accepted = 0;
	double difficulty_rejected = 0;
	double difficulty_stale = 0;
	double last_share_difficulty = 0;
	std::optional<std::chrono::system_clock::time_point> last_share_time;
	double best_share = 0;        // highest difficulty found on this pool
	bool version_rolling = false; // the pool granted a version mask
	std::uint32_t version_mask = 0;
};

struct ChipStatus {
	unsigned position = 0; // order on the chain, from the host side
	bool alive = false;    // answered enumeration and not marked bad since
	double freq_mhz = 0;
	double hashrate_ghs = 0; // from its valid nonces, over the last minute
	std::uint64_t valid = 0;
	std::uint64_t hw_errors = 0;
	std::optional<double> temperature_c;
};

struct ChainStatus {
	unsigned id = 0;
	std::string family;          // "BM1366"
	std::string state;           // chain_state_name()
	unsigned chips_expected = 0; // from the board file
	unsigned chips_found = 0;    // answered enumeration
	double hashrate_ghs_5s = 0;
	double hashrate_ghs_avg = 0;   // since the chain started
	double hashrate_ideal_ghs = 0; // chips x cores x frequency
	double freq_avg_mhz = 0;
	std::uint64_t valid = 0;
	std::uint64_t hw_errors = 0;
	std::optional<double> chip_temp_c;  // hottest chip, or its sensor
	std::optional<double> board_temp_c; // the board sensor near the chain
	std::optional<double> voltage_mv;   // its domain's regulator read-back
	std::vector<ChipStatus> chips;
};

struct FanStatus {
	std::string name;
	double duty = 0; // 0..1
	std::optional<double> rpm;
};

struct SensorStatus {
	std::string name;
	std::optional<double> celsius;
	std::string error; // why the last read failed, empty when it did not
};

struct SafetyStatus {
	std::string board_state;                // board_state_name(): off, mining, tripped ...
	std::optional<std::string> trip_reason; // TripReason::message() once tripped
	bool idle_no_pool = false;              // every pool dead long enough: boards idle
};

// One voltage the last tune measured: the V/F plot's data.
struct TuningPoint {
	double mv = 0;
	double median_mhz = 0;
	double hashrate_ths = 0;
	double power_w = 0;
	double j_per_th = 0;
};

// The autotuner (docs/tuning.md): what the daemon's board runs at and why.
struct TuningStatus {
	std::string mode = "off"; // off, hashrate, efficiency, fixed, heat, quiet
	// off: at the board file's settings; applied: a saved profile's; tuning: a tune is
	// under way; tuned: at a tune's result (saved); failed: the last tune or profile
	// failed (error says why), the board at the settings it had.
	std::string state = "off";
	std::string profile_serial;   // the serial profiles are saved and looked up under
	std::optional<double> target; // the mode's number: W, TH/s floor or MHz
	// The applied profile's or the tune's result (nullopt before either).
	std::optional<double> hashrate_ths;
	std::optional<double> power_w;
	std::optional<double> j_per_th;
	std::string error;              // the last failure's text, empty when none
	std::vector<TuningPoint> sweep; // the last tune's voltage sweep (empty before one)
};

struct Summary {
	double elapsed_s = 0;
	double hashrate_ghs_5s = 0;
	double hashrate_ghs_1m = 0;
	double hashrate_ghs_5m = 0;
	double hashrate_ghs_15m = 0;
	double hashrate_ghs_avg = 0;
	double hashrate_ideal_ghs = 0;
	std::uint64_t accepted = 0;
	std::uint64_t rejected = 0;
	std::uint64_t stale = 0;
	std::uint64_t hw_errors = 0;
	std::uint64_t found_blocks = 0;
	std::uint64_t discarded = 0;
	std::uint64_t get_failures = 0;
	std::uint64_t remote_failures = 0;
	std::uint64_t local_work = 0; // jobs sent to chips
	double difficulty_accepted = 0;
	double difficulty_rejected = 0;
	double difficulty_stale = 0;
	double best_share = 0;
	double power_w = 0; // regulators' read-back, 0 when none reads
	std::optional<double> efficiency_j_per_th;
};

struct DaemonStatus {
	std::string version;      // the daemon's version (the project's)
	std::string board_model;  // the board file's model name
	std::string board_serial; // empty when unknown
	std::chrono::system_clock::time_point now{};
	std::chrono::system_clock::time_point started{};
	Summary summary;
	std::vector<ChainStatus> chains;
	std::vector<PoolStatus> pools;
	std::vector<FanStatus> fans;
	std::vector<SensorStatus> sensors;
	SafetyStatus safety;
	TuningStatus tuning;
};

} // namespace hashboardd
