// SPDX-License-Identifier: MIT
//
// One chip's honest nonce search over its current job. Each candidate costs one real
// SHA-256d; nothing is made up. The chip's NonceSpace (nonce_layout.hpp) says which
// nonces it owns: a counter from the chip's start, for every counter value its
// midstates (BM1397) or version groups (header jobs), and for each of those its cores
// and small cores, which work side by side on real silicon:
//
//     for counter, for midstate/version group, for core, for small core: sha256d(...)
//
// With version rolling each small core hashes its own version of the group (the
// capture's small core = version low bits), so found nonces spread over midstates,
// versions, cores and small cores within moments, as on a real chip. The search stops
// when the space is exhausted (a real chip idles too).
#pragma once

#include "nonce_layout.hpp"

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/bytes.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace hbsim::detail {

// The hash's most significant 64 bits: hashes compare as 256-bit little-endian numbers.
inline std::uint64_t hash_top64(const hashboard::Hash256 &h)
{
	return std::uint64_t(hashboard::load_le32(h.data() + 28)) << 32 |
	       hashboard::load_le32(h.data() + 24);
}

// -log2(hash / 2^256): the leading zero bits with their fraction (capped at 64).
inline double hash_bits(const hashboard::Hash256 &h)
{
	const std::uint64_t top = hash_top64(h);
	return top == 0 ? 64.0 : 64.0 - std::log2(double(top));
}

class NonceSearch {
public:
	struct Hit {
		std::uint64_t offset; // 1-based index of the candidate within its run()
		std::uint32_t nonce;  // as it goes in the header
		unsigned core;
		unsigned sub; // midstate index (midstate jobs) or small core
		unsigned lane;
		std::uint16_t version_bits; // rolled bits (header jobs): version | bits << 13
		double bits;                // hash_bits() of the hash
	};

	// The nonces the chip owns; the search keeps its counter position.
	void set_space(NonceSpace space);
	void start(const hashboard::bm13xx::MidstateJob &job);
	// rolling_mask: the register's version mask >> 13; 0 hashes the job's version only.
	void start(const hashboard::bm13xx::HeaderJob &job, std::uint16_t rolling_mask);
	void stop() { active_ = false; }

	bool searching() const { return active_ && !exhausted_ && !space_.units.empty(); }
	std::uint8_t job_id() const { return job_id_; }
	// Header-nonce bits a corrupted report may flip: low counter bits only, so the
	// nonce stays inside the chip's range.
	std::uint32_t free_mask() const { return free_le_; }
	// Leading zeros of nonce's hash at the search's present midstate/version of lane
	// (off the hot path: to check a deliberately corrupted nonce really fails).
	int zeros_here(std::uint32_t nonce, unsigned lane) const;

	// Hashes up to budget candidates (fewer only when the space runs out), calling
	// on_hit(const Hit &) for every hash with at least `zeros` leading zero bits.
	// Returns the candidates hashed.
	template <typename OnHit>
	std::uint64_t run(std::uint64_t budget, unsigned zeros, OnHit &&on_hit);

private:
	void restart();
	void next_slot();
	void load_slot();
	void load_counter();

	NonceSpace space_;
	std::uint32_t free_le_ = 0;

	bool active_ = false;
	bool exhausted_ = false;
	std::uint8_t job_id_ = 0;
	std::vector<hashboard::sha256::State> midstates_; // midstate jobs
	hashboard::sha256::Header header_{};              // header jobs, nonce bytes zero
	std::uint32_t version_ = 0;
	std::uint16_t rolling_mask_ = 0;
	std::array<std::uint8_t, 16> tail_{}; // header bytes 64..79, nonce bytes zero

	std::uint32_t counter_ = 0;    // in space_.count_mask's positions
	std::uint32_t counter_le_ = 0; // (base + counter) & field, as header-nonce bits
	unsigned slot_ = 0;            // midstate index, or version group
	unsigned slots_ = 1;
	std::size_t unit_pos_ = 0;
	std::vector<hashboard::sha256::State> lane_mids_;
	std::vector<std::uint16_t> lane_bits_;
	std::vector<std::uint32_t> unit_le_; // units' nonce bits, header byte order
};

template <typename OnHit>
std::uint64_t NonceSearch::run(std::uint64_t budget, unsigned zeros, OnHit &&on_hit)
{
	// Cheap pre-check on the hash's top 64 bits; the rare survivors get the exact count.
	const std::uint64_t top_mask = zeros == 0 ? 0 : zeros >= 64 ? ~0ULL : ~0ULL << (64 - zeros);
	std::uint64_t done = 0;
	const auto &units = space_.units;
	while (done < budget && searching()) {
		const std::size_t first = unit_pos_;
		const std::size_t last =
		    first +
		    std::size_t(std::min<std::uint64_t>(units.size() - first, budget - done));
		const std::uint32_t counter = counter_le_;
		const std::uint32_t *bits = unit_le_.data();
		const hashboard::sha256::State *mids = lane_mids_.data();
		std::array<std::uint8_t, 16> tail = tail_;
		for (std::size_t i = first; i < last; ++i) {
			const std::uint32_t nonce = counter | bits[i];
			hashboard::store_le32(tail.data() + 12, nonce);
			const hashboard::Hash256 h = hashboard::sha256::sha256d_from_midstate(
			    mids[units[i].lane], tail.data());
			if ((hash_top64(h) & top_mask) == 0) [[unlikely]] {
				if (hashboard::hash_leading_zeros(h) >= int(zeros)) {
					const auto &u = units[i];
					const bool midstates = !midstates_.empty();
					on_hit(Hit{done + (i - first) + 1, nonce, u.core,
					           midstates ? slot_ : u.small_core, u.lane,
					           lane_bits_[u.lane], hash_bits(h)});
				}
			}
		}
		done += last - first;
		unit_pos_ = last;
		if (unit_pos_ == units.size()) {
			unit_pos_ = 0;
			next_slot();
		}
	}
	return done;
}

} // namespace hbsim::detail
