// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include "parser_feed.hpp"
#include "test_printing.hpp"

#include <hashboard/bm13xx/codec.hpp>

#include <algorithm>
#include <bit>
#include <ostream>
#include <random>
#include <variant>

using namespace hashboard;
using namespace hashboard::bm13xx;

namespace {

using Frames = std::vector<ChipFrame>;

using hbtest::feed_all;
using hbtest::feed_split;

// A payload byte that no single bit flip can turn into the preamble's 0xAA.
std::uint8_t far_from_preamble(std::mt19937 &rng)
{
	for (;;) {
		const auto b = std::uint8_t(rng());
		if (std::popcount(unsigned(b ^ kReplyPreamble[0])) > 1)
			return b;
	}
}

ChipFrame random_frame(std::mt19937 &rng, std::size_t len, bool safe_bytes = false)
{
	const auto byte = [&] { return safe_bytes ? far_from_preamble(rng) : std::uint8_t(rng()); };
	const auto word = [&] {
		return std::uint32_t(byte()) | std::uint32_t(byte()) << 8 |
		       std::uint32_t(byte()) << 16 | std::uint32_t(byte()) << 24;
	};
	if (rng() % 2) {
		NonceReply n{word(), byte(), byte(), std::nullopt};
		if (len == kRollingReplyLen)
			n.version_bits = std::uint16_t(byte() << 8 | byte());
		return n;
	}
	return RegisterReply{word(), byte(), byte()};
}

Bytes concat(const std::vector<ChipFrame> &frames, std::size_t len)
{
	Bytes out;
	for (const auto &f : frames) {
		const Bytes b = encode_reply(f, len);
		out.insert(out.end(), b.begin(), b.end());
	}
	return out;
}

// Garbage that holds neither preamble byte, so it cannot start or finish a preamble.
Bytes clean_garbage(std::mt19937 &rng, std::size_t n)
{
	Bytes g;
	while (g.size() < n) {
		const auto b = std::uint8_t(rng());
		if (b != kReplyPreamble[0] && b != kReplyPreamble[1])
			g.push_back(b);
	}
	return g;
}

} // namespace

BOOST_AUTO_TEST_CASE(round_trips_9_and_11_byte_replies)
{
	std::mt19937 rng(11);
	for (std::size_t len : {kReplyLen, kRollingReplyLen}) {
		std::vector<ChipFrame> frames = {
		    RegisterReply{0x13971800, 0x00, 0x00},
		    RegisterReply{0xFFFFFFFF, 0xFC, 0xA4},
		    NonceReply{0x10572b0f, 0x03, 0x7F,
		               len == kRollingReplyLen ? std::optional<std::uint16_t>(0xFFFF)
		                                       : std::nullopt},
		    NonceReply{0, 0, 0,
		               len == kRollingReplyLen ? std::optional<std::uint16_t>(0)
		                                       : std::nullopt},
		};
		for (int i = 0; i < 200; ++i)
			frames.push_back(random_frame(rng, len));
		const Bytes stream = concat(frames, len);
		ReplyParser p(len);
		const Frames out = feed_all(p, stream);
		BOOST_TEST_REQUIRE(out.size() == frames.size());
		for (std::size_t i = 0; i < frames.size(); ++i)
			BOOST_TEST_REQUIRE((out[i] == frames[i]));
		BOOST_TEST(p.stats() == (ParserStats{frames.size(), 0, 0, 0}));
		BOOST_TEST(p.buffered() == 0U);
	}
}

BOOST_AUTO_TEST_CASE(every_chunking_gives_the_same_frames)
{
	std::mt19937 rng(3);
	for (std::size_t len : {kReplyLen, kRollingReplyLen}) {
		std::vector<ChipFrame> frames;
		for (int i = 0; i < 3; ++i)
			frames.push_back(random_frame(rng, len));
		Bytes stream = clean_garbage(rng, 3);
		const Bytes body = concat(frames, len);
		stream.insert(stream.end(), body.begin(), body.end());
		stream.push_back(0x00);

		ReplyParser whole(len);
		const Frames expect = feed_all(whole, stream);
		BOOST_TEST_REQUIRE(expect.size() == frames.size());
		BOOST_TEST(whole.stats().junk_bytes == 4U);

		// Every split into three pieces (two cuts), empty pieces included.
		for (std::size_t a = 0; a <= stream.size(); ++a)
			for (std::size_t b = a; b <= stream.size(); ++b) {
				ReplyParser p(len);
				BOOST_TEST_REQUIRE((feed_split(p, stream, {a, b}) == expect));
				BOOST_TEST_REQUIRE((p.stats() == whole.stats()));
			}

		// Byte by byte.
		std::vector<std::size_t> cuts;
		for (std::size_t i = 1; i < stream.size(); ++i)
			cuts.push_back(i);
		ReplyParser bytewise(len);
		BOOST_TEST((feed_split(bytewise, stream, cuts) == expect));
		BOOST_TEST((bytewise.stats() == whole.stats()));
	}
}

