// SPDX-License-Identifier: MIT
#include "board_args.hpp"

#include <hashboard/chip_family.hpp>
#include <hashboard/transport.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace hbctl {
namespace {

double to_number(std::string_view s, const std::string &what)
{
	double v = 0;
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
		throw std::invalid_argument("bad " + what + ": '" + std::string(s) +
		                            "' is not a number");
	return v;
}

unsigned to_index(std::string_view s, const std::string &what)
{
	unsigned v = 0;
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size())
		throw std::invalid_argument("bad " + what + ": '" + std::string(s) +
		                            "' is not a whole number");
	return v;
}

} // namespace

ChipFreq parse_chip_freq(const std::string &arg, const hashboard::BoardConfig &cfg)
{
	const auto colon = arg.find(':'), eq = arg.find('=');
	if (colon == std::string::npos || eq == std::string::npos || eq < colon)
		throw std::invalid_argument("--chip-freq '" + arg + "': expected CHAIN:POS=MHZ");
	ChipFreq f{
	    to_index(arg.substr(0, colon), "chain in --chip-freq '" + arg + "'"),
	    to_index(arg.substr(colon + 1, eq - colon - 1), "chip in --chip-freq '" + arg + "'"),
	    to_number(arg.substr(eq + 1), "MHz in --chip-freq '" + arg + "'")};
	const auto &chain = cfg.chain(f.chain);
	if (f.position >= chain.chips)
		throw std::invalid_argument("--chip-freq '" + arg + "': chain " +
		                            std::to_string(f.chain) + " has chips 0-" +
		                            std::to_string(chain.chips - 1));
	check_frequency(cfg, f.chain, f.mhz, "--chip-freq " + arg);
	return f;
}

DomainVoltage parse_domain_voltage(const std::string &arg, const hashboard::BoardConfig &cfg)
{
	const auto eq = arg.find('=');
	if (eq == std::string::npos || eq == 0)
		throw std::invalid_argument("--domain-voltage '" + arg + "': expected NAME=MV");
	DomainVoltage d{arg.substr(0, eq),
	                to_number(arg.substr(eq + 1), "mV in --domain-voltage '" + arg + "'")};
	cfg.domain(d.domain); // throws, naming the board, when there is no such domain
	return d;
}

void check_frequency(const hashboard::BoardConfig &cfg, unsigned chain_id, double mhz,
                     const std::string &arg)
{
	try {
		hashboard::check_chain_frequency(cfg, cfg.chain(chain_id), mhz);
	} catch (const std::invalid_argument &e) {
		throw std::invalid_argument(arg + ": " + e.what());
	}
}

void apply_chain_overrides(hashboard::BoardConfig &cfg, const ChainOverrides &o)
{
	std::optional<unsigned> zero_bits = o.zero_bits;
	if (!zero_bits && o.sim_devices)
		zero_bits = cfg.sim.zero_bits;
	hashboard::apply_chain_transports(cfg, o.transports, zero_bits);
	for (auto &c : cfg.chains) {
		if (o.ramp_step_mhz)
			c.ramp_step_mhz = *o.ramp_step_mhz;
		if (o.ramp_interval_ms)
			c.ramp_interval = hashboard::from_seconds(*o.ramp_interval_ms / 1000.0,
			                                          "--ramp-interval-ms");
	}
}

} // namespace hbctl
