// SPDX-License-Identifier: MIT
//
// One simulated BM13xx chip, from the chip's side: its register file and what writes
// to it do (PLL, hash counting number, report enables, baud, version rolling, nonce
// offset), its place in enumeration, its current job and the paced nonce search. The
// facts come from chip_model / nonce_layout, never from the HAL. The chain decides
// which frames reach it, carries its replies and logs what changed (from view()), so
// nothing here formats text.
#pragma once

#include "chip_model.hpp"
#include "hash_pace.hpp"
#include "nonce_search.hpp"
#include "sim_rng.hpp"

#include <hbsim/sim_chain.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace hbsim::detail {

struct ChipSetup {
	const ChipModel *model;
	unsigned position;
	unsigned zero_bits;
	std::uint64_t seed;
	const ChipPhysics *physics;
	double voltage_mv;
	double temperature_c;
	unsigned dead_cores = 0; // cores 0..dead_cores-1 find nothing (Faults::dead_cores)
};

// A nonce reply a chip produced, with the moment its hash was done.
struct FoundNonce {
	Duration t;
	unsigned position;
	hashboard::bm13xx::NonceReply reply;
	std::size_t reply_len;
};

class SimChip {
public:
	explicit SimChip(const ChipSetup &setup);

	// Power-on state: address 0, unaddressed, every register at its reset value (reset
	// baud, reset PLL, hash counting 0, report enables clear, rolling off), no job.
	// Lifetime counters survive.
	void power_on(Duration t);

	std::uint32_t read_register(std::uint8_t reg) const;
	void write_register(Duration t, std::uint8_t reg, std::uint32_t value);

	// Enumeration. chain_inactive() stops set-address relaying; offer_address() returns
	// true when this chip keeps the address (the frame then goes no further).
	void chain_inactive();
	bool offer_address(std::uint8_t address);

	// A new job replaces the current one and restarts the search. False when the job
	// is of the other generation's format (the chip ignores it).
	bool start_job(Duration t, const hashboard::bm13xx::MidstateJob &job);
	bool start_job(Duration t, const hashboard::bm13xx::HeaderJob &job);

	void count_dropped_frame() { ++frames_dropped_; }

	// The supply and temperature the chip runs under from now on (the chain has hashed
	// up to here): its error rate follows them at once.
	void set_conditions(double voltage_mv, double temperature_c);
	ChipConditions conditions() const
	{
		return {position_, freq_mhz_, voltage_mv_, temperature_c_};
	}
	const ChipPhysics &physics() const { return physics_; }

	// Hashes everything due up to t; appends the nonces it reports to out.
	void hash_until(Duration t, std::vector<FoundNonce> &out);

	std::uint8_t address() const { return address_; }
	double baud() const { return baud_; }
	std::size_t reply_len() const;
	std::uint64_t hashes() const { return hashes_; }
	ChipView view() const;

private:
	void update_clock(Duration t);
	void update_place();
	void repace(Duration t);
	bool hashing() const;
	bool reports(unsigned core) const;
	std::uint16_t rolling_mask() const;
	std::uint32_t corrupt(std::uint32_t nonce, unsigned zeros, unsigned lane);

	const ChipModel &model_;
	const unsigned position_;
	const unsigned zero_bits_;
	const ChipPhysics &physics_;
	double voltage_mv_;
	double temperature_c_;

	std::array<std::uint32_t, 256> regs_{};
	std::uint8_t address_ = 0;
	bool addressed_ = false;
	bool inactive_ = false;
	double baud_ = 0;
	double freq_mhz_ = 0; // 0: PLL off or invalid, no hashing
	unsigned ticket_log2_ = 0;
	std::uint16_t job_rolling_mask_ = 0; // the mask the current job is rolled with
	double wrong_probability_ = 0;

	NonceSearch search_;
	HashPace pace_;
	std::uint64_t paced_ = 0; // hashes accounted since the pace's anchor
	Rng wrong_rng_;

	std::uint64_t hashes_ = 0;
	std::uint64_t found_ = 0;
	std::uint64_t unreported_ = 0;
	unsigned dead_cores_ = 0;
	std::uint64_t wrong_ = 0;
	// Counter registers count from power-on; the ChipView totals above do not.
	std::uint64_t hashes_at_power_on_ = 0;
	std::uint64_t wrong_at_power_on_ = 0;
	std::uint64_t frames_dropped_ = 0;
};

} // namespace hbsim::detail