BOOST_AUTO_TEST_CASE(random_splits_of_a_long_stream)
{
	std::mt19937 rng(12345);
	std::vector<ChipFrame> frames;
	for (int i = 0; i < 2000; ++i)
		frames.push_back(random_frame(rng, kRollingReplyLen));
	const Bytes stream = concat(frames, kRollingReplyLen);
	for (int round = 0; round < 20; ++round) {
		std::vector<std::size_t> cuts;
		for (std::size_t at = 0; (at += 1 + rng() % 40) < stream.size();)
			cuts.push_back(at);
		ReplyParser p(kRollingReplyLen);
		const Frames out = feed_split(p, stream, cuts);
		BOOST_TEST_REQUIRE(out.size() == frames.size());
		BOOST_TEST((out == frames));
		BOOST_TEST(p.stats() == (ParserStats{frames.size(), 0, 0, 0}));
	}
}

BOOST_AUTO_TEST_CASE(garbage_before_and_between_frames_is_counted_exactly)
{
	std::mt19937 rng(5);
	const ChipFrame a = RegisterReply{0x13971800, 0x00, 0x00};
	const ChipFrame b = NonceReply{0xCAFEBABE, 0x01, 0x12, std::nullopt};
	Bytes stream = clean_garbage(rng, 17);
	Bytes fa = encode_reply(a, kReplyLen), fb = encode_reply(b, kReplyLen);
	stream.insert(stream.end(), fa.begin(), fa.end());
	const Bytes mid = clean_garbage(rng, 5);
	stream.insert(stream.end(), mid.begin(), mid.end());
	stream.push_back(0x55); // half a preamble, wrong half first
	stream.push_back(0xAA);
	stream.push_back(0x00); // ... and the right first byte with the wrong second one
	stream.insert(stream.end(), fb.begin(), fb.end());
	stream.push_back(0xAA); // a trailing first preamble byte waits for its partner

	ReplyParser p(kReplyLen);
	const Frames out = feed_all(p, stream);
	BOOST_TEST_REQUIRE(out.size() == 2U);
	BOOST_TEST((out[0] == a));
	BOOST_TEST((out[1] == b));
	BOOST_TEST(p.stats() == (ParserStats{2, 0, 17 + 5 + 3, 0}));
	BOOST_TEST(p.buffered() == 1U);
	p.reset();
	BOOST_TEST(p.buffered() == 0U);
	BOOST_TEST(p.stats().junk_bytes == 17U + 5 + 3 + 1);
}

BOOST_AUTO_TEST_CASE(a_flipped_bit_drops_only_that_frame)
{
	const std::vector<ChipFrame> frames = {
	    RegisterReply{0x13971800, 0x00, 0x00},
	    RegisterReply{0x01020304, 0x05, 0x06},
	    NonceReply{0x11223344, 0x02, 0x18, std::nullopt},
	};
	const Bytes clean = concat(frames, kReplyLen);
	// Every bit after the preamble of the middle frame.
	for (std::size_t bit = 2 * 8; bit < 9 * 8; ++bit) {
		Bytes stream = clean;
		stream[9 + bit / 8] ^= std::uint8_t(0x80 >> (bit % 8));
		ReplyParser p(kReplyLen);
		const Frames out = feed_all(p, stream);
		BOOST_TEST_REQUIRE(out.size() == 2U, "bit " << bit);
		BOOST_TEST((out[0] == frames[0]));
		BOOST_TEST((out[1] == frames[2]));
		// One byte slid past the bad preamble, the other eight rescanned as junk.
		BOOST_TEST(p.stats() == (ParserStats{2, 1, 9, 0}), "bit " << bit);
	}
	// A flipped preamble bit just makes the frame junk.
	for (std::size_t bit = 0; bit < 16; ++bit) {
		Bytes stream = clean;
		stream[9 + bit / 8] ^= std::uint8_t(0x80 >> (bit % 8));
		ReplyParser p(kReplyLen);
		const Frames out = feed_all(p, stream);
		BOOST_TEST_REQUIRE(out.size() == 2U);
		BOOST_TEST(p.stats().crc_errors == 0U);
		BOOST_TEST(p.stats().junk_bytes == 9U);
	}
}

