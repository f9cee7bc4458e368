// SPDX-License-Identifier: MIT
//
// Ticket mask (register 0x14): the chip reports a nonce only when the hash meets
// difficulty 2^k. The register takes the mask 2^k - 1 with the bits of each byte
// reversed and the bytes left where they are. Public firmware writes 00 00 00 FF for
// difficulty 256 (0xFF is its own reversal) and builds other difficulties byte by
// byte from (difficulty - 1) with each byte bit-reversed, which gives the rule:
//   k = 4  -> 0x0000000F -> 0x000000F0
//   k = 12 -> 0x00000FFF -> 0x0000F0FF

#include <hashboard/bm13xx/codec.hpp>

#include <bit>
#include <stdexcept>
#include <string>

namespace hashboard::bm13xx {
namespace {

constexpr unsigned kMaxLog2 = 32;

constexpr std::uint8_t reverse_bits(std::uint8_t b)
{
	b = std::uint8_t((b & 0xF0) >> 4 | (b & 0x0F) << 4);
	b = std::uint8_t((b & 0xCC) >> 2 | (b & 0x33) << 2);
	b = std::uint8_t((b & 0xAA) >> 1 | (b & 0x55) << 1);
	return b;
}

constexpr std::uint32_t reverse_bits_in_each_byte(std::uint32_t v)
{
	std::uint32_t out = 0;
	for (unsigned shift = 0; shift < 32; shift += 8)
		out |= std::uint32_t(reverse_bits(std::uint8_t(v >> shift))) << shift;
	return out;
}

} // namespace

std::uint32_t ticket_mask_for_difficulty_log2(unsigned k)
{
	if (k > kMaxLog2)
		throw std::invalid_argument("ticket mask difficulty 2^" + std::to_string(k) +
		                            " does not fit the 32-bit register");
	const std::uint32_t mask = k == kMaxLog2 ? 0xFFFFFFFFU : (std::uint32_t(1) << k) - 1;
	return reverse_bits_in_each_byte(mask);
}

std::optional<unsigned> ticket_mask_difficulty_log2(std::uint32_t value)
{
	const std::uint32_t mask = reverse_bits_in_each_byte(value);
	// 2^k - 1 is a run of ones from bit 0 up: adding one clears them all.
	if ((mask & (mask + 1U)) != 0)
		return std::nullopt;
	return unsigned(std::popcount(mask));
}

} // namespace hashboard::bm13xx
