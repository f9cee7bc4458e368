// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;
using Hash256 = std::array<std::uint8_t, 32>;

// The one reading of hex digits that every parser (bytes, numbers, 256-bit targets,
// captures, Stratum fields) goes through.
// The value of a hex digit, either case; -1 for any other character.
constexpr int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
// s without a leading "0x" or "0X" (s itself when it has none).
constexpr std::string_view without_hex_prefix(std::string_view s)
{
	if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s.remove_prefix(2);
	return s;
}
// A number written as 1 to max_digits hex digits and nothing else (no prefix, no sign);
// nullopt for anything else.
std::optional<std::uint64_t> parse_hex_number(std::string_view digits, std::size_t max_digits);
// A whole number in decimal, or in hex after 0x (register values and byte options read
// best so); nullopt for anything else, a value past 64 bits included.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

// Lower-case hex without separators.
std::string to_hex(ByteSpan bytes);
// Accepts upper/lower case, optional whitespace between byte pairs; throws
// std::invalid_argument naming the offending offset on anything else.
Bytes from_hex(std::string_view hex);

constexpr std::uint32_t load_le32(const std::uint8_t *p)
{
	return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
	       std::uint32_t(p[3]) << 24;
}
constexpr std::uint32_t load_be32(const std::uint8_t *p)
{
	return std::uint32_t(p[3]) | std::uint32_t(p[2]) << 8 | std::uint32_t(p[1]) << 16 |
	       std::uint32_t(p[0]) << 24;
}
constexpr void store_le32(std::uint8_t *p, std::uint32_t v)
{
	p[0] = std::uint8_t(v);
	p[1] = std::uint8_t(v >> 8);
	p[2] = std::uint8_t(v >> 16);
	p[3] = std::uint8_t(v >> 24);
}
constexpr void store_be32(std::uint8_t *p, std::uint32_t v)
{
	p[0] = std::uint8_t(v >> 24);
	p[1] = std::uint8_t(v >> 16);
	p[2] = std::uint8_t(v >> 8);
	p[3] = std::uint8_t(v);
}

} // namespace hashboard