BOOST_AUTO_TEST_CASE(a_real_preamble_inside_a_bad_frame_is_found)
{
	const ChipFrame real = NonceReply{0x0BADF00D, 0x00, 0x24, std::nullopt};
	const Bytes fr = encode_reply(real, kReplyLen);
	for (const Bytes &fake : {Bytes{0xAA, 0x55, 0x01, 0x02}, Bytes{0xAA, 0x55},
	                          Bytes{0xAA, 0x55, 0x13, 0x97, 0x18, 0x00, 0x00}}) {
		Bytes stream = fake;
		stream.insert(stream.end(), fr.begin(), fr.end());
		// The fake window must fail its CRC for this test to mean anything.
		BOOST_TEST_REQUIRE(crc5(ByteSpan(stream).subspan(2, 7)) != 0);
		for (std::size_t chunk : {1U, 3U, 100U}) {
			std::vector<std::size_t> cuts;
			for (std::size_t at = chunk; at < stream.size(); at += chunk)
				cuts.push_back(at);
			ReplyParser p(kReplyLen);
			const Frames out = feed_split(p, stream, cuts);
			BOOST_TEST_REQUIRE(out.size() == 1U);
			BOOST_TEST((out[0] == real));
			BOOST_TEST(p.stats() == (ParserStats{1, 1, fake.size(), 0}));
		}
	}
}

// Exact recovery: the stream is built so that no fake preamble can appear (garbage
// holds neither preamble byte, no payload byte is one bit away from 0xAA). Then every
// frame not hit by a bit error comes out, and nothing else does.
BOOST_AUTO_TEST_CASE(long_stream_recovers_every_frame_not_hit_by_errors)
{
	std::mt19937 rng(2024);
	for (std::size_t len : {kReplyLen, kRollingReplyLen}) {
		Bytes stream;
		std::vector<ChipFrame> expect;
		std::uint64_t junk = 0, crc_hits = 0;
		for (int i = 0; i < 5000; ++i) {
			const Bytes g = clean_garbage(rng, rng() % 4 == 0 ? rng() % 30 : 0);
			stream.insert(stream.end(), g.begin(), g.end());
			junk += g.size();
			const ChipFrame f = random_frame(rng, len, true);
			Bytes b = encode_reply(f, len);
			if (rng() % 10 == 0) {
				const std::size_t bit = rng() % (len * 8);
				b[bit / 8] ^= std::uint8_t(0x80 >> (bit % 8));
				junk += len;
				crc_hits += bit >= 16;
			} else {
				expect.push_back(f);
			}
			stream.insert(stream.end(), b.begin(), b.end());
		}
		std::vector<std::size_t> cuts;
		for (std::size_t at = 0; (at += 1 + rng() % 64) < stream.size();)
			cuts.push_back(at);
		ReplyParser p(len);
		const Frames out = feed_split(p, stream, cuts);
		BOOST_TEST_REQUIRE(out.size() == expect.size());
		BOOST_TEST((out == expect));
		BOOST_TEST(p.stats() == (ParserStats{expect.size(), crc_hits, junk, 0}));
		BOOST_TEST(p.buffered() == 0U);
	}
}

