// SPDX-License-Identifier: MIT
//
// A hashboard: its chains, regulators, sensors, fans and GPIO lines, brought up and
// down in the one order that is safe, and driven to a safe state when something fails.
// docs/board-files.md describes the files and draws the state machine:
//
//   off --power_up--> powered --start_chains--> enumerated --send_work--> mining
//    ^                  |                          |                        |
//    +----------------------------- power_down ----------------------------+
//   any --trip--> tripped --clear_trip--> off
//
// Every operation called in a state that does not allow it throws std::logic_error.
#pragma once

#include <hashboard/board/board_config.hpp>
#include <hashboard/board/devices.hpp>
#include <hashboard/chain.hpp>
#include <hashboard/clock.hpp>
#include <hashboard/transport.hpp>
#include <hashboard/work.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard {

class FanPid;

// A chain's link as a factory makes it, with the nonce difficulty its chips report at.
struct ChainLink {
	std::unique_ptr<Transport> transport;
	unsigned zero_bits = kRealChipZeroBits; // the simulator's [sim] zero_bits otherwise
};

// Makes a board's chain links and devices from their specs: real Linux devices, the
// simulator's twins, or a mix. The Board asks once per spec while it is being built
// (chains first), and keeps the factory alive as long as itself.
class DeviceFactory {
public:
	virtual ~DeviceFactory() = default;
	// clock is the chain's own (the Board's, or in virtual time during a parallel
	// phase, the chain's timeline): the link keeps time by it and it outlives the link.
	virtual ChainLink open_chain(const ChainSpec &spec, Clock &clock) = 0;
	virtual std::shared_ptr<Regulator> make_regulator(const RegulatorSpec &spec) = 0;
	virtual std::shared_ptr<TemperatureSensor> make_sensor(const SensorSpec &spec) = 0;
	virtual std::shared_ptr<Fan> make_fan(const FanSpec &spec) = 0;
	virtual std::shared_ptr<GpioLine> make_gpio(const GpioSpec &spec) = 0;
	// The identity EEPROM; a factory that has none returns nullptr.
	virtual std::shared_ptr<Eeprom> make_eeprom(const EepromSpec &spec)
	{
		(void)spec;
		return nullptr;
	}
	// One control-loop step (Board::update): the simulator's scheduled faults.
	virtual void update(Duration now) { (void)now; }
};

// Real devices by their board-file type (tps546 over /dev/i2c-N, lm75/tmp75, emc2101,
// hwmon, libgpiod lines) and chains through open_transport(); "sim" devices and "sim"
// chains get the simulator's twins. clock must outlive the factory.
std::shared_ptr<DeviceFactory> make_hardware_device_factory(const BoardConfig &config,
                                                            const Clock &clock);

enum class BoardState { off, powered, enumerated, mining, tripped };
std::string_view board_state_name(BoardState state);

enum class TripCause {
	over_temperature,
	fan_failure,
	regulator_fault,
	sensor_loss,
	over_power,
	watchdog,
	link_failure,
	operator_request,
};
std::string_view trip_cause_name(TripCause cause);

struct TripReason {
	TripCause cause = TripCause::operator_request;
	std::string device; // the sensor, fan, regulator or chain; empty for the watchdog
	std::string detail; // "96.2 C at or above the trip limit 85 C"
	Duration when{};
	// "over_temperature: sensor 'board': 96.2 C at or above the trip limit 85 C"
	std::string message() const;
};

// What start_chains() found and set on one chain.
struct ChainBringUp {
	unsigned chain_id = 0;
	ScanResult scan;
	std::uint32_t baud = 0;
	unsigned ticket_log2 = 0;
	double max_mhz = 0; // the fastest chip after the ramp
};

struct SensorReading {
	std::string name;
	std::optional<double> celsius;
	std::string error; // DeviceError text when the read failed
};
struct FanReading {
	std::string name;
	double duty = 0;
	std::optional<double> rpm;
	std::string error;
};
struct RegulatorReading {
	std::string name;
	std::optional<double> vout_mv;
	std::optional<double> iout_a;
	std::optional<RegulatorStatus> status;
	std::string error;
	double power_w() const { return vout_mv && iout_a ? *vout_mv / 1000.0 * *iout_a : 0.0; }
};

class BoardWaker; // board_waker.hpp
class LinkPoller; // link_poller.hpp

