// SPDX-License-Identifier: MIT
// Bring-up and bring-down in the order hardware needs: nothing is released from reset
// before its power is good, and nothing is switched off while its PLLs run fast.
#include "board_slot.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <stdexcept>

namespace hashboard {
namespace {

using namespace std::chrono_literals;

// Reset held at least this long, and the chips left this long after release, before
// the first byte (bm13xx.md: about 100 ms each).
constexpr Duration kResetHold = 100ms;
constexpr Duration kResetSettle = 100ms;
constexpr Duration kPowerGoodPoll = 10ms;
// A trip brings the PLLs down in big steps: heat matters more than supply transients.
constexpr double kTripRampStepMhz = 100.0;
constexpr Duration kTripRampInterval = 10ms;

std::string mv_text(double mv)
{
	return fmt::format("{:g} mV", mv);
}

std::string faults_text(const RegulatorStatus &st)
{
	return st.faults.empty() ? "no fault reported"
	                         : fmt::format("{}", fmt::join(st.faults, ", "));
}

} // namespace

void Board::assert_resets(bool include_links)
{
	std::lock_guard lock(mutex_);
	for (std::size_t i = 0; i < gpios_.size(); ++i) {
		if (config_.gpios[i].role != GpioRole::reset)
			continue;
		try {
			gpios_[i]->set_active(true);
		} catch (const DeviceError &e) {
			log("gpio " + config_.gpios[i].name + ": " + e.what());
		}
	}
	if (!include_links)
		return;
	for (auto &slot : chains_) {
		if (slot->reset_gpio || !slot->link.transport->has_reset())
			continue;
		try {
			slot->link.transport->set_reset(true);
		} catch (const std::exception &e) {
			log("chain " + std::to_string(slot->spec.id) + ": reset: " + e.what());
		}
	}
}

void Board::release_resets()
{
	std::lock_guard lock(mutex_);
	std::set<GpioLine *> released;
	for (auto &slot : chains_) {
		if (slot->reset_gpio) {
			if (released.insert(slot->reset_gpio).second)
				slot->reset_gpio->set_active(false);
		} else if (slot->link.transport->has_reset()) {
			slot->link.transport->set_reset(false);
		}
	}
}

void Board::switch_power_off()
{
	std::lock_guard lock(mutex_);
	for (auto &r : regulators_) {
		try {
			r->set_output(false);
		} catch (const DeviceError &e) {
			log("regulator " + r->name() + ": could not switch off: " + e.what());
		}
	}
	if (GpioLine *pe = gpio(GpioRole::power_enable, std::nullopt)) {
		try {
			pe->set_active(false);
		} catch (const DeviceError &e) {
			log("gpio " + pe->name() + ": " + e.what());
		}
	}
}

void Board::power_up()
{
	require({BoardState::off}, "power_up");
	log("board " + config_.name + ": power up");
	{
		std::lock_guard lock(mutex_);
		for (std::size_t i = 0; i < gpios_.size(); ++i) {
			const GpioSpec &g = config_.gpios[i];
			if (g.role == GpioRole::plug_detect && !gpios_[i]->is_active())
				throw OperationalError((g.chain
				                            ? "chain " + std::to_string(*g.chain)
				                            : std::string("the board")) +
				                       " is not plugged in (plug_detect line '" +
				                       g.name + "' is inactive)");
		}
	}
	try {
		assert_resets(true);
		reset_asserted_at_ = clock_.now();
		if (GpioLine *pe = gpio(GpioRole::power_enable, std::nullopt)) {
			std::lock_guard lock(mutex_);
			pe->set_active(true);
			log("power enable on");
		}
		for (std::size_t i = 0; i < regulators_.size(); ++i) {
			const RegulatorSpec &spec = config_.regulators[i];
			Regulator &reg = *regulators_[i];
			const double mv = config_.vout_limits(spec).clamp(spec.default_mv);
			{
				std::lock_guard lock(mutex_);
				reg.clear_faults();
				const double set = reg.set_vout_mv(mv);
				reg.set_output(true);
				log("regulator " + spec.name + ": " + mv_text(set) + ", output on");
			}
			const Duration deadline = clock_.now() + config_.safety.power_good_timeout;
			for (;;) {
				RegulatorStatus st;
				{
					std::lock_guard lock(mutex_);
					st = reg.status();
				}
				if (st.power_good && !st.faulted())
					break;
				if (clock_.now() >= deadline)
					throw OperationalError("regulator " + spec.name +
					                       ": no power good (" +
					                       faults_text(st) + ")");
				clock_.sleep_for(kPowerGoodPoll);
			}
		}
		{
			std::lock_guard lock(mutex_);
			for (std::size_t i = 0; i < fans_.size(); ++i)
				fans_[i]->set_duty(config_.fans[i].duty);
		}
	} catch (...) {
		log("power up failed; switching everything off again");
		assert_resets(true);
		switch_power_off();
		throw;
	}
	BoardState expected = BoardState::off;
	if (!state_.compare_exchange_strong(expected, BoardState::powered))
		throw OperationalError("board " + config_.name + " tripped during power up");
	log("power good on every rail");
}

unsigned Board::auto_ticket_log2(const ChainSlot &slot) const
{
	if (slot.spec.ticket_log2)
		return *slot.spec.ticket_log2;
	// Replies should fill at most a quarter of the link.
	const ChipFamily &fam = *slot.spec.family;
	double hashes = 0;
	for (double mhz : slot.targets)
		hashes += fam.hashes_per_second(mhz);
	return ticket_log2_for_wire(fam, hashes, double(slot.spec.baud), 0.25);
}

void Board::start_chain(ChainTask &task, ChainBringUp &report)
{
	ChainSlot &slot = task.slot();
	Chain &chain = *slot.chain;
	const std::string name = "chain " + std::to_string(slot.spec.id);
	task.progress(name + ": enumerate");
	report.chain_id = slot.spec.id;
	// The family's recipe (hashboard/bringup_recipe.hpp): enumeration and the writes
	// that make the chips hash and report, then ramp, 0x10, offsets and baud in the
	// order real hosts use.
	report.scan = chain.enumerate();
	const ScanResult &scan = report.scan;
	std::string found = name + ": " + std::to_string(scan.found()) + " of " +
	                    std::to_string(scan.expected) + " chips answered";
	if (scan.break_after)
		found += *scan.break_after
		             ? "; CHAIN BROKEN after chip " +
		                   std::to_string(*scan.break_after - 1) + ": chip " +
		                   std::to_string(*scan.break_after) + " and beyond are unreachable"
		             : "; CHAIN BROKEN: no chip answered";
	for (unsigned p : scan.silent_positions)
		found += "; chip " + std::to_string(p) + " silent";
	task.log(found);
	slot.usable = scan.found() > 0;
	report.baud = slot.link.transport->baud();
	if (!slot.usable)
		return;
	task.progress(name + ": PLL ramp");
	chain.finish_bring_up(slot.targets, [&](double) { task.progress(name + ": PLL ramp"); });
	report.baud = slot.link.transport->baud();
	report.ticket_log2 = chain.ticket_difficulty_log2();
	report.max_mhz = chain.frequency_mhz();
	task.log(fmt::format("{}: {} Bd, ticket 2^{}, PLLs at up to {:g} MHz, 0x10 = 0x{:x}", name,
	                     report.baud, report.ticket_log2, report.max_mhz,
	                     chain.hash_counting_number()));
}

const std::vector<ChainBringUp> &Board::start_chains()
{
	require({BoardState::powered}, "start_chains");
	bring_up_.assign(chains_.size(), {});
	for (std::size_t i = 0; i < chains_.size(); ++i)
		bring_up_[i].chain_id = chains_[i]->spec.id;
	try {
		const Duration held = clock_.now() - reset_asserted_at_;
		if (held < kResetHold)
			clock_.sleep_for(kResetHold - held);
		release_resets();
		log("resets released (power good)");
		clock_.sleep_for(kResetSettle);
		// Each task writes its own report; chains_ and bring_up_ share the order.
		for_each_chain([this](ChainTask &task) {
			start_chain(task, bring_up_[index_of(task.slot().spec.id)]);
		});
	} catch (...) {
		log("chain bring-up failed; switching everything off again");
		ramp_all_down_fast();
		assert_resets(true);
		switch_power_off();
		chains_lost_power();
		BoardState expected = BoardState::powered;
		state_.compare_exchange_strong(expected, BoardState::off);
		throw;
	}
	BoardState expected = BoardState::powered;
	if (!state_.compare_exchange_strong(expected, BoardState::enumerated)) {
		// A trip inside the phase could not reach the chains; they are done now.
		chains_lost_power();
		throw OperationalError("board " + config_.name + " tripped during bring-up");
	}
	return bring_up_;
}

void Board::power_down()
{
	require({BoardState::off, BoardState::powered, BoardState::enumerated, BoardState::mining},
	        "power_down");
	log("board " + config_.name + ": power down");
	// From off the chips have no power: there is nothing to ramp, only levels to set.
	const bool chips_powered = state_.load() != BoardState::off;
	const auto ramp_down = [&](ChainTask &task) {
		ChainSlot &slot = task.slot();
		if (!chips_powered || slot.chain->state() == ChainState::off)
			return;
		const std::string name = "chain " + std::to_string(slot.spec.id);
		try {
			task.progress(name + ": ramp down");
			slot.chain->ramp_down_and_reset();
		} catch (const std::exception &e) {
			task.log(name + ": ramp-down failed (" + e.what() + "); ramping down fast");
			try {
				ramp_down_fast(slot);
			} catch (const std::exception &) {
				// The link is gone; cutting power below is what is left.
			}
		}
		slot.usable = false;
	};
	try {
		for_each_chain(ramp_down);
	} catch (const std::exception &e) {
		// Only a thread that could not start gets here: power goes off regardless.
		log(std::string("power down: ") + e.what());
	}
	assert_resets(true);
	switch_power_off();
	// Chains whose ramp-down failed (and were ramped down fast) are off now too.
	chains_lost_power();
	const BoardState s = state_.load();
	if (s != BoardState::tripped) {
		BoardState expected = s;
		state_.compare_exchange_strong(expected, BoardState::off);
	}
	log("board " + config_.name + ": off");
}

void Board::ramp_down_fast(ChainSlot &slot)
{
	Chain &chain = *slot.chain;
	if (chain.state() == ChainState::off)
		return;
	const ChipFamily &fam = chain.family();
	const double floor = fam.default_freq_mhz;
	std::vector<double> f = chain.chip_frequencies_mhz();
	const auto &chips = chain.chips();
	f.resize(chips.size(), floor);
	const auto pll_value = [&](double mhz) -> std::optional<std::uint32_t> {
		if (const auto pll = pll_for_frequency(fam, mhz))
			return pll_register_value(fam, *pll);
		return std::nullopt;
	};
	for (;;) {
		double top = floor;
		for (std::size_t i = 0; i < chips.size(); ++i)
			if (chips[i].answered)
				top = std::max(top, f[i]);
		if (top <= floor + 1e-6)
			break;
		const double next = std::max(floor, top - kTripRampStepMhz);
		const auto value = pll_value(next);
		bool all_above = true;
		for (std::size_t i = 0; i < chips.size(); ++i)
			if (chips[i].answered && f[i] <= next)
				all_above = false;
		if (value && all_above) {
			chain.write_register(std::nullopt, fam.regs.pll0, *value);
		} else if (value) {
			for (std::size_t i = 0; i < chips.size(); ++i)
				if (chips[i].answered && f[i] > next)
					chain.write_register(chips[i].address, fam.regs.pll0,
					                     *value);
		}
		for (std::size_t i = 0; i < chips.size(); ++i)
			f[i] = std::min(f[i], next);
		slot.clock->sleep_for(kTripRampInterval);
	}
}

} // namespace hashboard
