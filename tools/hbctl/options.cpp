// SPDX-License-Identifier: MIT
#include "options.hpp"
#include "validators.hpp"

#include "transport/sim_transport.hpp"
#include "transport/uri.hpp"

#include <hashboard/chip_family.hpp>
#include <hashboard/target.hpp>
#include <hbsim/sim_chain.hpp>

#include <limits>
#include <stdexcept>

namespace hbctl {

void add_common_options(CLI::App &cmd, CommonOptions &opt)
{
	cmd.add_option("-t,--transport", opt.transport,
	               "chain link: sim (built-in simulated board), sim:<family>?chips=N&..., "
	               "tty:/dev/ttyX, unix:/path, ftdi:vid:pid[:serial], spidev:/dev/spidevB.C "
	               "(default: sim; docs/transports.md)");
	cmd.add_option("-f,--family", opt.family,
	               "chip family: bm1397, bm1366, bm1368, bm1370, hbfp");
	cmd.add_option("-n,--chips", opt.chips, "chips the chain should have")
	    ->transform(whole_range(1, 256));
	cmd.add_option("--zero-bits", opt.zero_bits,
	               "leading zero bits of a difficulty-1 chip nonce (32 on real chips; the "
	               "simulator's setting otherwise; at most " +
	                   std::to_string(kMaxVirtualZeroBits) + " on the in-process simulator)")
	    ->transform(whole_range(1, hashboard::kRealChipZeroBits));
	cmd.add_option("--address-step", opt.address_step, "chip address spacing (0: 256/chips)")
	    ->transform(whole_range(0, 128));
	cmd.add_option("--bringup", opt.bringup,
	               "bring-up recipe: open-firmware (ESP-Miner, Bitaxe-class) or factory "
	               "(stock multi-chip boards)")
	    ->check(CLI::IsMember({"open-firmware", "factory"}));
	cmd.add_option("--seed", opt.seed, "simulator and synthetic work seed")
	    ->transform(whole_range(0, std::numeric_limits<std::uint64_t>::max()));
	cmd.add_flag("--json", opt.json, "print one JSON document instead of tables");
}

Session open_session(const CommonOptions &opt,
                     const std::function<void(hashboard::ChainConfig &)> &tune)
{
	Session s;
	std::string family = opt.family;
	unsigned chips = opt.chips;
	std::optional<unsigned> zero_bits = opt.zero_bits;
	std::string uri = opt.transport;

	if (uri == "sim") {
		// The built-in chain: the simulator's defaults, with what the options say.
		const hbsim::SimChainConfig defaults;
		uri = "sim:" + (family.empty() ? defaults.family : family) +
		      "?chips=" + std::to_string(chips ? chips : defaults.chips) +
		      "&zero_bits=" + std::to_string(zero_bits.value_or(defaults.zero_bits)) +
		      "&seed=" + std::to_string(opt.seed);
	}
	namespace transport = hashboard::transport;
	if (const auto parsed = transport::parse_transport_uri(uri); parsed.scheme == "sim") {
		// The HAL's own reading of the URI, so hbctl and the transport agree on it.
		const hbsim::SimChainConfig sim = transport::sim_chain_config(parsed);
		if (family.empty())
			family = sim.family;
		else if (family != sim.family)
			throw std::invalid_argument("--family " + family +
			                            " contradicts the transport's " + sim.family);
		if (!chips)
			chips = sim.chips;
		if (!zero_bits)
			zero_bits = sim.zero_bits;
	}
	if (family.empty())
		family = kDefaultFamily;
	if (!chips)
		chips = 1;

	hashboard::ChainConfig cfg;
	cfg.family = &hashboard::family_by_name(family);
	cfg.expected_chips = chips;
	cfg.address_step = opt.address_step;
	cfg.style = hashboard::bringup_style_by_name(opt.bringup);
	cfg.zero_bits = zero_bits.value_or(hashboard::kRealChipZeroBits);
	if (tune)
		tune(cfg);

	s.uri = uri;
	s.clock = hashboard::clock_for_transport(uri);
	// In virtual time the simulator computes 2^(zero_bits-32) of the nominal hashes
	// (hashing at 32 is real work): refused before it starts rather than left to run for
	// hours.
	if (s.clock->is_virtual() && zero_bits && *zero_bits > kMaxVirtualZeroBits)
		throw std::invalid_argument(
		    std::string(opt.zero_bits ? "--zero-bits " : "zero_bits=") +
		    std::to_string(*zero_bits) +
		    ": the in-process simulator runs in virtual "
		    "time and computes 2^(zero_bits-32) of the nominal hashes; at most " +
		    std::to_string(kMaxVirtualZeroBits) +
		    " (32 on real chips, or on hbsim in real time)");
	s.transport = hashboard::open_transport(uri, *s.clock);
	s.chain = std::make_unique<hashboard::Chain>(*s.transport, *s.clock, cfg);
	return s;
}

} // namespace hbctl
