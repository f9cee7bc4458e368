// SPDX-License-Identifier: MIT
#include "options.hpp"
#include "validators.hpp"

#include <hashboard/chip_family.hpp>

#include <charconv>
#include <limits>
#include <map>
#include <stdexcept>

namespace hbctl {
namespace {

// The simulator's own default; real chips report at 32 zero bits.
constexpr unsigned kSimZeroBits = 12;
constexpr unsigned kSimChips = 4;

std::map<std::string, std::string> sim_query(const std::string &uri, std::string &family)
{
	std::map<std::string, std::string> q;
	const std::string body = uri.substr(4);
	const auto qpos = body.find('?');
	family = body.substr(0, qpos);
	if (qpos == std::string::npos)
		return q;
	std::string rest = body.substr(qpos + 1);
	while (!rest.empty()) {
		const auto amp = rest.find('&');
		const std::string kv = rest.substr(0, amp);
		const auto eq = kv.find('=');
		if (eq != std::string::npos)
			q[kv.substr(0, eq)] = kv.substr(eq + 1);
		rest = amp == std::string::npos ? "" : rest.substr(amp + 1);
	}
	return q;
}

unsigned to_unsigned(const std::string &s, const char *what)
{
	unsigned v = 0;
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc() || p != s.data() + s.size())
		throw std::invalid_argument(std::string("bad ") + what + " '" + s + "' in transport URI");
	return v;
}

} // namespace

void add_common_options(CLI::App &cmd, CommonOptions &opt)
{
	cmd.add_option("-t,--transport", opt.transport,
		       "chain link: sim (built-in simulated board), sim:<family>?chips=N&..., "
		       "tty:/dev/ttyX, unix:/path, ftdi:vid:pid[:serial], spidev:/dev/spidevB.C "
		       "(default: sim; docs/transports.md)");
	cmd.add_option("-f,--family", opt.family, "chip family: bm1397, bm1366, bm1368, bm1370");
	cmd.add_option("-n,--chips", opt.chips, "chips the chain should have")
		->transform(whole_range(1, 256));
	cmd.add_option("--zero-bits", opt.zero_bits,
		       "leading zero bits of a difficulty-1 chip nonce (32 on real chips; the "
		       "simulator's setting otherwise; at most " +
			       std::to_string(kMaxVirtualZeroBits) + " on the in-process simulator)")
		->transform(whole_range(1, 32));
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
		if (family.empty())
			family = "bm1366";
		if (!chips)
			chips = kSimChips;
		if (!zero_bits)
			zero_bits = kSimZeroBits;
		uri = "sim:" + family + "?chips=" + std::to_string(chips) +
		      "&zero_bits=" + std::to_string(*zero_bits) + "&seed=" + std::to_string(opt.seed);
	} else if (uri.rfind("sim:", 0) == 0) {
		std::string uri_family;
		const auto q = sim_query(uri, uri_family);
		if (family.empty())
			family = uri_family;
		else if (family != uri_family)
			throw std::invalid_argument("--family " + family +
						    " contradicts the transport's " + uri_family);
		if (!chips)
			chips = q.count("chips") ? to_unsigned(q.at("chips"), "chips") : kSimChips;
		if (!zero_bits)
			zero_bits = q.count("zero_bits") ? to_unsigned(q.at("zero_bits"), "zero_bits")
							 : kSimZeroBits;
	}
	if (family.empty())
		family = "bm1366";
	if (!chips)
		chips = 1;

	hashboard::ChainConfig cfg;
	cfg.family = &hashboard::family_by_name(family);
	cfg.expected_chips = chips;
	cfg.address_step = opt.address_step;
	cfg.style = hashboard::bringup_style_by_name(opt.bringup);
	cfg.zero_bits = zero_bits.value_or(32);
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
			std::to_string(*zero_bits) + ": the in-process simulator runs in virtual "
			"time and computes 2^(zero_bits-32) of the nominal hashes; at most " +
			std::to_string(kMaxVirtualZeroBits) +
			" (32 on real chips, or on hbsim in real time)");
	s.transport = hashboard::open_transport(uri, *s.clock);
	s.chain = std::make_unique<hashboard::Chain>(*s.transport, *s.clock, cfg);
	return s;
}

} // namespace hbctl
