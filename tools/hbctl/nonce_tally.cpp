// SPDX-License-Identifier: MIT
#include "nonce_tally.hpp"

namespace hbctl {

void NonceTally::add(const hashboard::ChipStats &s)
{
	valid += s.valid;
	hw_errors += s.hw_errors;
	duplicates += s.duplicates;
	stale += s.stale;
	unknown_job += s.unknown_job;
	credited_hashes += s.credited_hashes;
	++chips;
}

NonceTally tally_of(const hashboard::ChipStats &s)
{
	NonceTally t;
	t.add(s);
	return t;
}

NonceTally tally_chips(const hashboard::Chain &chain)
{
	NonceTally t;
	const auto &stats = chain.chip_stats();
	for (const auto &c : chain.chips())
		if (c.answered && c.position < stats.size())
			t.add(stats[c.position]);
	return t;
}

double ghs(double hashes, double seconds)
{
	return seconds > 0 ? hashes / seconds / 1e9 : 0.0;
}

} // namespace hbctl
