// SPDX-License-Identifier: MIT
#pragma once

#include <hashboard/bytes.hpp>
#include <hashboard/sha256.hpp>

#include <cstdint>
#include <random>

namespace hashboard {

// One block-header template, as the job builder (or a synthetic source) hands it to a
// chain. The chips fill in the nonce and, within version_mask, the version bits.
struct Work {
	std::uint64_t id = 0; // the caller's, echoed in every nonce event
	std::uint32_t version = 0x20000000;
	std::uint32_t version_mask = 0x1fffe000; // bits the chips may roll (BIP 310)
	Hash256 prev_hash{};                     // header byte order
	Hash256 merkle_root{};                   // header byte order
	std::uint32_t ntime = 0;
	std::uint32_t nbits = 0;

	// The 80 header bytes for a nonce and a (rolled) version.
	sha256::Header header(std::uint32_t nonce, std::uint32_t rolled_version) const;
};

// The version a chip reports: the 16 rolled bits sit at bit 13 and up, inside the mask.
inline std::uint32_t rolled_version(std::uint32_t version, std::uint32_t mask,
                                    std::uint16_t version_bits)
{
	return (version & ~mask) | ((std::uint32_t(version_bits) << 13) & mask);
}

// Valid, deterministic headers for mining without a pool (hbctl mine, tests, benches):
// random previous-block hash and merkle root from a seeded generator, a real nBits.
class SyntheticWorkSource {
public:
	explicit SyntheticWorkSource(std::uint64_t seed);
	Work next();

private:
	std::mt19937_64 rng_;
	std::uint64_t next_id_ = 1;
	std::uint32_t ntime_ = 1700000000;
};

} // namespace hashboard