// Unconstrained random garbage can hold fake preambles, and a 5-bit CRC lets about one
// fake window in 32 through; such a window can swallow the start of a real frame.
// What must hold: nearly every frame survives, and every byte is accounted for.
BOOST_AUTO_TEST_CASE(long_stream_with_unconstrained_garbage)
{
	std::mt19937 rng(99);
	Bytes stream;
	std::vector<ChipFrame> sent;
	for (int i = 0; i < 5000; ++i) {
		Bytes g(rng() % 20);
		for (auto &x : g)
			x = std::uint8_t(rng());
		if (i % 50 == 0)
			g.insert(g.end(), {0xAA, 0x55}); // a fake preamble right before a frame
		stream.insert(stream.end(), g.begin(), g.end());
		sent.push_back(random_frame(rng, kReplyLen));
		const Bytes b = encode_reply(sent.back(), kReplyLen);
		stream.insert(stream.end(), b.begin(), b.end());
	}
	ReplyParser p(kReplyLen);
	const Frames out = feed_all(p, stream);
	// The sent frames must appear in order within what came out; a lost one is
	// skipped, and a false frame may sit between two real ones.
	std::size_t found = 0, next = 0;
	for (const auto &f : sent)
		for (std::size_t k = next; k < out.size() && k < next + 3; ++k)
			if (out[k] == f) {
				++found;
				next = k + 1;
				break;
			}
	BOOST_TEST_MESSAGE("recovered " << found << " of " << sent.size() << ", " << out.size()
	                                << " frames out");
	BOOST_TEST(found >= sent.size() * 99 / 100);
	BOOST_TEST(p.stats().frames == out.size());
	BOOST_TEST(p.stats().frames * 9 + p.stats().junk_bytes + p.buffered() == stream.size());
}

BOOST_AUTO_TEST_CASE(memory_stays_bounded_on_endless_garbage)
{
	std::mt19937 rng(8);
	for (std::size_t len : {kReplyLen, kRollingReplyLen}) {
		ReplyParser p(len);
		std::uint64_t fed = 0;
		const auto sink = [](const ChipFrame &) {};
		for (int i = 0; i < 2000; ++i) {
			Bytes chunk(1 + rng() % 4096);
			for (auto &x : chunk)
				x = std::uint8_t(rng());
			if (i % 3 == 0) // also runs of fake preambles
				for (std::size_t j = 0; j + 1 < chunk.size(); j += 2) {
					chunk[j] = 0xAA;
					chunk[j + 1] = 0x55;
				}
			p.feed(chunk, sink);
			fed += chunk.size();
			BOOST_TEST_REQUIRE(p.buffered() < len);
		}
		// One huge chunk too.
		Bytes huge(1 << 20, 0xAA);
		p.feed(huge, sink);
		fed += huge.size();
		BOOST_TEST(p.buffered() < len);
		const auto &s = p.stats();
		BOOST_TEST(s.frames * len + s.junk_bytes + p.buffered() == fed);
	}
}

BOOST_AUTO_TEST_CASE(reset_and_reply_length_change)
{
	const Bytes f9 = encode_reply(RegisterReply{0x13661234, 1, 2}, kReplyLen);
	const Bytes f11 = encode_reply(NonceReply{7, 0, 0x18, 0x0040}, kRollingReplyLen);
	ReplyParser p(kReplyLen);
	Frames out;
	const auto sink = [&](const ChipFrame &f) { out.push_back(f); };
	p.feed(ByteSpan(f9).first(5), sink); // partial frame, then a reset (baud change)
	p.reset();
	BOOST_TEST(p.stats().junk_bytes == 5U);
	p.set_reply_len(kRollingReplyLen);
	p.feed(f11, sink);
	BOOST_TEST_REQUIRE(out.size() == 1U);
	BOOST_TEST((out[0] == ChipFrame{NonceReply{7, 0, 0x18, 0x0040}}));
}

BOOST_AUTO_TEST_CASE(a_throwing_sink_does_not_make_frames_come_out_twice)
{
	const Bytes a = encode_reply(RegisterReply{1, 0, 0}, kReplyLen);
	const Bytes b = encode_reply(RegisterReply{2, 0, 0}, kReplyLen);
	ReplyParser p(kReplyLen);
	Frames out;
	BOOST_CHECK_THROW(p.feed(a, [](const ChipFrame &) { throw std::runtime_error("sink"); }),
	                  std::runtime_error);
	p.feed(b, [&](const ChipFrame &f) { out.push_back(f); });
	BOOST_TEST_REQUIRE(out.size() == 1U);
	BOOST_TEST((out[0] == ChipFrame{RegisterReply{2, 0, 0}}));
}
