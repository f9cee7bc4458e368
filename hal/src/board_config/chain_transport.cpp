// SPDX-License-Identifier: MIT
#include <hashboard/board/chain_transport.hpp>

#include <hashboard/transport.hpp>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace hashboard {

ChainTransport parse_chain_transport(const std::string &arg, const BoardConfig &cfg)
{
	const auto eq = arg.find('=');
	if (eq == std::string::npos || eq == 0 || eq + 1 == arg.size())
		throw std::invalid_argument("--chain-transport '" + arg +
		                            "': expected ID=URI, e.g. "
		                            "0=tty:/dev/pts/5?reset=hbsim:/tmp/chain0.ctl");
	ChainTransport t{0, arg.substr(eq + 1)};
	const auto [p, ec] = std::from_chars(arg.data(), arg.data() + eq, t.chain);
	if (ec != std::errc() || p != arg.data() + eq)
		throw std::invalid_argument("bad chain id in --chain-transport '" + arg + "': '" +
		                            arg.substr(0, eq) + "' is not a whole number");
	try {
		cfg.chain(t.chain);
		if (t.uri != kSimTransport)
			clock_for_transport(t.uri); // parses the URI and its scheme
	} catch (const std::invalid_argument &e) {
		throw std::invalid_argument("--chain-transport '" + arg + "': " + e.what());
	}
	return t;
}

void apply_chain_transports(BoardConfig &cfg, const std::vector<ChainTransport> &transports,
                            std::optional<unsigned> zero_bits)
{
	std::vector<unsigned> seen;
	for (const auto &t : transports) {
		if (std::find(seen.begin(), seen.end(), t.chain) != seen.end())
			throw std::invalid_argument("--chain-transport: chain " +
			                            std::to_string(t.chain) + " given twice");
		seen.push_back(t.chain);
		for (auto &c : cfg.chains) {
			if (c.id != t.chain)
				continue;
			c.transport = t.uri;
			if (zero_bits)
				c.zero_bits = *zero_bits;
		}
	}
}

} // namespace hashboard
