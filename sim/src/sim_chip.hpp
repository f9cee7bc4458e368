// SPDX-License-Identifier: MIT
//
// One simulated BM13xx chip: its register file and the side effects of writes (PLL,
// ticket mask, baud, version rolling), its place in enumeration, its current job and the
// paced nonce search. The chain decides which frames reach it, carries its replies and
// logs what changed (from view()), so nothing here formats text.
#pragma once

#include "hash_pace.hpp"
#include "nonce_search.hpp"
#include "sim_rng.hpp"

#include <hbsim/sim_chain.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace hbsim::detail {

struct ChipSetup {
	const hashboard::ChipFamily *family;
	unsigned position;
	unsigned zero_bits;
	std::uint64_t seed;
	const ChipPhysics *physics;
	double voltage_mv;
	double temperature_c;
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

	// Power-on state: address 0, unaddressed, reset baud, default PLL, no job, version
	// rolling off, ticket difficulty 1. Lifetime counters survive.
	void power_on(Duration t);

	std::uint32_t read_register(std::uint8_t reg) const;
	void write_register(Duration t, std::uint8_t reg, std::uint32_t value);

	// Enumeration. chain_inactive() stops set-address relaying; offer_address() returns
	// true when this chip keeps the address (the frame then goes no further).
	void chain_inactive();
	bool offer_address(std::uint8_t address);

	// A new job replaces the current one and restarts the search. False when the job
	// is of the other family's format (the chip ignores it).
	bool start_job(Duration t, const hashboard::bm13xx::MidstateJob &job);
	bool start_job(Duration t, const hashboard::bm13xx::HeaderJob &job);

	void count_dropped_frame() { ++frames_dropped_; }

	// Hashes everything due up to t; appends the nonces it reports to out.
	void hash_until(Duration t, std::vector<FoundNonce> &out);

	std::uint8_t address() const { return address_; }
	double baud() const { return baud_; }
	std::size_t reply_len() const { return rolling_on_ ? family_.reply_len : 9; }
	std::uint64_t hashes() const { return hashes_; }
	ChipView view() const;

private:
	void set_pll(Duration t, std::uint32_t value);
	void set_ticket_mask(std::uint32_t value);
	void set_version_rolling(std::uint32_t value);
	void repace(Duration t);
	std::uint32_t corrupt(std::uint32_t nonce, unsigned zeros);

	const hashboard::ChipFamily &family_;
	const unsigned position_;
	const unsigned zero_bits_;
	const ChipPhysics &physics_;
	const double voltage_mv_;
	const double temperature_c_;

	std::array<std::uint32_t, 256> regs_{};
	std::uint8_t address_ = 0;
	bool addressed_ = false;
	bool inactive_ = false;
	double baud_ = 0;
	double freq_mhz_ = 0; // 0: PLL off or invalid, no hashing
	unsigned ticket_log2_ = 0;
	bool rolling_on_ = false;
	std::uint16_t rolling_bits_ = 0;
	double wrong_probability_ = 0;

	NonceSearch search_;
	HashPace pace_;
	std::uint64_t paced_ = 0; // hashes accounted since the pace's anchor
	Rng wrong_rng_;

	std::uint64_t hashes_ = 0;
	std::uint64_t found_ = 0;
	std::uint64_t wrong_ = 0;
	// Counter registers count from power-on; the ChipView totals above do not.
	std::uint64_t hashes_at_power_on_ = 0;
	std::uint64_t wrong_at_power_on_ = 0;
	std::uint64_t frames_dropped_ = 0;
};

// Core-count byte of register 0 (bits 15..8). BM1397: 0x18, from a captured reply.
// Every other family: 0x00, what open firmware expects of BM1366/68/70 when it matches
// the first six reply bytes (AA 55 13 6x 00 00) during enumeration.
std::uint8_t core_count_byte(const hashboard::ChipFamily &family);

} // namespace hbsim::detail
