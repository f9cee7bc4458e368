// SPDX-License-Identifier: MIT
//
// One chip's honest nonce search over its current job. Each candidate costs one real
// SHA-256d; nothing is made up. A chip owns the nonces that carry its address in the
// family's layout; it counts up the free nonce bits and, for every counter value, goes
// through its midstates (BM1397) or rolled versions (header jobs), and for each of those
// through its cores and small cores, which work side by side on real silicon:
//
//     for counter, for midstate/version, for core, for small core: sha256d(...)
//
// Found nonces thus spread over midstates, versions and cores within moments, as on
// a real chip. The search stops when the space is exhausted (a real chip idles too).
#pragma once

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/bytes.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace hbsim::detail {

// The hash's most significant 64 bits: hashes compare as 256-bit little-endian numbers.
inline std::uint64_t hash_top64(const hashboard::Hash256 &h)
{
	return std::uint64_t(hashboard::load_le32(h.data() + 28)) << 32 |
	       hashboard::load_le32(h.data() + 24);
}

class NonceSearch {
public:
	struct Hit {
		std::uint64_t offset;       // 1-based index of the candidate within its run()
		std::uint32_t nonce;        // as it goes in the header
		unsigned midstate;          // midstate index (midstate jobs), else 0
		std::uint16_t version_bits; // rolled bits (header jobs): version | bits << 13
	};

	explicit NonceSearch(const hashboard::ChipFamily &family);

	// The identity bits every nonce carries; the search keeps its position.
	void set_address(std::uint8_t address);
	void start(const hashboard::bm13xx::MidstateJob &job);
	// rolling_bits: the register's version mask >> 13; 0 hashes the job's version only.
	void start(const hashboard::bm13xx::HeaderJob &job, std::uint16_t rolling_bits);
	void stop() { active_ = false; }

	bool searching() const { return active_ && !exhausted_; }
	std::uint8_t job_id() const { return job_id_; }
	std::uint32_t free_mask() const { return free_mask_; }
	// Leading zeros of the hash of nonce at the search's present midstate/version
	// (off the hot path: to check a deliberately corrupted nonce really fails).
	int zeros_here(std::uint32_t nonce) const;

	// Hashes up to budget candidates (fewer only when the space runs out), calling
	// on_hit(const Hit &) for every hash with at least `zeros` leading zero bits.
	// Returns the candidates hashed.
	template <typename OnHit>
	std::uint64_t run(std::uint64_t budget, unsigned zeros, OnHit &&on_hit);

private:
	void restart();
	void next_slot();
	void load_version();

	const hashboard::ChipFamily &family_;
	std::vector<std::uint32_t> ids_; // core/small-core/address bits, in candidate order
	std::uint32_t free_mask_ = 0;    // nonce bits the chip counts (header byte order)

	bool active_ = false;
	bool exhausted_ = false;
	std::uint8_t job_id_ = 0;
	std::vector<hashboard::sha256::State> midstates_; // midstate jobs
	hashboard::sha256::Header header_{};              // header jobs, nonce bytes zero
	std::uint32_t version_ = 0;
	std::uint16_t rolling_bits_ = 0;
	std::array<std::uint8_t, 16> tail_{}; // header bytes 64..79, nonce bytes zero

	std::uint32_t counter_ = 0;
	unsigned midstate_ = 0;
	std::uint16_t version_bits_ = 0;
	std::size_t id_pos_ = 0;
	hashboard::sha256::State mid_{};
};

template <typename OnHit>
std::uint64_t NonceSearch::run(std::uint64_t budget, unsigned zeros, OnHit &&on_hit)
{
	// Cheap pre-check on the hash's top 64 bits; the rare survivors get the exact count.
	const std::uint64_t top_mask = zeros == 0 ? 0 : zeros >= 64 ? ~0ULL : ~0ULL << (64 - zeros);
	std::uint64_t done = 0;
	while (done < budget && searching()) {
		const std::size_t first = id_pos_;
		const std::size_t last =
		    first +
		    std::size_t(std::min<std::uint64_t>(ids_.size() - first, budget - done));
		const std::uint32_t counter = counter_;
		const std::uint32_t *ids = ids_.data();
		const hashboard::sha256::State mid = mid_;
		std::array<std::uint8_t, 16> tail = tail_;
		for (std::size_t i = first; i < last; ++i) {
			const std::uint32_t nonce = counter | ids[i];
			hashboard::store_le32(tail.data() + 12, nonce);
			const hashboard::Hash256 h =
			    hashboard::sha256::sha256d_from_midstate(mid, tail.data());
			if ((hash_top64(h) & top_mask) == 0) [[unlikely]] {
				if (hashboard::hash_leading_zeros(h) >= int(zeros))
					on_hit(Hit{done + (i - first) + 1, nonce, midstate_,
					           version_bits_});
			}
		}
		done += last - first;
		id_pos_ = last;
		if (id_pos_ == ids_.size()) {
			id_pos_ = 0;
			next_slot();
		}
	}
	return done;
}

} // namespace hbsim::detail
