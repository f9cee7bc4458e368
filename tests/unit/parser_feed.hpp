// SPDX-License-Identifier: MIT
// Feeding the codec's stream parsers a stream in pieces, for the parser tests.
#pragma once

#include <hashboard/bm13xx/codec.hpp>

#include <cstddef>
#include <vector>

namespace hbtest {

template <typename Parser> struct FrameOf;
template <> struct FrameOf<hashboard::bm13xx::HostParser> {
	using type = hashboard::bm13xx::HostFrame;
};
template <> struct FrameOf<hashboard::bm13xx::ReplyParser> {
	using type = hashboard::bm13xx::ChipFrame;
};

// Feeds stream cut at the given offsets (ascending); returns what came out, in order.
template <typename Parser>
std::vector<typename FrameOf<Parser>::type> feed_split(Parser &p, const hashboard::Bytes &stream,
                                                       const std::vector<std::size_t> &cuts)
{
	using Frame = typename FrameOf<Parser>::type;
	std::vector<Frame> out;
	const auto sink = [&](const Frame &f) { out.push_back(f); };
	std::size_t from = 0;
	for (std::size_t cut : cuts) {
		p.feed(hashboard::ByteSpan(stream).subspan(from, cut - from), sink);
		from = cut;
	}
	p.feed(hashboard::ByteSpan(stream).subspan(from), sink);
	return out;
}

template <typename Parser>
std::vector<typename FrameOf<Parser>::type> feed_all(Parser &p, const hashboard::Bytes &stream)
{
	return feed_split(p, stream, {});
}

} // namespace hbtest
