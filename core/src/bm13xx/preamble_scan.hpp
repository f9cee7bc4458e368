// SPDX-License-Identifier: MIT
// What both stream parsers share: how they look for the next frame.
#pragma once

#include <hashboard/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace hashboard::bm13xx::detail {

// Both parsers take input in blocks of this size so one huge feed() cannot grow the
// buffer without bound.
inline constexpr std::size_t kFeedBlock = 1024;

// Position of the next two-byte preamble at or after pos; a first byte alone at the end
// counts (its second byte may come with the next feed); buf.size() when there is none.
inline std::size_t find_preamble(const Bytes &buf, std::size_t pos, const std::uint8_t (&pre)[2])
{
	while (pos < buf.size()) {
		const void *hit = std::memchr(buf.data() + pos, pre[0], buf.size() - pos);
		if (!hit)
			return buf.size();
		pos = std::size_t(static_cast<const std::uint8_t *>(hit) - buf.data());
		if (pos + 1 == buf.size() || buf[pos + 1] == pre[1])
			return pos;
		++pos;
	}
	return buf.size();
}

} // namespace hashboard::bm13xx::detail
