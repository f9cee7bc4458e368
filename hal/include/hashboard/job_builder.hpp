// SPDX-License-Identifier: MIT
//
// The Stratum V1 job builder: from a mining.notify and the session's extranonces to a
// hashboard::Work (coinbase, merkle root, header fields), and from a found nonce back to
// the mining.submit fields. The daemon and hbctl frames encode share it.
//
// Byte order (Stratum V1 as pools send it, checked against a real accepted share in
// tests/vectors/stratum_example_b.json):
// - coinb1, extranonce1, extranonce2, coinb2 and the merkle branches are bytes, used
//   as sent;
// - prevhash as sent has the bytes inside each 4-byte word reversed relative to the
//   header (not the whole 32 bytes);
// - version, nbits and ntime are big-endian hex of the number; the header stores them
//   little-endian; submit sends ntime, nonce and version_bits as %08x of the number.
#pragma once

#include <hashboard/bytes.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/work.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard {

// mining.notify params, exactly as the pool sent them (hex strings untouched).
struct StratumNotify {
	std::string job_id;
	std::string prev_hash; // 64 hex digits, 4-byte words byte-swapped (Stratum order)
	std::string coinb1;
	std::string coinb2;
	std::vector<std::string> merkle_branch; // 64 hex digits each, used as sent
	std::string version;                    // 8 hex digits, big-endian number
	std::string nbits;                      // 8 hex digits, big-endian number
	std::string ntime;                      // 8 hex digits, big-endian number
	bool clean_jobs = false;
};

// mining.submit params after the worker name.
struct SubmitFields {
	std::string job_id;
	std::string extranonce2;                 // hex, extranonce2_size bytes
	std::string ntime;                       // %08x
	std::string nonce;                       // %08x of the header's nonce value
	std::optional<std::string> version_bits; // %08x, only when version rolling is on
};

// BIP 310: the version a miner hashes is the job's version with the bits inside mask
// replaced by version_bits; the pool rebuilds it the same way from what is submitted.
constexpr std::uint32_t version_with_bits(std::uint32_t version, std::uint32_t mask,
                                          std::uint32_t version_bits)
{
	return (version & ~mask) | (version_bits & mask);
}
// What mining.submit carries as version_bits for a header hashed with rolled_version:
// every bit inside the mask (rolled or not), none outside it.
constexpr std::uint32_t submit_version_bits(std::uint32_t rolled_version, std::uint32_t mask)
{
	return rolled_version & mask;
}

// extranonce2 as a little-endian counter of size bytes (the order miners usually roll
// it in); throws std::invalid_argument when counter does not fit.
Bytes extranonce2_from_counter(std::uint64_t counter, std::size_t size);

// One validated mining.notify bound to a session's extranonce1, extranonce2 size and
// version mask. Every hex field is checked up front; the constructor throws
// std::invalid_argument naming the field ("mining.notify prevhash: ...").
class JobBuilder {
public:
	JobBuilder(const StratumNotify &notify, std::string_view extranonce1_hex,
	           std::size_t extranonce2_size, std::uint32_t version_mask);

	const std::string &job_id() const { return job_id_; }
	bool clean_jobs() const { return clean_jobs_; }
	std::uint32_t version() const { return version_; }
	std::uint32_t version_mask() const { return version_mask_; }
	std::uint32_t nbits() const { return nbits_; }
	std::uint32_t ntime() const { return ntime_; }
	std::size_t extranonce2_size() const { return extranonce2_size_; }
	// Previous block hash in header byte order.
	const Hash256 &prev_hash() const { return prev_hash_; }

	// coinb1 + extranonce1 + extranonce2 + coinb2. extranonce2 must be exactly
	// extranonce2_size() bytes (std::invalid_argument otherwise), here and below.
	Bytes coinbase(ByteSpan extranonce2) const;
	// SHA256d(coinbase) folded with each branch: root = SHA256d(root + branch).
	// Header byte order.
	Hash256 merkle_root(ByteSpan extranonce2) const;
	// The work a chain mines for this extranonce2; work.id is the caller's.
	Work work(ByteSpan extranonce2, std::uint64_t work_id = 0) const;
	// The 80 header bytes for a nonce, with the version bits (BIP 310 sense: a 32-bit
	// value of which only the bits inside the mask count).
	sha256::Header header(ByteSpan extranonce2, std::uint32_t nonce,
	                      std::uint32_t version_bits) const;
	// The mining.submit fields for a nonce found on work(extranonce2) with
	// rolled_version (the full version the chip hashed, as NonceEvent::version gives it).
	SubmitFields submit(ByteSpan extranonce2, std::uint32_t nonce,
	                    std::uint32_t rolled_version) const;

private:
	void check_extranonce2(ByteSpan extranonce2) const;

	std::string job_id_;
	bool clean_jobs_;
	Hash256 prev_hash_{};
	Bytes coinb1_;
	Bytes extranonce1_;
	Bytes coinb2_;
	std::vector<Hash256> branches_;
	std::uint32_t version_;
	std::uint32_t nbits_;
	std::uint32_t ntime_;
	std::size_t extranonce2_size_;
	std::uint32_t version_mask_;
};

} // namespace hashboard
