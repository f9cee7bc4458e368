// SPDX-License-Identifier: MIT
// Options every hbctl command shares: which chain, which chips, how to print.
#pragma once

#include <hashboard/chain.hpp>
#include <hashboard/clock.hpp>
#include <hashboard/transport.hpp>
#include <hbsim/sim_chain.hpp>

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

namespace hbctl {

// The chips' family when neither --family nor a sim: URI names one.
inline constexpr const char *kDefaultFamily = "bm1366";

struct CommonOptions {
	std::string transport = "sim";
	std::string family; // empty: from a sim: URI, else kDefaultFamily
	unsigned chips = 0; // 0: from a sim: URI, else 1
	std::optional<unsigned> zero_bits;
	unsigned address_step = 0;
	std::string bringup = "open-firmware"; // whose bring-up recipe (docs/protocol.md)
	bool json = false;
	std::uint64_t seed = hbsim::SimChainConfig{}.seed;
};

void add_common_options(CLI::App &cmd, CommonOptions &opt);

// An open chain and what it runs on; members in destruction order.
struct Session {
	std::unique_ptr<hashboard::Clock> clock;
	std::unique_ptr<hashboard::Transport> transport;
	std::unique_ptr<hashboard::Chain> chain;
	std::string uri;
};

// Resolves defaults (a bare "sim" becomes sim:<family>?chips=N&zero_bits=Z&seed=S) and
// opens the transport and chain. Throws std::invalid_argument for bad combinations.
Session open_session(const CommonOptions &opt,
                     const std::function<void(hashboard::ChainConfig &)> &tune = {});

} // namespace hbctl
