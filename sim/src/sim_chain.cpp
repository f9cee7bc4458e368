// SPDX-License-Identifier: MIT
//
// The chain: host frames travel down (downlink.cpp), each chip that can read them acts
// in chain order (sim_chip.cpp), replies and nonces travel up (uplink.cpp). Everything
// is settled lazily: advance_to() hashes up to each pending frame's arrival, applies
// the frame, and goes on, so the output depends only on the host's input timeline.
#include <hbsim/physics.hpp>
#include <hbsim/sim_chain.hpp>

#include "chain_log.hpp"
#include "downlink.hpp"
#include "rtl_chain.hpp"
#include "sim_chip.hpp"
#include "sim_log.hpp"
#include "uplink.hpp"
#include "wire_timing.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hbsim {

namespace bm = hashboard::bm13xx;
using bm::HostFrame;

namespace {

// Addresses are one byte, so a chain holds at most this many distinct chips.
constexpr unsigned kMaxChips = 256;
// Longest span hashed in one go (see hash_until).
constexpr Duration kHashSlice = std::chrono::milliseconds(100);

// Where the chips stop being stable unless the configuration says: 15 % over nominal.
double stable_limit_mhz(const SimChainConfig &c)
{
	return c.freq_limit_mhz > 0 ? c.freq_limit_mhz
	                            : detail::chip_model(c.family).nominal_mhz * 1.15;
}

SimChainConfig checked(SimChainConfig c)
{
	detail::chip_model(c.family); // throws, naming the known chips
	if (c.chips == 0 || c.chips > kMaxChips)
		throw std::invalid_argument("simulated chain: chips must be 1.." +
		                            std::to_string(kMaxChips) + ", not " +
		                            std::to_string(c.chips));
	if (c.zero_bits > 32)
		throw std::invalid_argument("simulated chain: zero_bits must be 0..32, not " +
		                            std::to_string(c.zero_bits));
	if (c.faults.dead_chip && *c.faults.dead_chip >= c.chips)
		throw std::invalid_argument("simulated chain: dead chip " +
		                            std::to_string(*c.faults.dead_chip) +
		                            " is not on a chain of " + std::to_string(c.chips));
	if (c.faults.mute_chip && *c.faults.mute_chip >= c.chips)
		throw std::invalid_argument("simulated chain: mute chip " +
		                            std::to_string(*c.faults.mute_chip) +
		                            " is not on a chain of " + std::to_string(c.chips));
	for (const auto &d : c.faults.dead_cores)
		if (d.position >= c.chips)
			throw std::invalid_argument(
			    "simulated chain: dead cores on chip " + std::to_string(d.position) +
			    ", not on a chain of " + std::to_string(c.chips));
	if (!(c.faults.bit_error_rate >= 0 && c.faults.bit_error_rate <= 1))
		throw std::invalid_argument("simulated chain: bit error rate must be within 0..1");
	if (c.conditions && c.conditions->chips() != c.chips)
		throw std::invalid_argument("simulated chain: live conditions for " +
		                            std::to_string(c.conditions->chips()) +
		                            " chips, chain has " + std::to_string(c.chips));
	if (!c.physics)
		c.physics =
		    std::make_shared<FrequencyLimitPhysics>(stable_limit_mhz(c), c.error_slope);
	return c;
}

} // namespace

struct SimChain::Impl {
	explicit Impl(SimChainConfig c);

	void advance(Duration t);
	void hash_until(Duration t);
	void hash_slice(Duration t);
	void follow_conditions();
	void apply(const detail::Arrival &a);
	void dispatch(Duration t, const HostFrame &frame, double sender_baud);

	// One frame on its way down the chain.
	struct Delivery {
		Duration t;
		double baud; // the host's, when it sent the frame
		unsigned deaf = 0;
	};
	bool hears(Delivery &d, detail::SimChip &chip);
	template <typename Act>
	void for_chips(Delivery &d, bool all, std::uint8_t address, Act &&act);
	void handle(Delivery &d, const bm::SetAddress &f);
	void handle(Delivery &d, const bm::WriteRegister &f);
	void handle(Delivery &d, const bm::ReadRegister &f);
	void handle(Delivery &d, const bm::ChainInactive &f);
	template <typename Job> void handle(Delivery &d, const Job &job); // either job format
	std::vector<ChipView> views() const;
	void log_setup() const;

