// SPDX-License-Identifier: MIT
#include "nonce_search.hpp"

#include <algorithm>
#include <cstring>

namespace hbsim::detail {

using hashboard::ChipFamily;
using hashboard::NonceIdentity;

namespace {

unsigned enumerated_cores(const ChipFamily &f)
{
	// A layout field wider than the core count leaves ids no core has (BM1366: 7 bits,
	// 112 cores); only real cores search.
	const unsigned field = 1u << f.nonce.core_bits;
	return std::min(f.cores, field);
}

// Next value of a counter that lives in the set bits of mask; 0 after the last one.
constexpr std::uint32_t next_in_mask(std::uint32_t value, std::uint32_t mask)
{
	return ((value | ~mask) + 1) & mask;
}

} // namespace

NonceSearch::NonceSearch(const ChipFamily &family) : family_(family)
{
	const NonceIdentity all{~0u, ~0u, ~0u};
	free_mask_ = ~hashboard::nonce_with_identity(family_, 0, all);
	ids_.reserve(std::size_t(enumerated_cores(family_)) << family_.nonce.small_core_bits);
	set_address(0);
}

void NonceSearch::set_address(std::uint8_t address)
{
	ids_.clear();
	const unsigned cores = enumerated_cores(family_);
	const unsigned small = 1u << family_.nonce.small_core_bits;
	for (unsigned core = 0; core < cores; ++core)
		for (unsigned sc = 0; sc < small; ++sc)
			ids_.push_back(
			    hashboard::nonce_with_identity(family_, 0, {core, sc, address}));
}

void NonceSearch::start(const hashboard::bm13xx::MidstateJob &job)
{
	job_id_ = job.job_id;
	midstates_.assign(job.midstates.begin(), job.midstates.end());
	rolling_bits_ = 0;
	hashboard::store_le32(tail_.data(), job.merkle_tail);
	hashboard::store_le32(tail_.data() + 4, job.ntime);
	hashboard::store_le32(tail_.data() + 8, job.nbits);
	hashboard::store_le32(tail_.data() + 12, 0);
	active_ = !midstates_.empty();
	restart();
}

void NonceSearch::start(const hashboard::bm13xx::HeaderJob &job, std::uint16_t rolling_bits)
{
	job_id_ = job.job_id;
	midstates_.clear();
	version_ = job.version;
	rolling_bits_ = rolling_bits;
	// Header layout: version, previous hash, merkle root, time, bits, nonce.
	hashboard::store_le32(header_.data(), job.version);
	std::memcpy(header_.data() + 4, job.prev_hash.data(), 32);
	std::memcpy(header_.data() + 36, job.merkle_root.data(), 32);
	hashboard::store_le32(header_.data() + 68, job.ntime);
	hashboard::store_le32(header_.data() + 72, job.nbits);
	hashboard::store_le32(header_.data() + 76, 0);
	std::memcpy(tail_.data(), header_.data() + 64, 16);
	active_ = true;
	restart();
}

void NonceSearch::restart()
{
	// The job's starting nonce is not used: every chip owns its own slice of the nonce
	// space through its address bits, and open firmware always sends 0.
	exhausted_ = false;
	counter_ = 0;
	midstate_ = 0;
	version_bits_ = 0;
	id_pos_ = 0;
	if (!midstates_.empty())
		mid_ = midstates_[0];
	else
		load_version();
}

void NonceSearch::load_version()
{
	hashboard::store_le32(header_.data(), version_ | std::uint32_t(version_bits_) << 13);
	mid_ = hashboard::sha256::midstate(header_);
}

void NonceSearch::next_slot()
{
	if (!midstates_.empty()) {
		if (++midstate_ < midstates_.size()) {
			mid_ = midstates_[midstate_];
			return;
		}
		midstate_ = 0;
		mid_ = midstates_[0];
	} else if (rolling_bits_ != 0) {
		version_bits_ = std::uint16_t(next_in_mask(version_bits_, rolling_bits_));
		load_version();
		if (version_bits_ != 0)
			return;
	}
	counter_ = next_in_mask(counter_, free_mask_);
	if (counter_ == 0)
		exhausted_ = true;
}

int NonceSearch::zeros_here(std::uint32_t nonce) const
{
	std::array<std::uint8_t, 16> tail = tail_;
	hashboard::store_le32(tail.data() + 12, nonce);
	return hashboard::hash_leading_zeros(
	    hashboard::sha256::sha256d_from_midstate(mid_, tail.data()));
}

} // namespace hbsim::detail
