// SPDX-License-Identifier: MIT
// The extranonce2 space of one job shared by N chains: chain i takes the counters
// i, i + N, i + 2N, ... (one per work unit it asks for), so no two chains and no two work
// units of one chain ever hash the same coinbase. Counters are written as
// extranonce2_from_counter() writes them (little-endian, the pool's size).
#pragma once

#include <hashboard/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hashboardd::stratum {

class ExtranonceSplit {
public:
	// Throws std::invalid_argument when chains is 0, size is 0, or the space (2^(8 size))
	// has fewer values than there are chains.
	ExtranonceSplit(std::size_t extranonce2_size, unsigned chains);

	std::size_t size() const { return size_; }
	unsigned chains() const { return unsigned(next_.size()); }
	// Work units chain can still take (saturates at UINT64_MAX for 8 bytes and more).
	std::uint64_t remaining(unsigned chain) const;
	// The counter of chain's unit-th work unit; throws std::out_of_range past the space.
	std::uint64_t counter(unsigned chain, std::uint64_t unit) const;
	// The next extranonce2 for chain; throws std::out_of_range when its share of the space
	// is used up (the caller waits for a new job, which starts the space afresh).
	hashboard::Bytes next(unsigned chain);
	// A new job: every chain starts from its first counter again.
	void reset();

private:
	std::size_t size_;
	std::uint64_t max_; // largest counter the size holds
	std::vector<std::uint64_t> next_;
};

} // namespace hashboardd::stratum
