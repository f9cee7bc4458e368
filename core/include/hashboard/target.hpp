// SPDX-License-Identifier: MIT
#pragma once

#include <hashboard/bytes.hpp>

#include <array>
#include <cstdint>
#include <string>

namespace hashboard {

// A 256-bit unsigned number, little-endian 32-bit limbs (w[0] least significant).
// Hashes compare as Bitcoin does: the 32 SHA-256d output bytes read as a little-endian
// number.
struct U256 {
	std::array<std::uint32_t, 8> w{};

	static U256 from_hash(const Hash256 &hash);
	// Big-endian hex as block explorers show it (64 digits, leading zeros allowed).
	static U256 from_hex(const std::string &hex);
	std::string to_hex() const;
	double to_double() const;
	auto operator<=>(const U256 &other) const
	{
		for (int i = 7; i >= 0; --i)
			if (w[i] != other.w[i])
				return w[i] <=> other.w[i];
		return std::strong_ordering::equal;
	}
	bool operator==(const U256 &) const = default;
};

// Expands compact nBits; throws std::invalid_argument for a negative or overflowing one.
U256 target_from_nbits(std::uint32_t nbits);
// 0xFFFF * 2^208: the target of difficulty 1 (pool and share difficulty).
U256 difficulty1_target();
// target = difficulty-1 target / difficulty. difficulty must be > 0 (may be < 1).
U256 target_from_difficulty(double difficulty);
// The difficulty a hash meets: difficulty-1 target / hash (infinity for a zero hash).
double hash_difficulty(const Hash256 &hash);
bool hash_meets(const Hash256 &hash, const U256 &target);
// Leading zero bits of the hash read as a 256-bit little-endian number. Chips report a
// nonce when this is at least 32 + log2(ticket difficulty).
int hash_leading_zeros(const Hash256 &hash);
// Display form: byte-reversed hex, as block explorers print block hashes.
std::string hash_display_hex(const Hash256 &hash);

} // namespace hashboard