	SimChainConfig config;
	const detail::ChipModel &model;
	detail::SimLog log;
	std::vector<detail::SimChip> chips;
	unsigned reachable; // chips before the cut: the only ones that hear or are heard
	detail::Downlink downlink;
	detail::Uplink uplink;
	Duration now{0};    // everything is settled up to here
	Duration hashed{0}; // chips have hashed up to here
	double host_baud;
	bool in_reset = false;
	std::vector<detail::FoundNonce> found; // scratch, reused by every step
	std::uint64_t next_drop_report = 1;
	std::uint64_t conditions_seen = 0; // LiveConditions generation the chips have
};

SimChain::Impl::Impl(SimChainConfig c)
    : config(checked(std::move(c))), model(detail::chip_model(config.family)),
      reachable(config.faults.dead_chip.value_or(config.chips)),
      uplink(config.seed, config.faults.bit_error_rate),
      host_baud(detail::uart_baud(model, model.reset.misc_control, model.reset.uart_baud))
{
	chips.reserve(config.chips);
	for (unsigned pos = 0; pos < config.chips; ++pos) {
		unsigned dead = 0;
		for (const auto &d : config.faults.dead_cores)
			if (d.position == pos)
				dead = std::max(dead, d.cores);
		chips.emplace_back(detail::ChipSetup{&model, pos, config.zero_bits, config.seed,
		                                     config.physics.get(), config.voltage_mv,
		                                     config.temperature_c, dead});
	}
}

void SimChain::Impl::advance(Duration t)
{
	if (t <= now)
		return;
	while (const detail::Arrival *a = downlink.next_due(t)) {
		hash_until(a->t);
		apply(*a);
		downlink.pop();
	}
	hash_until(t);
	uplink.deliver(t, host_baud);
	now = t;
}

void SimChain::Impl::hash_until(Duration t)
{
	// In slices, so one long advance holds no more found nonces at once than a short
	// one (results do not depend on how time is cut, so this changes nothing else).
	while (hashed < t) {
		const Duration end = t - hashed > kHashSlice ? hashed + kHashSlice : t;
		hash_slice(end);
		hashed = end;
	}
}

void SimChain::Impl::follow_conditions()
{
	// One atomic load a slice when nothing changed; the board writes a few times a second.
	if (!config.conditions)
		return;
	const std::uint64_t g = config.conditions->generation();
	if (g == conditions_seen)
		return;
	conditions_seen = g;
	for (unsigned pos = 0; pos < config.chips; ++pos)
		chips[pos].set_conditions(config.conditions->voltage_mv(pos),
		                          config.conditions->temperature_c(pos));
}

void SimChain::Impl::hash_slice(Duration t)
{
	follow_conditions();
	found.clear();
	for (unsigned pos = 0; pos < reachable; ++pos)
		if (pos != config.faults.mute_chip)
			chips[pos].hash_until(t, found);
	if (found.empty())
		return;
	// Chips hash side by side: their nonces reach the line in time order (chain order
	// on a tie, candidate order within a chip).
	std::stable_sort(found.begin(), found.end(), [](const auto &a, const auto &b) {
		return a.t < b.t || (a.t == b.t && a.position < b.position);
	});
	for (const auto &f : found)
		uplink.send(f.t, bm::encode_reply(f.reply, f.reply_len), chips[f.position].baud(),
		            true);
	if (uplink.dropped_frames() >= next_drop_report) {
		if (log.enabled())
			log.line(t, "uplink backlog: %llu replies dropped so far",
			         static_cast<unsigned long long>(uplink.dropped_frames()));
		next_drop_report = uplink.dropped_frames() * 2;
	}
}

std::vector<ChipView> SimChain::Impl::views() const
{
	std::vector<ChipView> out;
	out.reserve(reachable);
	for (unsigned pos = 0; pos < reachable; ++pos)
		out.push_back(chips[pos].view());
	return out;
}

void SimChain::Impl::apply(const detail::Arrival &a)
{
	if (a.frame) {
		if (!log.enabled()) {
			dispatch(a.t, *a.frame, a.host_baud);
			return;
		}
		detail::log_frame(log, a.t, *a.frame);
		const auto before = views();
		dispatch(a.t, *a.frame, a.host_baud);
		detail::log_changes(log, a.t, before, views());
		return;
	}
	for (unsigned pos = 0; pos < reachable; ++pos)
		chips[pos].count_dropped_frame();
	if (log.enabled())
		log.line(a.t, "frame: bad CRC or malformed, dropped by every chip");
}

