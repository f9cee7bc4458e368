// SPDX-License-Identifier: MIT
// hbctl board's command-line values, each checked against the board file before anything
// is switched on, so a typo never leaves a board half brought up. All throw
// std::invalid_argument naming the argument (hbctl exits 2).
#pragma once

#include <hashboard/board/board_config.hpp>
#include <hashboard/board/chain_transport.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hbctl {

struct ChipFreq {
	unsigned chain, position;
	double mhz;
};
struct DomainVoltage {
	std::string domain;
	double mv;
};
// --chain-transport's values and parser are the HAL's (hashboardd takes them too).
using hashboard::ChainTransport;
using hashboard::parse_chain_transport;

// "0:3=450": chain 0, chip 3, 450 MHz, inside the board's limits and the PLL's range.
ChipFreq parse_chip_freq(const std::string &arg, const hashboard::BoardConfig &cfg);
// "d1=1250": a domain the board has, and its millivolts.
DomainVoltage parse_domain_voltage(const std::string &arg, const hashboard::BoardConfig &cfg);
// Throws unless mhz is inside the board's limits and the chain's PLL range.
void check_frequency(const hashboard::BoardConfig &cfg, unsigned chain_id, double mhz,
                     const std::string &arg);

// What the command line changes in the board file's chains.
struct ChainOverrides {
	std::vector<ChainTransport> transports; // --chain-transport, one per chain at most
	// --zero-bits: every chain whose transport the command line replaced.
	std::optional<unsigned> zero_bits;
	// --sim-devices: replaced chains default to the board's [sim] zero_bits (what
	// hbsim --board serves) instead of their zero_bits key.
	bool sim_devices = false;
	std::optional<double> ramp_step_mhz;    // every chain
	std::optional<double> ramp_interval_ms; // every chain
};
void apply_chain_overrides(hashboard::BoardConfig &cfg, const ChainOverrides &o);

} // namespace hbctl
