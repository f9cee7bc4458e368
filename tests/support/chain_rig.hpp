// SPDX-License-Identifier: MIT
// A Chain on the in-process simulated chain (sim:), in virtual time: what the chain
// tests drive.
#pragma once

#include <hashboard/chain.hpp>
#include <hashboard/clock.hpp>
#include <hashboard/transport.hpp>

#include <functional>
#include <memory>
#include <string>

namespace hbtest {

struct ChainRig {
	hashboard::VirtualClock clock;
	std::unique_ptr<hashboard::Transport> transport;
	std::unique_ptr<hashboard::Chain> chain;

	// The chain is told the chips and zero bits the simulator has; uri_extra adds
	// options to the sim: URI ("&dead=2"), tune changes the rest of the configuration.
	ChainRig(const std::string &family, unsigned chips, unsigned zero_bits,
	         const std::string &uri_extra = "",
	         const std::function<void(hashboard::ChainConfig &)> &tune = {})
	{
		transport = hashboard::open_transport(
		    "sim:" + family + "?chips=" + std::to_string(chips) +
		        "&zero_bits=" + std::to_string(zero_bits) + uri_extra,
		    clock);
		hashboard::ChainConfig cfg;
		cfg.family = &hashboard::family_by_name(family);
		cfg.expected_chips = chips;
		cfg.zero_bits = zero_bits;
		if (tune)
			tune(cfg);
		chain = std::make_unique<hashboard::Chain>(*transport, clock, cfg);
	}
};

} // namespace hbtest
