// SPDX-License-Identifier: MIT
// Work -> the job frame a family's chips take (Chain::send_work, hbctl frames encode).
#include <hashboard/chain_job.hpp>

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/sha256.hpp>

#include <bit>

namespace hashboard {
namespace {

// Spreads the low bits of value over the set bits of mask (software PDEP): the i-th
// rolled version of a BM1397 job sets the i-th combination of the mask's lowest bits.
std::uint32_t deposit_bits(std::uint32_t value, std::uint32_t mask)
{
	std::uint32_t out = 0;
	for (std::uint32_t bit = 1; mask; bit <<= 1) {
		const std::uint32_t low = mask & -mask;
		if (value & bit)
			out |= low;
		mask &= mask - 1;
	}
	return out;
}

} // namespace

ChainJob encode_chain_job(const ChipFamily &fam, const Work &work, std::uint8_t job_id)
{
	ChainJob out;
	if (fam.job_format == JobFormat::midstates) {
		// Four midstates need two rollable bits; with fewer, send what the mask allows.
		const unsigned n = std::popcount(work.version_mask) >= 2 ? fam.max_midstates : 1;
		bm13xx::MidstateJob mj;
		mj.job_id = job_id;
		mj.nbits = work.nbits;
		mj.ntime = work.ntime;
		mj.merkle_tail = load_le32(work.merkle_root.data() + 28);
		for (unsigned i = 0; i < n; ++i) {
			const std::uint32_t v = (work.version & ~work.version_mask) |
			                        deposit_bits(i, work.version_mask);
			out.versions.push_back(v);
			mj.midstates.push_back(sha256::midstate(work.header(0, v)));
		}
		out.frame = bm13xx::encode_job(mj);
	} else {
		bm13xx::HeaderJob hj;
		hj.job_id = job_id;
		hj.nbits = work.nbits;
		hj.ntime = work.ntime;
		hj.merkle_root = work.merkle_root;
		hj.prev_hash = work.prev_hash;
		// Mask bits go out cleared: whether a chip ORs or replaces its rolled bits, the
		// version it hashes is then the one rolled_version() rebuilds.
		hj.version = work.version & ~work.version_mask;
		out.frame = bm13xx::encode_job(hj);
	}
	return out;
}

} // namespace hashboard
