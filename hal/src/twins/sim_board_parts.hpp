// SPDX-License-Identifier: MIT
//
// The pieces that wire a simulated board together: the chain link that gates a
// SimChain by its reset line and its rails, and the regulator view that journals what
// the Board asked of a twin.
#pragma once

#include "transport/sim_transport.hpp"

#include <hashboard/board/sim_board.hpp>

#include <memory>
#include <mutex>

namespace hashboard::simboard {

// What a link needs from the board it belongs to.
class Wiring {
public:
	virtual ~Wiring() = default;
	virtual bool rails_up(unsigned chain_id) const = 0;
	// Stamped with the board's clock; a link stamps with its chain's (record_at).
	virtual void record(const std::string &device, const std::string &what) = 0;
	virtual void record_at(Duration t, const std::string &device, const std::string &what) = 0;
	virtual void record_frequency(unsigned chain_id, const FrequencySample &sample) = 0;
	virtual void detach(unsigned chain_id) = 0;
	// Brings the chain's chips' voltage and temperature up to date with the twins (at
	// most once a second of its clock unless forced).
	virtual void refresh_conditions(unsigned chain_id, Duration now, bool force) = 0;
	// A rail moved: every chain's chips see their new supply at once.
	virtual void voltage_changed() = 0;

	// In real time the chains' threads reach the wiring through their links while the
	// watchdog's thread may switch a rail off. Recursive: a reset line's change comes
	// back in through the link it drives.
	std::recursive_mutex &mutex() const { return mutex_; }

private:
	mutable std::recursive_mutex mutex_;
};

// A chain's chips are held in reset while the reset line is asserted or any rail that
// feeds them is down, as unpowered silicon is; the level is brought up to date at every
// call, so a rail that faults stops the chips at the next byte the host moves.
class SimChainLink final : public Transport {
public:
	// broken: the [[sim.fault]] broken_link: what the host writes never reaches the
	// chips (a dead adapter, an open cable), so nothing ever answers.
	SimChainLink(std::shared_ptr<transport::SimTransport> sim, unsigned chain_id,
	             const Clock &clock, Wiring &wiring, bool broken = false);
	~SimChainLink() override;

	void write(ByteSpan data) override;
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override;
	void set_baud(std::uint32_t baud) override;
	std::uint32_t baud() const override { return sim_->baud(); }
	void flush_input() override;
	bool has_reset() const override { return true; }
	void set_reset(bool asserted) override { set_line(asserted); }
	std::string describe() const override { return sim_->describe(); }

	// The reset line's level (from the gpio twin, or set_reset without one).
	void set_line(bool asserted);
	bool in_reset() const { return applied_reset_; }
	// The chain's clock, which during a parallel phase in virtual time is its own.
	const Clock &clock() const { return clock_; }

private:
	void sync();
	void sample_frequencies();

	std::shared_ptr<transport::SimTransport> sim_;
	unsigned id_;
	const Clock &clock_;
	Wiring &wiring_;
	bool line_asserted_ = false;
	bool applied_reset_ = false;
	bool powered_ = false;
	bool broken_ = false;
	FrequencySample last_{};
};

// Forwards to the twin and journals every request the Board makes.
class JournaledRegulator final : public Regulator {
public:
	JournaledRegulator(std::shared_ptr<SimRegulator> twin, Wiring &wiring)
	    : twin_(std::move(twin)), wiring_(wiring)
	{
	}
	const std::string &name() const override { return twin_->name(); }
	const VoltageLimits &limits() const override { return twin_->limits(); }
	void set_output(bool on) override;
	double set_vout_mv(double mv) override;
	double vout_mv() override { return twin_->vout_mv(); }
	double vin_v() override { return twin_->vin_v(); }
	double iout_a() override { return twin_->iout_a(); }
	double temperature_c() override { return twin_->temperature_c(); }
	RegulatorStatus status() override { return twin_->status(); }
	void clear_faults() override;

private:
	std::shared_ptr<SimRegulator> twin_;
	Wiring &wiring_;
};

} // namespace hashboard::simboard
