// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include "parser_feed.hpp"
#include "test_printing.hpp"

#include <hashboard/bm13xx/codec.hpp>

#include <bit>
#include <ostream>
#include <random>
#include <variant>

using namespace hashboard;
using namespace hashboard::bm13xx;

namespace {

using Frames = std::vector<HostFrame>;

Bytes concat(const Frames &frames)
{
	Bytes out;
	for (const auto &f : frames) {
		const Bytes b = encode_host_frame(f);
		out.insert(out.end(), b.begin(), b.end());
	}
	return out;
}

using hbtest::feed_all;
using hbtest::feed_split;

// Random content; with safe set, no byte is within one bit flip of the preamble's
// first byte, so a single bit error cannot create a fake preamble.
struct Gen {
	std::mt19937 rng;
	bool safe = false;

	std::uint8_t byte()
	{
		for (;;) {
			const auto b = std::uint8_t(rng());
			if (!safe || std::popcount(unsigned(b ^ kCmdPreamble[0])) > 1)
				return b;
		}
	}
	std::uint32_t word()
	{
		return std::uint32_t(byte()) | std::uint32_t(byte()) << 8 |
		       std::uint32_t(byte()) << 16 | std::uint32_t(byte()) << 24;
	}
	std::uint8_t job_id()
	{
		for (;;) {
			const std::uint8_t id = byte() & 0x7F;
			if (!safe || std::popcount(unsigned(id ^ kCmdPreamble[0])) > 1)
				return id;
		}
	}
	Hash256 hash()
	{
		Hash256 h;
		for (auto &b : h)
			b = byte();
		return h;
	}
	HostFrame frame()
	{
		switch (rng() % 7) {
		case 0:
			return SetAddress{byte()};
		case 1:
			return WriteRegister{rng() % 2 == 0, byte(), byte(), word()};
		case 2:
			return ReadRegister{rng() % 2 == 0, byte(), byte()};
		case 3:
			return ChainInactive{};
		case 4:
		case 5: {
			MidstateJob j{job_id(), word(), word(), word(), word(), {}};
			const std::size_t n = rng() % 2 ? 4 : 1;
			for (std::size_t i = 0; i < n; ++i)
				j.midstates.push_back({word(), word(), word(), word(), word(),
				                       word(), word(), word()});
			return j;
		}
		default:
			return HeaderJob{job_id(), word(), word(), word(), hash(), hash(), word()};
		}
	}
};

Bytes clean_garbage(std::mt19937 &rng, std::size_t n)
{
	Bytes g;
	while (g.size() < n) {
		const auto b = std::uint8_t(rng());
		if (b != kCmdPreamble[0] && b != kCmdPreamble[1])
			g.push_back(b);
	}
	return g;
}

// A frame with a correct CRC around arbitrary HDR, LEN and DATA.
Bytes raw_frame(std::uint8_t hdr, ByteSpan data, bool job)
{
	Bytes f(4 + data.size());
	f[0] = 0x55;
	f[1] = 0xAA;
	f[2] = hdr;
	f[3] = std::uint8_t(data.size() + (job ? 4 : 3));
	std::copy(data.begin(), data.end(), f.begin() + 4);
	const ByteSpan covered = ByteSpan(f).subspan(2);
	if (job) {
		const std::uint16_t crc = crc16(covered);
		f.push_back(std::uint8_t(crc >> 8));
		f.push_back(std::uint8_t(crc));
	} else {
		f.push_back(crc5(covered));
	}
	return f;
}

HeaderJob sample_header_job()
{
	HeaderJob j{0x18, 0, 0x1b04864c, 0x4d1b2237, {}, {}, 0x20000000};
	for (std::size_t i = 0; i < 32; ++i) {
		j.merkle_root[i] = std::uint8_t(0x10 + i);
		j.prev_hash[i] = std::uint8_t(0x80 + i);
	}
	return j;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_chunking_gives_the_same_frames)
{
	const Frames frames = {
	    SetAddress{0x04},
	    WriteRegister{true, 0x00, 0x18, 0x00007A31},
	    ChainInactive{},
	    sample_header_job(),
	    ReadRegister{false, 0x04, 0x00},
	};
	std::mt19937 rng(1);
	Bytes stream = clean_garbage(rng, 2);
	const Bytes body = concat(frames);
	stream.insert(stream.end(), body.begin(), body.end());

	HostParser whole;
	const Frames expect = feed_all(whole, stream);
	BOOST_TEST_REQUIRE(expect.size() == frames.size());
	BOOST_TEST((expect == frames));
	BOOST_TEST(whole.stats() == (ParserStats{frames.size(), 0, 2, 0}));

	for (std::size_t a = 0; a <= stream.size(); ++a)
		for (std::size_t b = a; b <= stream.size(); b += 3) {
			HostParser p;
			BOOST_TEST_REQUIRE((feed_split(p, stream, {a, b}) == expect));
			BOOST_TEST_REQUIRE((p.stats() == whole.stats()));
		}
	std::vector<std::size_t> cuts;
	for (std::size_t i = 1; i < stream.size(); ++i)
		cuts.push_back(i);
	HostParser bytewise;
	BOOST_TEST((feed_split(bytewise, stream, cuts) == expect));
}

BOOST_AUTO_TEST_CASE(random_frames_random_splits)
{
	Gen gen{std::mt19937(77)};
	Frames frames;
	for (int i = 0; i < 1500; ++i)
		frames.push_back(gen.frame());
	const Bytes stream = concat(frames);
	for (int round = 0; round < 10; ++round) {
		std::vector<std::size_t> cuts;
		for (std::size_t at = 0; (at += 1 + gen.rng() % 200) < stream.size();)
			cuts.push_back(at);
		HostParser p;
		const Frames out = feed_split(p, stream, cuts);
		BOOST_TEST_REQUIRE(out.size() == frames.size());
		BOOST_TEST((out == frames));
		BOOST_TEST(p.stats() == (ParserStats{frames.size(), 0, 0, 0}));
		BOOST_TEST(p.buffered() == 0U);
	}
}

BOOST_AUTO_TEST_CASE(garbage_before_and_between_frames_is_counted_exactly)
{
	std::mt19937 rng(4);
	const Bytes g1 = clean_garbage(rng, 13), g2 = clean_garbage(rng, 6);
	const Bytes a = encode_chain_inactive(), b = encode_job(sample_header_job());
	Bytes stream = g1;
	stream.insert(stream.end(), a.begin(), a.end());
	stream.insert(stream.end(), g2.begin(), g2.end());
	stream.insert(stream.end(), {0xAA, 0x55, 0x55, 0x00}); // wrong order, lone first byte
	stream.insert(stream.end(), b.begin(), b.end());
	stream.push_back(0x55);
	HostParser p;
	const Frames out = feed_all(p, stream);
	BOOST_TEST_REQUIRE(out.size() == 2U);
	BOOST_TEST((out[1] == HostFrame{sample_header_job()}));
	BOOST_TEST(p.stats() == (ParserStats{2, 0, 13 + 6 + 4, 0}));
	BOOST_TEST(p.buffered() == 1U);
}

BOOST_AUTO_TEST_CASE(a_flipped_bit_drops_only_that_frame)
{
	const Frames frames = {
	    WriteRegister{false, 0x08, 0x08, 0x40A00225},
	    sample_header_job(),
	    WriteRegister{true, 0x00, 0x14, 0x000000FF},
	    ChainInactive{},
	};
	const Bytes clean = concat(frames);
	for (std::size_t target : {0U, 1U, 2U}) {
		std::size_t off = 0;
		for (std::size_t i = 0; i < target; ++i)
			off += encode_host_frame(frames[i]).size();
		const std::size_t size = encode_host_frame(frames[target]).size();
		for (std::size_t bit = 0; bit < size * 8; ++bit) {
			Bytes stream = clean;
			stream[off + bit / 8] ^= std::uint8_t(0x80 >> (bit % 8));
			HostParser p;
			const Frames out = feed_all(p, stream);
			Frames expect = frames;
			expect.erase(expect.begin() + std::ptrdiff_t(target));
			BOOST_TEST_REQUIRE((out == expect), "frame " << target << " bit " << bit);
			const auto &s = p.stats();
			BOOST_TEST(s.junk_bytes == size);
			if (bit >=
			    16) // a whole-looking frame: a CRC error, or an impossible HDR/LEN
				BOOST_TEST(s.crc_errors + s.bad_frames == 1U);
			else
				BOOST_TEST(s.crc_errors + s.bad_frames == 0U);
		}
	}
}

BOOST_AUTO_TEST_CASE(bad_len_and_unknown_hdr_are_bad_frames)
{
	const Bytes good = encode_read_register(true, 0, 0);
	const std::vector<Bytes> bad_heads = {
	    {0x55, 0xAA, 0x41, 0x05}, // write with a read's LEN
	    {0x55, 0xAA, 0x40, 0x09}, // set address with a write's LEN
	    {0x55, 0xAA, 0x21, 0x55}, // job, LEN off by one
	    {0x55, 0xAA, 0x21, 0xFF}, // job, absurd LEN: must not wait for 255 bytes
	    {0x55, 0xAA, 0x60, 0x05}, // unknown type
	    {0x55, 0xAA, 0x50, 0x05}, // set address cannot be broadcast
	    {0x55, 0xAA, 0x43, 0x05}, // chain inactive to one chip
	    {0x55, 0xAA, 0x31, 0x56}, // job HDR with the broadcast bit
	};
	for (const auto &head : bad_heads) {
		Bytes stream = head;
		stream.insert(stream.end(), good.begin(), good.end());
		HostParser p;
		const Frames out = feed_all(p, stream);
		BOOST_TEST_REQUIRE(out.size() == 1U);
		BOOST_TEST((out[0] == HostFrame{ReadRegister{true, 0, 0}}));
		BOOST_TEST(p.stats() == (ParserStats{1, 0, 4, 1}));
	}
}

BOOST_AUTO_TEST_CASE(good_crc_but_impossible_content_is_a_bad_frame)
{
	const Bytes good = encode_chain_inactive();
	Bytes job_data(82, 0x11);
	job_data[1] = 1;
	Bytes big_id = job_data;
	big_id[0] = 0x80;
	Bytes two_midstates(50, 0x22); // LEN 0x36 but claims four midstates
	two_midstates[0] = 1;
	two_midstates[1] = 4;
	Bytes header_count = job_data; // header job claiming four midstates
	header_count[1] = 4;
	const std::vector<Bytes> bad = {
	    raw_frame(0x40, Bytes{0x04, 0x01}, false), // set address, pad byte not zero
	    raw_frame(0x53, Bytes{0x00, 0x01}, false), // chain inactive with data
	    raw_frame(0x21, big_id, true),
	    raw_frame(0x21, two_midstates, true),
	    raw_frame(0x21, header_count, true),
	};
	// The same builder makes frames the parser accepts, so it is not the culprit.
	BOOST_TEST(raw_frame(0x40, Bytes{0x04, 0x00}, false) == encode_set_address(4));
	for (const auto &frame : bad) {
		Bytes stream = frame;
		stream.insert(stream.end(), good.begin(), good.end());
		HostParser p;
		const Frames out = feed_all(p, stream);
		BOOST_TEST_REQUIRE(out.size() == 1U);
		BOOST_TEST((out[0] == HostFrame{ChainInactive{}}));
		BOOST_TEST(p.stats().bad_frames == 1U);
		BOOST_TEST(p.stats().crc_errors == 0U);
		BOOST_TEST(p.stats().junk_bytes == frame.size());
	}
}

BOOST_AUTO_TEST_CASE(truncated_frames_are_skipped)
{
	const Bytes job = encode_job(sample_header_job());
	const Bytes cmd = encode_set_address(0x10);
	for (std::size_t cut = 1; cut < job.size(); ++cut) {
		// A truncated job followed by a command, then by a whole job.
		Bytes stream(job.begin(), job.begin() + std::ptrdiff_t(cut));
		stream.insert(stream.end(), cmd.begin(), cmd.end());
		stream.insert(stream.end(), job.begin(), job.end());
		HostParser p;
		const Frames out = feed_all(p, stream);
		BOOST_TEST_REQUIRE(out.size() == 2U, "cut " << cut);
		BOOST_TEST((out[0] == HostFrame{SetAddress{0x10}}));
		BOOST_TEST((out[1] == HostFrame{sample_header_job()}));
		BOOST_TEST(p.stats().junk_bytes == cut);
	}
	// A truncated frame at the end waits; reset() drops it and counts it as junk.
	HostParser p;
	feed_all(p, Bytes(job.begin(), job.begin() + 40));
	BOOST_TEST(p.buffered() == 40U);
	BOOST_TEST(p.stats().frames == 0U);
	p.reset();
	BOOST_TEST(p.buffered() == 0U);
	BOOST_TEST(p.stats().junk_bytes == 40U);
}

BOOST_AUTO_TEST_CASE(long_stream_recovers_every_frame_not_hit_by_errors)
{
	Gen gen{std::mt19937(31337), true};
	Bytes stream;
	Frames expect;
	std::uint64_t junk = 0, hits = 0;
	for (int i = 0; i < 3000; ++i) {
		const Bytes g = clean_garbage(gen.rng, gen.rng() % 4 == 0 ? gen.rng() % 40 : 0);
		stream.insert(stream.end(), g.begin(), g.end());
		junk += g.size();
		const HostFrame f = gen.frame();
		Bytes b = encode_host_frame(f);
		if (gen.rng() % 10 == 0) {
			const std::size_t bit = gen.rng() % (b.size() * 8);
			b[bit / 8] ^= std::uint8_t(0x80 >> (bit % 8));
			junk += b.size();
			hits += bit >= 16;
		} else {
			expect.push_back(f);
		}
		stream.insert(stream.end(), b.begin(), b.end());
	}
	std::vector<std::size_t> cuts;
	for (std::size_t at = 0; (at += 1 + gen.rng() % 300) < stream.size();)
		cuts.push_back(at);
	HostParser p;
	const Frames out = feed_split(p, stream, cuts);
	BOOST_TEST_REQUIRE(out.size() == expect.size());
	BOOST_TEST((out == expect));
	const auto &s = p.stats();
	BOOST_TEST(s.frames == expect.size());
	BOOST_TEST(s.crc_errors + s.bad_frames == hits);
	BOOST_TEST(s.junk_bytes == junk);
	BOOST_TEST(p.buffered() == 0U);
}

BOOST_AUTO_TEST_CASE(memory_stays_bounded_on_endless_garbage)
{
	std::mt19937 rng(8);
	HostParser p;
	std::uint64_t fed = 0, frame_bytes = 0;
	// Random bytes can hold a valid frame now and then; count what they add up to.
	const auto sink = [&](const HostFrame &f) { frame_bytes += encode_host_frame(f).size(); };
	const Bytes job_head{0x55, 0xAA, 0x21, 0x96};
	for (int i = 0; i < 2000; ++i) {
		Bytes chunk(1 + rng() % 4096);
		for (auto &x : chunk)
			x = std::uint8_t(rng());
		if (i % 3 == 0) // runs of job headers that promise 152 bytes each
			for (std::size_t j = 0; j + 4 <= chunk.size(); j += 4)
				std::copy(job_head.begin(), job_head.end(),
				          chunk.begin() + std::ptrdiff_t(j));
		p.feed(chunk, sink);
		fed += chunk.size();
		BOOST_TEST_REQUIRE(p.buffered() < host_frame_size(kLenFourMidstates));
	}
	BOOST_TEST(frame_bytes + p.stats().junk_bytes + p.buffered() == fed);
}
