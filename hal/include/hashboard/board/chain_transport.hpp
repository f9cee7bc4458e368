// SPDX-License-Identifier: MIT
// A board file's chain transports replaced from a command line (hbctl board and
// hashboardd's --chain-transport ID=URI), checked against the board before anything is
// switched on. Throws std::invalid_argument naming the argument.
#pragma once

#include <hashboard/board/board_config.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hashboard {

struct ChainTransport {
	unsigned chain;
	std::string uri;
};

// "0=tty:/dev/pts/5?reset=hbsim:/tmp/x.ctl": a chain the board has and a well-formed
// transport URI (docs/transports.md), or "sim" for the in-process simulator.
ChainTransport parse_chain_transport(const std::string &arg, const BoardConfig &cfg);

// Puts each transport on its chain (a chain given twice throws); each replaced chain's
// zero_bits becomes zero_bits when given (what the link's peer, e.g. hbsim --board,
// serves).
void apply_chain_transports(BoardConfig &cfg, const std::vector<ChainTransport> &transports,
                            std::optional<unsigned> zero_bits = std::nullopt);

} // namespace hashboard
