// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;
using Hash256 = std::array<std::uint8_t, 32>;

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
