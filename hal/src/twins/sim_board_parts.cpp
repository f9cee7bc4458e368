// SPDX-License-Identifier: MIT
#include "sim_board_parts.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace hashboard::simboard {

SimChainLink::SimChainLink(std::shared_ptr<transport::SimTransport> sim, unsigned chain_id,
                           const Clock &clock, Wiring &wiring, bool broken)
    : sim_(std::move(sim)), id_(chain_id), clock_(clock), wiring_(wiring), broken_(broken)
{
	// Unpowered from the start: the chips sit in reset until the rails come up.
	sim_->set_reset(true);
	applied_reset_ = true;
}

SimChainLink::~SimChainLink()
{
	wiring_.detach(id_);
}

void SimChainLink::sync()
{
	const bool powered = wiring_.rails_up(id_);
	if (powered != powered_) {
		powered_ = powered;
		wiring_.record_at(clock_.now(), "chain:" + std::to_string(id_),
		                  powered ? "powered" : "unpowered");
	}
	wiring_.refresh_conditions(id_, clock_.now(), false);
	const bool reset = line_asserted_ || !powered;
	if (reset == applied_reset_)
		return;
	applied_reset_ = reset;
	sim_->set_reset(reset);
	wiring_.record_at(clock_.now(), "chain:" + std::to_string(id_),
	                  reset ? "reset asserted" : "reset released");
}

void SimChainLink::set_line(bool asserted)
{
	line_asserted_ = asserted;
	sync();
}

void SimChainLink::sample_frequencies()
{
	const hbsim::SimChain &chain = sim_->chain();
	bool any = false;
	FrequencySample s{clock_.now(), 0, 0};
	for (unsigned i = 0; i < chain.chip_count(); ++i) {
		const hbsim::ChipView v = chain.chip(i);
		if (!v.addressed)
			continue;
		s.min_mhz = any ? std::min(s.min_mhz, v.freq_mhz) : v.freq_mhz;
		s.max_mhz = any ? std::max(s.max_mhz, v.freq_mhz) : v.freq_mhz;
		any = true;
	}
	if (!any || (s.min_mhz == last_.min_mhz && s.max_mhz == last_.max_mhz))
		return;
	last_ = s;
	wiring_.record_frequency(id_, s);
}

void SimChainLink::write(ByteSpan data)
{
	sync();
	sim_->chain().advance_to(clock_.now());
	sample_frequencies();
	if (!broken_)
		sim_->write(data);
}

std::size_t SimChainLink::read(std::span<std::uint8_t> buf, Duration timeout)
{
	sync();
	return sim_->read(buf, timeout);
}

void SimChainLink::set_baud(std::uint32_t baud)
{
	sync();
	sim_->set_baud(baud);
}

void SimChainLink::flush_input()
{
	sync();
	sim_->flush_input();
	sample_frequencies();
}

namespace {

std::string mv_text(double mv)
{
	return fmt::format("vout {:g} mV", mv);
}

} // namespace

void JournaledRegulator::set_output(bool on)
{
	std::lock_guard lock(wiring_.mutex());
	twin_->set_output(on);
	wiring_.record("regulator:" + twin_->name(), on ? "output on" : "output off");
	wiring_.voltage_changed();
}

double JournaledRegulator::set_vout_mv(double mv)
{
	std::lock_guard lock(wiring_.mutex());
	const double sent = twin_->set_vout_mv(mv);
	wiring_.record("regulator:" + twin_->name(), mv_text(sent));
	wiring_.voltage_changed();
	return sent;
}

void JournaledRegulator::clear_faults()
{
	std::lock_guard lock(wiring_.mutex());
	twin_->clear_faults();
	wiring_.record("regulator:" + twin_->name(), "faults cleared");
}

} // namespace hashboard::simboard
