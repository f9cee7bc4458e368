// SPDX-License-Identifier: MIT
#include "nonce_search.hpp"

#include <bit>
#include <cstring>

namespace hbsim::detail {
namespace {

// Next value of a counter that lives in the set bits of mask; 0 after the last one.
constexpr std::uint32_t next_in_mask(std::uint32_t value, std::uint32_t mask)
{
	return ((value | ~mask) + 1) & mask;
}

// The index-th value of a counter living in mask's set bits (bit deposit).
constexpr std::uint16_t deposit(std::uint32_t index, std::uint16_t mask)
{
	std::uint16_t out = 0;
	for (std::uint32_t m = mask; m != 0 && index != 0; m &= m - 1, index >>= 1)
		if (index & 1)
			out |= std::uint16_t(m & -m);
	return out;
}

// Free bits for a corrupted report: low nine counter bits, below every chip start.
constexpr std::uint32_t kFreeBitsBe = 0x1FF;

} // namespace

void NonceSearch::set_space(NonceSpace space)
{
	space_ = std::move(space);
	unit_le_.clear();
	unit_le_.reserve(space_.units.size());
	for (const auto &u : space_.units)
		unit_le_.push_back(byteswap32(u.bits_be));
	free_le_ = byteswap32(kFreeBitsBe & space_.count_mask);
	counter_ &= space_.count_mask;
	if (unit_pos_ >= space_.units.size())
		unit_pos_ = 0;
	load_counter();
	if (active_ && midstates_.empty()) {
		// The side-by-side versions depend on the lanes: redo the group.
		const unsigned lanes = space_.lanes;
		const unsigned values = rolling_mask_ ? 1u << std::popcount(rolling_mask_) : 1u;
		slots_ = std::max(1u, values / lanes);
		if (slot_ >= slots_)
			slot_ = 0;
		load_slot();
	}
}

void NonceSearch::start(const hashboard::bm13xx::MidstateJob &job)
{
	job_id_ = job.job_id;
	midstates_.assign(job.midstates.begin(), job.midstates.end());
	rolling_mask_ = 0;
	hashboard::store_le32(tail_.data(), job.merkle_tail);
	hashboard::store_le32(tail_.data() + 4, job.ntime);
	hashboard::store_le32(tail_.data() + 8, job.nbits);
	hashboard::store_le32(tail_.data() + 12, 0);
	active_ = !midstates_.empty();
	slots_ = std::max<unsigned>(1, unsigned(midstates_.size()));
	restart();
}

void NonceSearch::start(const hashboard::bm13xx::HeaderJob &job, std::uint16_t rolling_mask)
{
	job_id_ = job.job_id;
	midstates_.clear();
	version_ = job.version;
	rolling_mask_ = rolling_mask;
	// Header layout: version, previous hash, merkle root, time, bits, nonce.
	hashboard::store_le32(header_.data(), job.version);
	std::memcpy(header_.data() + 4, job.prev_hash.data(), 32);
	std::memcpy(header_.data() + 36, job.merkle_root.data(), 32);
	hashboard::store_le32(header_.data() + 68, job.ntime);
	hashboard::store_le32(header_.data() + 72, job.nbits);
	hashboard::store_le32(header_.data() + 76, 0);
	std::memcpy(tail_.data(), header_.data() + 64, 16);
	active_ = true;
	const unsigned values = rolling_mask_ ? 1u << std::popcount(rolling_mask_) : 1u;
	slots_ = std::max(1u, values / space_.lanes);
	restart();
}

void NonceSearch::restart()
{
	// The job's starting nonce is not used: every chip owns its own slice of the nonce
	// space through its start (address or CHIP_NONCE_OFFSET), and open firmware
	// always sends 0.
	exhausted_ = false;
	counter_ = 0;
	slot_ = 0;
	unit_pos_ = 0;
	load_counter();
	load_slot();
}

void NonceSearch::load_counter()
{
	counter_le_ = byteswap32((space_.base_be + counter_) & space_.field_mask);
}

void NonceSearch::load_slot()
{
	const unsigned lanes = midstates_.empty() ? space_.lanes : 1;
	lane_mids_.resize(lanes);
	lane_bits_.assign(lanes, 0);
	if (!midstates_.empty()) {
		lane_mids_[0] = midstates_[slot_];
		return;
	}
	for (unsigned lane = 0; lane < lanes; ++lane) {
		const std::uint16_t bits = deposit(slot_ * lanes + lane, rolling_mask_);
		// Rolled version = (version & ~mask) | (bits << 13 & mask).
		const std::uint32_t mask = std::uint32_t(rolling_mask_) << 13;
		hashboard::store_le32(header_.data(),
		                      (version_ & ~mask) | (std::uint32_t(bits) << 13 & mask));
		lane_mids_[lane] = hashboard::sha256::midstate(header_);
		lane_bits_[lane] = bits;
	}
}

void NonceSearch::next_slot()
{
	if (++slot_ < slots_) {
		load_slot();
		return;
	}
	slot_ = 0;
	counter_ = next_in_mask(counter_, space_.count_mask);
	if (counter_ == 0)
		exhausted_ = true;
	load_counter();
	load_slot();
}

int NonceSearch::zeros_here(std::uint32_t nonce, unsigned lane) const
{
	std::array<std::uint8_t, 16> tail = tail_;
	hashboard::store_le32(tail.data() + 12, nonce);
	return hashboard::hash_leading_zeros(
	    hashboard::sha256::sha256d_from_midstate(lane_mids_.at(lane), tail.data()));
}

} // namespace hbsim::detail
