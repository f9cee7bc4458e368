// SPDX-License-Identifier: MIT
// The nonce classes the Chain counts per chip (hashboard::ChipStats), summed for the
// mine and board reports, so both count and name them alike.
#pragma once

#include <hashboard/chain.hpp>

#include <cstdint>

namespace hbctl {

struct NonceTally {
	std::uint64_t valid = 0;
	std::uint64_t hw_errors = 0;
	std::uint64_t duplicates = 0;
	std::uint64_t stale = 0;
	std::uint64_t unknown_job = 0;
	double credited_hashes = 0;
	unsigned chips = 0; // that answered

	void add(const hashboard::ChipStats &s);
	// Every nonce a chip was credited or blamed for; unattributed ones belong to none.
	std::uint64_t nonces() const
	{
		return valid + hw_errors + duplicates + stale + unknown_job;
	}
};

// Over the chips that answered enumeration.
NonceTally tally_chips(const hashboard::Chain &chain);
NonceTally tally_of(const hashboard::ChipStats &s);

// GH/s from credited hashes; 0 before any time has passed.
double ghs(double hashes, double seconds);

} // namespace hbctl