class Board {
public:
	using NonceSink = std::function<void(unsigned chain_id, const NonceEvent &)>;
	using Logger = std::function<void(const std::string &)>;
	// With the board time the line stands for: a chain's own time for the lines of a
	// parallel phase, which arrive only when the phase is over.
	using TimedLogger = std::function<void(Duration when, const std::string &)>;
	// Who trips: the control thread does the whole safe state; another thread (the
	// watchdog's) cuts power only, because the stuck control thread may own the links.
	enum class TripScope { full, power_only };

	// Opens every chain and makes every device through devices. The board starts off;
	// nothing is switched until power_up().
	Board(BoardConfig config, Clock &clock, std::shared_ptr<DeviceFactory> devices);
	// Leaves the hardware safe whatever the state (frequencies down fast, reset, power
	// off); never throws.
	~Board();
	Board(const Board &) = delete;
	Board &operator=(const Board &) = delete;

	const BoardConfig &config() const { return config_; }
	Clock &clock() { return clock_; }
	BoardState state() const { return state_.load(); }
	std::optional<TripReason> trip_reason() const;
	// Bring-up steps, warnings and trips, one line each (default: nowhere). Calls are
	// serialised; lines of the chains' parallel phases arrive when the phase is over,
	// ordered by their chain's time then chain id. Must not call back into the Board.
	void set_logger(Logger logger);
	void set_logger(TimedLogger logger);
	// Called at each step of a long operation (PLL ramps, enumeration) with what it is
	// doing; hbctl shows it and kicks the safety watchdog from it. In real time the
	// chains' threads call it as they go (serialised); it must not call into the Board.
	void set_progress(std::function<void(std::string_view)> progress);

	// off -> powered: plug detect checked, every reset asserted, power enable on, each
	// regulator's VOUT set (clamped to the board's limits) then its output on and power
	// good awaited, fans started. A failure leaves the board off (everything switched
	// off again) and throws OperationalError naming the device (DeviceError when a device
	// itself fails).
	void power_up();
	// powered -> enumerated: resets released (power is good), then every chain at once:
	// enumerate (a break is reported, not thrown), baud switch, ticket mask, PLL ramp to
	// each chip's target frequency. A link failure on any chain stops the others at their
	// next step, leaves the board off and rethrows (the first failing chain's error).
	const std::vector<ChainBringUp> &start_chains();
	const std::vector<ChainBringUp> &bring_up_report() const { return bring_up_; }
	// enumerated|mining -> mining: one job to every chain that has chips; next_work is
	// called once per chain, because chains given the same header would search the same
	// nonces twice.
	void send_work(const std::function<Work()> &next_work);
	// The same, naming the chain each job is for (a pool's extranonce2 space is split
	// by chain).
	void send_work(const std::function<Work(unsigned chain_id)> &next_work);
	// mining: reads the chains for up to timeout on the shared clock, or until wake().
	// In real time, links that can be polled (ttys, sockets, the kernel's devices) are
	// waited on together (one epoll set), each read as soon as it has bytes, and the
	// others (the in-process simulator, USB bulk, SPI) are swept every millisecond; a
	// wake() ends the wait at once. In virtual time each chain is read in turn, a slice
	// each. A link failure trips the board (link_failure) and returns.
	void poll(Duration timeout, const NonceSink &sink);
	// From any thread: the poll running now (or the next one) returns at once, so the
	// thread that holds the board sees new work or a command without waiting out its
	// timeout. Never throws.
	void wake() noexcept;
	// powered|enumerated|mining -> off: PLLs ramped down (every chain at once), resets
	// asserted, regulators off, power enable off. Fans keep running.
	void power_down();
	// any state -> tripped, unless already tripped (then the first reason stays and this
	// returns false). Ends in the safe state, every Chain off (power_only: at the control
	// thread's next poll, update or clear_trip); never throws.
	bool trip(TripReason reason, TripScope scope = TripScope::full);
	// tripped -> off, forgetting the reason (regulator faults are cleared).
	void clear_trip();
	// One control step: fan loops and the device factory's own (simulated faults).
	void update(Duration now);

	// powered: sets the target start_chains() ramps to; enumerated|mining: ramps the chip
	// now. Throws std::invalid_argument outside the board's and the family's range.
	void set_chip_frequency(unsigned chain_id, unsigned position, double mhz);
	void set_chain_frequency(unsigned chain_id, double mhz);
	// Every chip of a chain in one ramp (a tuner moves them all at once).
	void set_chip_frequencies(unsigned chain_id, const std::vector<double> &mhz);
	const std::vector<double> &chip_targets(unsigned chain_id) const;
	// powered|enumerated|mining: sets the domain's regulator, clamped to the regulator's
	// and the board's limits; returns the millivolts requested. Domains that share a
	// regulator share its voltage.
	double set_domain_voltage(std::string_view domain, double mv);

