// SPDX-License-Identifier: MIT
// What both stream parsers share: how they look for the next frame, and the feed loop
// around it (blocks in, junk counted, a rejected frame's bytes rescanned, frames out).
#pragma once

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/bytes.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

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

// What a parser makes of the bytes from a preamble on.
enum class Verdict {
	incomplete, // not enough bytes yet to decide
	crc_error,  // looked whole, failed the CRC
	bad_frame,  // good CRC (or none checked yet) but impossible content
	frame,      // a frame of `size` bytes
};
template <typename Frame> struct Judged {
	Verdict verdict;
	std::size_t size = 0;
	std::optional<Frame> frame{};
};

// Feeds data through buf: judge(bytes from a preamble to the end of buf) decides each
// candidate. After a crc_error or bad_frame only the preamble's first byte is dropped,
// so a real frame that starts inside a rejected one is still found. Frames reach sink
// only once buf and stats are consistent, so a sink may reset the parser, change its
// settings or throw without frames coming out twice.
template <typename Frame, typename Judge>
void feed_frames(Bytes &buf, ParserStats &stats, ByteSpan data, const std::uint8_t (&pre)[2],
                 Judge &&judge, const std::function<void(const Frame &)> &sink)
{
	std::vector<Frame> done;
	while (!data.empty()) {
		const std::size_t take = std::min(data.size(), kFeedBlock);
		buf.insert(buf.end(), data.begin(), data.begin() + std::ptrdiff_t(take));
		data = data.subspan(take);

		std::size_t pos = 0;
		for (bool more = true; more;) {
			const std::size_t start = find_preamble(buf, pos, pre);
			stats.junk_bytes += start - pos;
			pos = start;
			Judged<Frame> j = judge(ByteSpan(buf).subspan(pos));
			switch (j.verdict) {
			case Verdict::incomplete:
				more = false;
				break;
			case Verdict::crc_error:
				++stats.crc_errors;
				++stats.junk_bytes;
				++pos;
				break;
			case Verdict::bad_frame:
				++stats.bad_frames;
				++stats.junk_bytes;
				++pos;
				break;
			case Verdict::frame:
				done.push_back(std::move(*j.frame));
				++stats.frames;
				pos += j.size;
				break;
			}
		}
		buf.erase(buf.begin(), buf.begin() + std::ptrdiff_t(pos));

		for (const auto &frame : done)
			sink(frame);
		done.clear();
	}
}

} // namespace hashboard::bm13xx::detail