void SimChain::Impl::dispatch(Duration t, const HostFrame &frame, double sender_baud)
{
	Delivery d{t, sender_baud};
	std::visit([&](const auto &f) { handle(d, f); }, frame);
	if (d.deaf && log.enabled())
		log.line(t, "frame lost by %u chip(s) at another baud than the host's %.0f", d.deaf,
		         sender_baud);
}

bool SimChain::Impl::hears(Delivery &d, detail::SimChip &chip)
{
	// Relaying is a pass-through of the line: a chip at another baud cannot read the
	// frame (it sees a CRC failure) but the chips after it still get the bits.
	if (detail::bauds_agree(d.baud, chip.baud()))
		return true;
	chip.count_dropped_frame();
	++d.deaf;
	return false;
}

template <typename Act>
void SimChain::Impl::for_chips(Delivery &d, bool all, std::uint8_t address, Act &&act)
{
	for (unsigned pos = 0; pos < reachable; ++pos)
		if (hears(d, chips[pos]) && (all || chips[pos].address() == address))
			act(pos, chips[pos]);
}

void SimChain::Impl::handle(Delivery &d, const bm::SetAddress &f)
{
	for (unsigned pos = 0; pos < reachable; ++pos)
		if (hears(d, chips[pos]) && chips[pos].offer_address(f.address))
			break;
}

void SimChain::Impl::handle(Delivery &d, const bm::WriteRegister &f)
{
	for_chips(d, f.all, f.chip, [&](unsigned, detail::SimChip &chip) {
		chip.write_register(d.t, f.reg, f.value);
	});
}

void SimChain::Impl::handle(Delivery &d, const bm::ReadRegister &f)
{
	for_chips(d, f.all, f.chip, [&](unsigned pos, detail::SimChip &chip) {
		if (pos == config.faults.mute_chip)
			return;
		const bm::RegisterReply r{chip.read_register(f.reg), chip.address(), f.reg};
		uplink.send(d.t, bm::encode_reply(r, chip.reply_len()), chip.baud(), false);
	});
}

void SimChain::Impl::handle(Delivery &d, const bm::ChainInactive &)
{
	for_chips(d, true, 0, [](unsigned, detail::SimChip &chip) { chip.chain_inactive(); });
}

template <typename Job> void SimChain::Impl::handle(Delivery &d, const Job &job)
{
	bool taken = true;
	for_chips(d, true, 0, [&](unsigned, detail::SimChip &chip) {
		taken = chip.start_job(d.t, job) && taken;
	});
	if (!taken && log.enabled())
		log.line(d.t, "frame: job in the other chip generation's format, ignored");
}

void SimChain::Impl::log_setup() const
{
	log.line(now, "chain: %u x %.*s, zero bits %u, seed %llu", config.chips,
	         int(model.name.size()), model.name.data(), config.zero_bits,
	         static_cast<unsigned long long>(config.seed));
	if (config.faults.dead_chip)
		log.line(now, "fault: chain cut at chip %u (it and every chip after it are gone)",
		         *config.faults.dead_chip);
	if (config.faults.mute_chip)
		log.line(now, "fault: chip %u is mute (relays, never answers)",
		         *config.faults.mute_chip);
	if (config.faults.bit_error_rate > 0)
		log.line(now, "fault: bit error rate %g on the chip->host wire",
		         config.faults.bit_error_rate);
}

void validate(const SimChainConfig &config)
{
	if (detail::is_rtl_chip(config.family))
		detail::validate_rtl(config);
	else
		checked(config);
}

double real_time_hash_rate(const SimChainConfig &config)
{
	// RTL chips hash in the Verilated model's clocks, not in the simulator's SHA-256.
	if (detail::is_rtl_chip(config.family))
		return 0;
	const double per_chip =
	    detail::chip_model(config.family).hashes_per_second(stable_limit_mhz(config));
	return std::ldexp(per_chip * config.chips, int(config.zero_bits) - 32);
}

SimChain::SimChain(SimChainConfig config)
{
	if (detail::is_rtl_chip(config.family))
		rtl_ = std::make_unique<detail::RtlChain>(std::move(config));
	else
		impl_ = std::make_unique<Impl>(std::move(config));
}

