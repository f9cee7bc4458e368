// SPDX-License-Identifier: MIT
//
// What a tuner sees of a board and what it may touch: the seam between the tuner and the
// hardware. Everything here is something a real board shows: valid and wrong nonces per
// chip, the regulators' output power, the temperature sensors, the fans. Nothing reads
// the simulator's hidden parameters (hbsim/physics.hpp, sim_oracle.hpp): tests check
// that no tuning source includes them (tests/check_layers.cmake).
#pragma once

#include <hashboard/clock.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hashboard {

class Board;
class SafetySupervisor;
struct Work;
struct NonceEvent;

// One regulator and the chips its output feeds (through one or more domains): the unit
// a voltage search moves.
struct TuningRail {
	std::string regulator;
	std::vector<std::string> domains;
	std::map<unsigned, std::vector<unsigned>> chips; // chain id -> positions
	double min_mv = 0;                               // the board's and the regulator's
	double max_mv = 0;
	double stock_mv = 0; // the regulator's default
};

struct TuningTopology {
	std::string board;                      // the board file's name
	std::map<unsigned, unsigned> chips;     // chain id -> chips answering
	std::map<unsigned, double> stock_mhz;   // chain id -> the board file's frequency
	std::map<unsigned, std::string> family; // chain id -> family name
	std::vector<TuningRail> rails;
	double freq_min_mhz = 0;
	double freq_max_mhz = 0;
	std::optional<double> power_max_w;
	double temp_warn_c = 0;
	double temp_trip_c = 0;
	bool fans_have_loop = false; // a fan runs its own temperature loop (board file target_c)
};

struct ChipCount {
	std::uint64_t valid = 0;
	std::uint64_t errors = 0; // wrong nonces attributed to the chip
	double hashes = 0;        // nominal hashes the valid nonces stand for
};

// One measuring window: counts are for the window, power and temperatures its average
// and maximum.
struct TuningSample {
	Duration start{};
	Duration elapsed{};
	std::map<unsigned, std::vector<ChipCount>> chips; // chain id -> per position
	std::map<std::string, double> rail_w;             // regulator -> mean output power
	double power_w = 0;                               // the rails' sum
	double max_power_w = 0;                           // the highest reading in the window
	double hashrate_ths = 0;                          // good hashes per second
	std::optional<double> hottest_c;                  // any sensor, highest in the window
	double fan_duty = 0;                              // highest, at the window's end
	bool tripped = false;
	std::string trip;     // the reason, when tripped
	bool stopped = false; // ended early at a RunStop limit
};

// Where a window ends early: at the first sensor sample over either.
struct RunStop {
	double power_w = std::numeric_limits<double>::infinity();
	double hottest_c = std::numeric_limits<double>::infinity();
};

class TuningPort {
public:
	virtual ~TuningPort() = default;
	virtual const TuningTopology &topology() const = 0;
	virtual Duration now() const = 0;
	// Mines for d (or until a stop limit is crossed) and reports what the board showed.
	virtual TuningSample run(Duration d, const RunStop &stop = {}) = 0;
	// Every chip of a chain at once (one PLL ramp), each within the board's and the
	// family's range (std::invalid_argument otherwise).
	virtual void set_chain_mhz(unsigned chain_id, const std::vector<double> &mhz) = 0;
	virtual const std::vector<double> &chain_mhz(unsigned chain_id) const = 0;
	// Returns the millivolts set (clamped to the rail's range).
	virtual double set_rail_mv(const std::string &regulator, double mv) = 0;
	// The fans' duty cap: a fan loop stays at or below it, a fan without one runs at it.
	virtual void set_fan_cap(double duty) = 0;
	// Nonce difficulty 2^k for the measuring windows: lower gives more nonces a second,
	// up to what the wire carries. Returns the k set.
	virtual unsigned set_ticket_log2(unsigned chain_id, unsigned k) = 0;
	virtual unsigned ticket_log2_floor(unsigned chain_id) const = 0;
};

// A mining board as a TuningPort: the Board brought up (enumerated or mining), the
// safety supervisor ticking every 100 ms of the board's clock while it mines, work from
// next_work. A trip ends the window at once (TuningSample::tripped).
class BoardTuningPort final : public TuningPort {
public:
	using WorkFn = std::function<Work(unsigned chain_id)>;
	BoardTuningPort(Board &board, SafetySupervisor &supervisor, WorkFn next_work);
	~BoardTuningPort() override;
	BoardTuningPort(const BoardTuningPort &) = delete;
	BoardTuningPort &operator=(const BoardTuningPort &) = delete;

	const TuningTopology &topology() const override { return topology_; }
	Duration now() const override;
	TuningSample run(Duration d, const RunStop &stop = {}) override;
	void set_chain_mhz(unsigned chain_id, const std::vector<double> &mhz) override;
	const std::vector<double> &chain_mhz(unsigned chain_id) const override;
	double set_rail_mv(const std::string &regulator, double mv) override;
	void set_fan_cap(double duty) override;
	unsigned set_ticket_log2(unsigned chain_id, unsigned k) override;
	unsigned ticket_log2_floor(unsigned chain_id) const override;
	// Called after every tick of run() and after every change (tests check the limits
	// at every step with it).
	void set_observer(std::function<void(const TuningSample &partial)> observer);
	// Where the chips' valid nonces go while the port mines (none by default): a daemon
	// tuning online passes its pool's, so the tune's shares are not lost.
	void set_nonce_sink(std::function<void(unsigned chain_id, const NonceEvent &)> sink);

private:
	// Mines for d (jobs at the chains' interval, the supervisor every tick); each_tick
	// runs after every tick and ends the run early by returning false. Returns whether
	// the whole d was mined.
	bool mine_for(Duration d, const std::function<bool()> &each_tick);
	Duration job_interval() const;
	struct Impl;
	std::unique_ptr<Impl> impl_;
	TuningTopology topology_;
};

} // namespace hashboard
