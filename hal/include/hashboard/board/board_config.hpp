// SPDX-License-Identifier: MIT
//
// A board description, read from a TOML board file (docs/board-files.md lists every
// key): its chains, voltage domains, regulators, sensors, fans, GPIO lines, limits, and
// how the simulator builds its twin. Everything is checked when the file is read, so a
// Board never sees an inconsistent description; every error names file, line and key.
#pragma once

#include <hashboard/board/chain_layout.hpp>
#include <hashboard/board/devices.hpp>
#include <hashboard/bringup_recipe.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/clock.hpp>
#include <hashboard/config_file.hpp>
#include <hashboard/target.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard {

// A board file's errors are configuration errors at a place in the file
// (hashboard/config_file.hpp).
using BoardConfigError = ConfigError;

// The transport of a chain that only exists in the simulator.
inline constexpr std::string_view kSimTransport = "sim";
// The gpiochip of a line that only exists in the simulator.
inline constexpr std::string_view kSimGpioChip = "sim";

struct ChainSpec {
	unsigned id = 0;
	const ChipFamily *family = nullptr;
	unsigned chips = 1;
	std::string transport;                              // URI (tty:/dev/ttyS1, ...) or "sim"
	std::uint32_t baud = 0;                             // after bring-up
	unsigned address_step = 0;                          // 0: the chain's default spacing
	BringupStyle bringup = BringupStyle::open_firmware; // whose bring-up recipe
	std::optional<std::uint32_t> hash_counting;         // a factory 0x10 value
	std::optional<std::uint32_t> baud_base;             // the baud register's other bits
	unsigned chips_per_domain = 0;                      // UART relay domains (0x2C); 0: none
	double frequency_mhz = 0;                           // every chip's frequency after bring-up
	std::optional<unsigned> ticket_log2; // unset: chosen from the expected nonce rate
	// Leading zero bits of a difficulty-1 nonce: 32 on real chips; an hbsim behind a
	// tty: or unix: link needs its own setting here. In-process sim chains use [sim].
	unsigned zero_bits = kRealChipZeroBits;
	// PLL ramp step and pace (Chain's defaults). Not board-file keys: tools set them
	// (hbctl board --ramp-step, --ramp-interval-ms) where a real-time run cannot
	// afford the careful default.
	double ramp_step_mhz = 6.25;
	Duration ramp_interval = std::chrono::milliseconds(100);
	// Where the chips sit ([chain.layout]); unset: reports draw them in chain order.
	std::optional<ChainLayout> layout;
};

// Inclusive chip positions.
struct ChipRange {
	unsigned first = 0;
	unsigned last = 0;
	bool contains(unsigned position) const { return position >= first && position <= last; }
};

struct DomainSpec {
	std::string name;
	std::string regulator;
	unsigned chain = 0; // chain id
	std::vector<ChipRange> chips;
	bool contains(unsigned position) const;
	unsigned chip_count() const;
};

enum class RegulatorType { tps546, sim };
struct RegulatorSpec {
	std::string name;
	RegulatorType type = RegulatorType::sim;
	std::string bus; // /dev/i2c-N
	std::uint8_t address = 0;
	VoltageLimits vout;
	double default_mv = 0;
	std::optional<double> vin_v; // the twin's input voltage; the board's [sim] vin_v if unset
	std::optional<std::uint8_t> on_off_config; // TPS546 ON_OFF_CONFIG written at start
};

enum class SensorType { lm75, tmp75, emc2101, hwmon, sim };
struct SensorSpec {
	std::string name;
	SensorType type = SensorType::sim;
	std::string bus;
	std::uint8_t address = 0;
	std::string hwmon;       // hwmon device name (the "name" attribute)
	unsigned index = 1;      // tempN_input
	bool internal = false;   // emc2101: its own die instead of the external diode
	double sim_offset_c = 0; // the twin reads the board temperature plus this
	// Where it sits: on one chain's hashboard (nullopt: the board as a whole), and
	// whether it reads the chips (an ASIC's diode) or the board around them. The daemon
	// reports it as that chain's chip or board temperature.
	std::optional<unsigned> chain;
	bool measures_chips = false;
};

enum class FanType { hwmon, emc2101, sim };
struct FanSpec {
	std::string name;
	FanType type = FanType::sim;
	std::string bus;
	std::uint8_t address = 0;
	std::string hwmon;
	unsigned pwm = 1;  // pwmN
	unsigned tach = 1; // fanN_input
	double duty = 1.0; // set at power-up
	// When set, a PI loop holds the hottest sensor at this temperature (FanPid).
	std::optional<double> target_c;
	double min_duty = 0.2;
	double max_rpm = 6000; // the twin's speed at full duty
};

enum class GpioRole { reset, power_enable, plug_detect };
struct GpioSpec {
	std::string name;
	GpioRole role = GpioRole::reset;
	std::string chip; // gpiochip name or label; "sim": a twin even on real hardware
	unsigned offset = 0;
	bool active_low = false;
	std::optional<unsigned> chain; // reset, plug_detect: one chain; unset: every chain
	bool serves(unsigned chain_id) const { return !chain || *chain == chain_id; }
};

// Where the board's serial number is: an I2C EEPROM with one-byte offsets (24C01 ..
// 24C16; past 256 bytes the offset's high bits select the next addresses, as those
// parts do), or the simulator's twin.
enum class EepromType { at24, sim };
struct EepromSpec {
	EepromType type = EepromType::sim;
	std::string bus;
	std::uint8_t address = 0x50;
	unsigned serial_offset = 0;
	unsigned serial_length = 32; // printable ASCII, ended early by NUL or 0xFF
};

