// SPDX-License-Identifier: MIT
// ReplyParser on arbitrary bytes, 9- and 11-byte replies: it must not crash, every
// frame it delivers must be a valid reply, every input byte must be accounted for,
// memory must stay bounded, and the chunking must not change the outcome.

#include "fuzz_common.hpp"

#include <hashboard/bm13xx/codec.hpp>

#include <variant>

using namespace hashboard;
using namespace hashboard::bm13xx;

namespace {

void check_frame(const ChipFrame &frame, std::size_t len)
{
	const auto *nonce = std::get_if<NonceReply>(&frame);
	if (nonce)
		FUZZ_CHECK(nonce->version_bits.has_value() == (len == 11));
	const Bytes enc = encode_reply(frame, len);
	FUZZ_CHECK(enc.size() == len);
	FUZZ_CHECK(enc[0] == kReplyPreamble[0] && enc[1] == kReplyPreamble[1]);
	FUZZ_CHECK(crc5(ByteSpan(enc).subspan(2)) == 0);
	FUZZ_CHECK(bool(enc.back() & 0x80) == (nonce != nullptr));
}

void check(ByteSpan data, std::size_t len)
{
	std::vector<ChipFrame> whole_frames;
	ReplyParser whole(len);
	whole.feed(data, [&](const ChipFrame &f) { whole_frames.push_back(f); });

	const ParserStats &s = whole.stats();
	FUZZ_CHECK(s.frames == whole_frames.size());
	FUZZ_CHECK(s.bad_frames == 0);
	FUZZ_CHECK(whole.buffered() < len);
	FUZZ_CHECK(s.frames * len + s.junk_bytes + whole.buffered() == data.size());
	FUZZ_CHECK(s.crc_errors <= s.junk_bytes);
	for (const auto &f : whole_frames)
		check_frame(f, len);

	std::vector<ChipFrame> chunk_frames;
	ReplyParser chunked(len);
	for (ByteSpan piece : fuzz::chunks_of(data)) {
		chunked.feed(piece, [&](const ChipFrame &f) { chunk_frames.push_back(f); });
		FUZZ_CHECK(chunked.buffered() < len);
	}
	FUZZ_CHECK(chunk_frames == whole_frames);
	FUZZ_CHECK(chunked.stats() == whole.stats());
	FUZZ_CHECK(chunked.buffered() == whole.buffered());

	const std::uint64_t junk_before = chunked.stats().junk_bytes;
	const std::size_t held = chunked.buffered();
	chunked.reset();
	FUZZ_CHECK(chunked.buffered() == 0);
	FUZZ_CHECK(chunked.stats().junk_bytes == junk_before + held);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const ByteSpan input(data, size);
	check(input, 9);
	check(input, 11);
	return 0;
}