SimChain::~SimChain() = default;

void SimChain::set_reset(Duration t, bool asserted)
{
	if (rtl_)
		return rtl_->set_reset(t, asserted);
	Impl &s = *impl_;
	t = std::max(t, s.now);
	s.advance(t);
	if (asserted == s.in_reset)
		return;
	s.in_reset = asserted;
	if (asserted) {
		// Silent and deaf from now: what is on the wire either way is lost.
		s.uplink.cut(t);
		s.downlink.clear();
	}
	for (auto &chip : s.chips)
		chip.power_on(t);
	if (s.log.enabled())
		s.log.line(t,
		           asserted ? "reset asserted" : "reset released: chips at power-on state");
}

void SimChain::host_write(Duration t, hashboard::ByteSpan data)
{
	if (rtl_)
		return rtl_->host_write(t, data);
	Impl &s = *impl_;
	t = std::max(t, s.now);
	s.advance(t);
	if (data.empty())
		return;
	s.downlink.write(t, data, s.host_baud, !s.in_reset);
	if (s.in_reset && s.log.enabled())
		s.log.line(t, "host wrote %zu byte(s) into a chain held in reset", data.size());
}

Duration SimChain::host_tx_done() const
{
	if (rtl_)
		return rtl_->host_tx_done();
	return impl_->downlink.tx_free();
}

void SimChain::set_host_baud(Duration t, double baud)
{
	if (rtl_)
		return rtl_->set_host_baud(t, baud);
	if (!(baud > 0 && std::isfinite(baud)))
		throw std::invalid_argument("simulated chain: host baud must be positive");
	Impl &s = *impl_;
	t = std::max(t, s.now);
	s.advance(t);
	if (baud != s.host_baud && s.log.enabled())
		s.log.line(t, "host baud %.0f -> %.0f", s.host_baud, baud);
	s.host_baud = baud;
}

void SimChain::advance_to(Duration t)
{
	if (rtl_)
		return rtl_->advance_to(t);
	impl_->advance(t);
}

std::optional<Duration> SimChain::next_rx_time() const
{
	if (rtl_)
		return rtl_->next_rx_time();
	return impl_->uplink.next_byte_time();
}

std::size_t SimChain::host_read(Duration now, std::span<std::uint8_t> out)
{
	if (rtl_)
		return rtl_->host_read(now, out);
	impl_->advance(now);
	return impl_->uplink.read(now, out);
}

std::size_t SimChain::chip_count() const
{
	if (rtl_)
		return rtl_->chip_count();
	return impl_->chips.size();
}

ChipView SimChain::chip(unsigned position) const
{
	if (rtl_)
		return rtl_->chip(position);
	if (position >= impl_->chips.size())
		throw std::invalid_argument("simulated chain: no chip at position " +
		                            std::to_string(position));
	return impl_->chips[position].view();
}

const SimChainConfig &SimChain::config() const
{
	if (rtl_)
		return rtl_->config();
	return impl_->config;
}

ChipConditions SimChain::chip_conditions(unsigned position) const
{
	if (position >= impl_->chips.size())
		throw std::invalid_argument("simulated chain: no chip at position " +
		                            std::to_string(position));
	ChipConditions c = impl_->chips[position].conditions();
	if (const auto &live = impl_->config.conditions) {
		// The board's latest word, which the chip takes at its next slice.
		c.voltage_mv = live->voltage_mv(position);
		c.temperature_c = live->temperature_c(position);
	}
	return c;
}

double SimChain::chip_power_w(unsigned position, double voltage_mv) const
{
	ChipConditions c = chip_conditions(position);
	c.voltage_mv = voltage_mv;
	return impl_->config.physics->power_w(c);
}

double SimChain::nominal_hashes() const
{
	if (rtl_)
		return 0; // the RTL keeps no hash count (docs/fpga.md)
	double total = 0;
	for (const auto &chip : impl_->chips)
		total += double(chip.hashes());
	return std::ldexp(total, 32 - int(impl_->config.zero_bits));
}

void SimChain::set_logger(std::function<void(const std::string &)> log)
{
	if (rtl_)
		return rtl_->set_logger(std::move(log));
	impl_->log.set_sink(std::move(log));
	if (impl_->log.enabled())
		impl_->log_setup();
}

} // namespace hbsim