struct BoardLimits {
	double temp_warn_c = 0;
	double temp_trip_c = 0;
	VoltageLimits vout; // intersected with each regulator's own range
	double freq_min_mhz = 0;
	double freq_max_mhz = 0;
	std::optional<double> power_max_w;
	double fan_min_rpm = 0; // 0: fan speed is not checked
};

struct SafetySpec {
	unsigned sensor_loss_reads = 3; // consecutive failed reads that make a device lost
	Duration watchdog_timeout = std::chrono::seconds(5);
	Duration fan_grace = std::chrono::seconds(5); // slow fan tolerated this long
	Duration power_good_timeout = std::chrono::seconds(1);
};

enum class SimFaultType {
	dead_chip,       // chain cut at a position
	mute_chip,       // a chip that relays but never answers
	bit_errors,      // on the chip-to-host wire
	freq_limit,      // every chip of a chain fails above this frequency
	unplugged,       // the chain's plug-detect line reads inactive
	fan_stall,       // at at_s
	sensor_failure,  // at at_s
	regulator_fault, // at at_s
	weak_chip,       // a chip whose wrong-nonce rate never falls below a floor
	vout_droop,      // a regulator's output sags below its set point, at at_s
	dead_cores,      // a chip whose first N cores never find a nonce
	broken_link      // the chain's link carries nothing: no chip hears the host
};
std::string_view sim_fault_type_name(SimFaultType type);

struct SimFault {
	SimFaultType type = SimFaultType::dead_chip;
	unsigned chain = 0;    // chain faults
	unsigned position = 0; // dead_chip, mute_chip, weak_chip
	double value =
	    0; // bit_errors, weak_chip: rate; freq_limit: MHz; vout_droop: mV; dead_cores: N
	std::string device; // device faults: fan, sensor or regulator name
	std::string fault;  // regulator_fault: PMBus fault name
	Duration at{0};     // device faults: clock time after the board was built
};

// The simulated board's air and heat path: the [sim] keys' defaults, and the thermal
// twin's (SimThermalModel::Params).
struct SimThermal {
	double ambient_c = 25;
	double r_th_c_per_w = 0.12; // board-to-air at full airflow
	Duration tau = std::chrono::seconds(20);
	// Chips along the airflow: a chip's rise over ambient is the board's times
	// 1 + gradient * (x - 0.5), x = 0 at the inlet (first chip) .. 1 at the outlet.
	double airflow_gradient = 0.5;
};

// The chips' hidden physics a board file may size (docs/physics.md); unset figures are
// the chip family's.
struct SimPhysics {
	double process_spread = 0.04; // sigma of the per-chip speed factor
	unsigned weak_chips = 2;      // per chain (at most one chip in eight)
	double weak_speed = 0.86;     // their speed factor's centre
	double leak_w = -1;           // per chip at the family's reference; < 0: the family's
	double fan_noise_db = 69;     // one fan at full duty, dB(A) (the model's, not a sensor)
};

// How the simulator builds this board (used with --sim, and for sim-only boards).
struct SimSpec {
	// Below the simulator's own default on purpose: a board of hundreds of simulated
	// chips stays cheap (docs/board-files.md).
	unsigned zero_bits = 10;
	// Unset: the simulator's default seed (hbsim::SimChainConfig); the simulator's
	// types stay out of the HAL's public headers, so the fact is read where they meet.
	std::optional<std::uint64_t> seed;
	SimThermal thermal;
	double chip_w_per_mhz_v2 = 0; // C of P = C V^2 f + leakage per chip; 0: the family's
	SimPhysics physics;
	double vin_v = 12;
	std::string serial; // what the twin EEPROM's serial field holds ("": blank)
	std::vector<SimFault> faults;
};

struct BoardConfig {
	std::string file; // where it was read from, for messages
	std::string name;
	std::string description;
	std::vector<ChainSpec> chains;
	std::vector<DomainSpec> domains;
	std::vector<RegulatorSpec> regulators;
	std::vector<SensorSpec> sensors;
	std::vector<FanSpec> fans;
	std::vector<GpioSpec> gpios;
	std::optional<EepromSpec> eeprom;
	BoardLimits limits;
	SafetySpec safety;
	SimSpec sim;

	// Throw std::invalid_argument naming what was asked for.
	const ChainSpec &chain(unsigned id) const;
	const DomainSpec &domain(std::string_view name) const;
	const RegulatorSpec &regulator(std::string_view name) const;
	// The board's and the regulator's voltage ranges together.
	VoltageLimits vout_limits(const RegulatorSpec &regulator) const;
	unsigned total_chips() const;
	// True when every chain and device exists only in the simulator.
	bool simulated() const;
};

// Reads and checks a board file. Throws BoardConfigError (an std::invalid_argument) for
// any syntax or semantic error, and for a file that cannot be read.
BoardConfig load_board_config(const std::filesystem::path &file);
// The same from text; source_name stands for the file in messages.
BoardConfig parse_board_config(std::string_view text, std::string source_name);

// "0-2" or "5": inclusive chip positions; throws std::invalid_argument.
ChipRange parse_chip_range(std::string_view text);

// Throws std::invalid_argument when mhz is not a frequency chain's chips may run at on
// this board: not finite, outside the board's limits, or outside the family's PLL range.
// The Board checks every frequency with it; tools check their arguments with it first.
void check_chain_frequency(const BoardConfig &config, const ChainSpec &chain, double mhz);

} // namespace hashboard
