// SPDX-License-Identifier: MIT
//
// A chain of simulated BM13xx chips behind one UART, at byte level. The chain is lazy:
// its state is a function of time and of what the host wrote, so it runs exactly the
// same in virtual time (in-process, as fast as the CPU allows) and in real time (hbsim
// on a pty or socket). Deterministic for a seed.
#pragma once

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/bytes.hpp>
#include <hashboard/clock.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hbsim {

using hashboard::Duration;

namespace detail {
class RtlChain;
}

// The seam for the chips' physics: what a chip does at a frequency, voltage and
// temperature. The board model is ProcessPhysics (hbsim/physics.hpp, docs/physics.md);
// a bare chain keeps the simple frequency limit below.
struct ChipConditions {
	unsigned position;
	double freq_mhz;
	double voltage_mv;
	double temperature_c;
};
class ChipPhysics {
public:
	virtual ~ChipPhysics() = default;
	// Probability that a nonce the chip reports is wrong (does not meet its target).
	virtual double wrong_nonce_probability(const ChipConditions &c) const = 0;
	// Watts the chip draws (0: the model does not say).
	virtual double power_w(const ChipConditions &) const { return 0.0; }
};
// p = min(1, slope * (f - limit) / limit) above the limit, 0 below it.
class FrequencyLimitPhysics final : public ChipPhysics {
public:
	FrequencyLimitPhysics(double limit_mhz, double slope) : limit_(limit_mhz), slope_(slope) {}
	double wrong_nonce_probability(const ChipConditions &c) const override;

private:
	double limit_;
	double slope_;
};

class LiveConditions; // hbsim/physics.hpp

struct Faults {
	std::optional<unsigned>
	    dead_chip; // chain cut at this position: it and all after it are gone
	std::optional<unsigned> mute_chip; // relays and hashes nothing to the host: never answers
	double bit_error_rate = 0.0;       // per bit, on the chip->host wire
	// A chip whose cores 0..cores-1 never find a nonce (they still clock, so its hash
	// counter keeps counting): dead cores a station's per-core check must see.
	struct DeadCores {
		unsigned position;
		unsigned cores;
	};
	std::vector<DeadCores> dead_cores;
};

// The defaults are the simulator's default chain, the one place its defaults are
// stated: a bare sim: URI, hbctl's built-in chain and hbsim without options all start
// from SimChainConfig{} (docs/simulator.md).
struct SimChainConfig {
	// The chip: "bm1397", "bm1366", "bm1368" or "bm1370". The simulator knows the chips
	// from its own model (sim/src/chip_model.cpp), not from the HAL's family table.
	// "hbfp": the FPGA prototype's chip, its RTL Verilated (sim/src/rtl_chain.hpp); its
	// ticket register alone decides what it reports, so zero_bits does not apply to it.
	std::string family = "bm1366";
	unsigned chips = 4;
	// Leading zero bits a nonce needs before a chip reports it (ticket mask difficulty
	// 1). Real chips: 32. Below 32 the chips compute 2^(zero_bits-32) of the nominal
	// hashes, so nonces arrive at the real chip's rate, each one honestly found. The
	// default is cheap enough for tests and demos, still 4096 SHA-256d a nonce.
	unsigned zero_bits = 12;
	std::uint64_t seed = 1;
	double freq_limit_mhz = 0; // 0: the chip's nominal frequency * 1.15
	double error_slope = 4.0;
	std::shared_ptr<const ChipPhysics> physics; // overrides freq_limit/error_slope
	Faults faults;
	double voltage_mv = 1200;
	double temperature_c = 50;
	// Set: the chips' voltage and temperature follow it while they mine (a board's
	// twins write it); unset: voltage_mv and temperature_c hold for every chip.
	std::shared_ptr<LiveConditions> conditions;
};

// Throws std::invalid_argument as SimChain's constructor does for a bad configuration
// (an unknown chip name lists the known ones).
void validate(const SimChainConfig &config);

// SHA-256d per second the chain's chips compute with every chip at the stable-frequency
// limit: 2^(zero_bits-32) of their nominal hashes. In real time (hbsim) the simulator
// must keep up with this, or replies come late.
double real_time_hash_rate(const SimChainConfig &config);

// What a test or hbsim's log can see of one chip.
struct ChipView {
	unsigned position;
	std::uint8_t address;
	bool addressed;
	double freq_mhz;
	double baud;
	std::uint32_t ticket_mask;
	bool version_rolling;
	std::size_t reply_len;           // 9, or 11 once 0xA4 enables rolling (BM1366+)
	bool hashing;                    // clock running and (BM1366+) hash counting number set
	std::uint64_t hashes;            // SHA-256d actually computed
	std::uint64_t nonces_found;      // met the ticket target and were reported
	std::uint64_t nonces_unreported; // met it, but their cores' report enable was clear
	std::uint64_t nonces_wrong;      // reported corrupted (over the frequency limit)
	std::uint64_t frames_dropped;    // host frames this chip saw with a bad CRC
};

class SimChain {
public:
	explicit SimChain(SimChainConfig config);
	~SimChain();
	SimChain(const SimChain &) = delete;
	SimChain &operator=(const SimChain &) = delete;

	// Reset line (active low on hardware; asserted = held in reset). Releasing it
	// returns every chip to its power-on state.
	void set_reset(Duration t, bool asserted);
	void host_write(Duration t, hashboard::ByteSpan data);
	// When the host UART will have sent the last byte written so far; at or before now
	// when it is idle. A real-time host is fed no faster than this (hbsim's backpressure).
	Duration host_tx_done() const;
	// Host UART baud; bytes cross the wire intact only when both ends agree (within 5%).
	void set_host_baud(Duration t, double baud);
	// Runs hashing and the reply wire up to t. Times never go backwards.
	void advance_to(Duration t);
	// When the next queued byte to the host completes, if one is queued.
	std::optional<Duration> next_rx_time() const;
	// Moves bytes that reached the host by `now` into out; returns the count.
	std::size_t host_read(Duration now, std::span<std::uint8_t> out);

	std::size_t chip_count() const;
	ChipView chip(unsigned position) const;
	const SimChainConfig &config() const;
	// What the chip draws now by the physics, at its PLL frequency and its present
	// temperature, were its supply at voltage_mv (the rail asks at its own output).
	double chip_power_w(unsigned position, double voltage_mv) const;
	// The conditions the chip runs under now.
	ChipConditions chip_conditions(unsigned position) const;
	// Nominal hashes the chips did (what real chips would have done).
	double nominal_hashes() const;
	void set_logger(std::function<void(const std::string &)> log);

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;            // simulated BM13xx chips, or
	std::unique_ptr<detail::RtlChain> rtl_; // RTL chips (family "hbfp")
};

} // namespace hbsim