	const std::vector<unsigned> &chain_ids() const { return chain_ids_; }
	Chain &chain(unsigned chain_id);
	const Chain &chain(unsigned chain_id) const;
	std::string link_description(unsigned chain_id) const;

	// Device readings for the safety supervisor and status output: errors are caught
	// and reported per device. Safe from any thread.
	std::vector<SensorReading> read_sensors();
	std::vector<FanReading> read_fans();
	std::vector<RegulatorReading> read_regulators();
	void set_fan_duty(double fraction);
	// A noise cap for the fans that run their own temperature loop (board file
	// target_c): the loop never asks for more than duty. Returns whether any fan has
	// a loop; fans without one keep what set_fan_duty gave them.
	bool set_fan_loop_cap(double duty);
	Regulator &regulator(std::string_view name);
	// The serial number in the board's EEPROM (board file [eeprom]): its printable ASCII
	// up to the first NUL or 0xFF, spaces trimmed; nullopt when the board has no EEPROM
	// or the field is blank. DeviceError when the EEPROM does not answer; any state (the
	// EEPROM sits on the control board's standby supply).
	std::optional<std::string> read_serial();

private:
	struct ChainSlot;
	class ChainTask;
	// board_mining.cpp: the two ways poll() reads. Each returns false once the board
	// left mining (a link failure tripped it).
	bool read_chain(ChainSlot &slot, Duration timeout, const NonceSink &sink);
	void poll_real_time(Duration deadline, const NonceSink &sink);
	void poll_in_turn(Duration deadline, const NonceSink &sink);
	struct Phase;
	std::size_t index_of(unsigned chain_id) const;
	void require(std::initializer_list<BoardState> allowed, const char *operation) const;
	void log(const std::string &line);
	void log_at(Duration when, const std::string &line);
	void progress(std::string_view what);
	void assert_resets(bool include_links);
	void release_resets();
	void switch_power_off();
	void ramp_down_fast(ChainSlot &slot);
	// Every chain's PLLs down fast, at once; a chain that cannot is logged and skipped.
	void ramp_all_down_fast() noexcept;
	// The chips have no power any more (a trip, a failed bring-up, a power-down): each
	// Chain is told, so it is off as its chips are. Does nothing inside a chain phase,
	// whose threads hold the chains: the phase's end, or the control thread's next board
	// call, does it then.
	void chains_lost_power();
	// Runs work for every chain at once (board_parallel.cpp); rethrows the first failing
	// chain's exception once every chain's work has ended.
	void for_each_chain(const std::function<void(ChainTask &)> &work);
	void start_chain(ChainTask &task, ChainBringUp &report);
	unsigned auto_ticket_log2(const ChainSlot &slot) const;
	GpioLine *gpio(GpioRole role, std::optional<unsigned> chain_id) const;

	// Declared first, destroyed last: everything below may hold parts it made.
	std::shared_ptr<DeviceFactory> devices_;
	BoardConfig config_;
	Clock &clock_;
	std::vector<std::unique_ptr<ChainSlot>> chains_;
	std::size_t poll_next_ = 0; // the chain poll() reads first
	std::unique_ptr<BoardWaker> waker_;
	std::unique_ptr<LinkPoller> poller_; // made at the first poll over pollable links
	std::vector<unsigned> chain_ids_;
	std::vector<std::shared_ptr<Regulator>> regulators_;
	std::vector<std::shared_ptr<TemperatureSensor>> sensors_;
	std::vector<std::shared_ptr<Fan>> fans_;
	std::vector<std::unique_ptr<FanPid>> fan_pids_; // per fan, when it has a target
	std::vector<std::shared_ptr<GpioLine>> gpios_;
	std::shared_ptr<Eeprom> eeprom_;
	std::vector<ChainBringUp> bring_up_;
	Duration reset_asserted_at_{0};
	std::atomic<BoardState> state_{BoardState::off};
	std::atomic<bool> in_phase_{false}; // for_each_chain is running
	// Guards the devices and the trip reason: the watchdog thread may trip the board
	// while the control thread reads a sensor.
	mutable std::mutex mutex_;
	std::optional<TripReason> trip_reason_;
	// Each sink its own lock: the watchdog thread's trip logs while a chain's thread
	// may be inside the progress callback.
	std::mutex log_mutex_;
	TimedLogger logger_;
	std::mutex progress_mutex_;
	std::function<void(std::string_view)> progress_;
};

} // namespace hashboard
