// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"

#include <hashboard/bm13xx/codec.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <variant>

using namespace hashboard;
using namespace hashboard::bm13xx;

namespace {

Bytes hex(std::string_view s)
{
	Bytes out;
	int hi = -1;
	for (char c : s) {
		int v;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			out.push_back(std::uint8_t(hi << 4 | v));
			hi = -1;
		}
	}
	return out;
}

Bytes slice(const Bytes &b, std::size_t off, std::size_t len)
{
	return Bytes(b.begin() + std::ptrdiff_t(off), b.begin() + std::ptrdiff_t(off + len));
}

struct Block {
	Bytes header;
	std::string midstate_hex;
	std::string tail12_hex;
	std::uint32_t time;
	std::uint32_t bits;
};

Block block_100000()
{
	const auto doc = hbtest::load_vector("sha256_and_blocks.json");
	for (const auto &b : doc.at("blocks").as_array()) {
		if (b.at("height").to_number<int>() != 100000)
			continue;
		Block blk;
		blk.header = hex(b.at("header").as_string().c_str());
		blk.midstate_hex = b.at("midstate").as_string().c_str();
		blk.tail12_hex = b.at("tail12").as_string().c_str();
		blk.time = b.at("time").to_number<std::uint32_t>();
		blk.bits = std::uint32_t(std::stoul(b.at("bits").as_string().c_str(), nullptr, 16));
		return blk;
	}
	throw std::runtime_error("block 100000 missing from the vectors");
}

HeaderJob header_job_from(const Bytes &header, std::uint8_t job_id)
{
	HeaderJob job;
	job.job_id = job_id;
	job.version = load_le32(header.data());
	std::copy_n(header.begin() + 4, 32, job.prev_hash.begin());
	std::copy_n(header.begin() + 36, 32, job.merkle_root.begin());
	job.ntime = load_le32(header.data() + 68);
	job.nbits = load_le32(header.data() + 72);
	job.starting_nonce = 0;
	return job;
}

std::array<std::uint32_t, 8> state_from_hex(const std::string &h)
{
	const Bytes b = hex(h);
	std::array<std::uint32_t, 8> s{};
	for (std::size_t i = 0; i < 8; ++i)
		s[i] = load_be32(b.data() + i * 4);
	return s;
}

void check_job_crc(const Bytes &frame)
{
	const std::uint16_t crc = crc16(ByteSpan(frame).subspan(2, frame.size() - 4));
	BOOST_TEST(frame[frame.size() - 2] == (crc >> 8));
	BOOST_TEST(frame[frame.size() - 1] == (crc & 0xFF));
}

std::vector<HostFrame> parse_host(const Bytes &stream)
{
	HostParser parser;
	std::vector<HostFrame> out;
	parser.feed(stream, [&](const HostFrame &f) { out.push_back(f); });
	BOOST_TEST(parser.stats().crc_errors == 0U);
	BOOST_TEST(parser.stats().bad_frames == 0U);
	BOOST_TEST(parser.stats().junk_bytes == 0U);
	BOOST_TEST(parser.buffered() == 0U);
	return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(golden_command_frames)
{
	BOOST_TEST(encode_read_register(true, 0, 0x00) == hex("55 AA 52 05 00 00 0A"));
	BOOST_TEST(encode_chain_inactive() == hex("55 AA 53 05 00 00 03"));
	BOOST_TEST(encode_set_address(0x00) == hex("55 AA 40 05 00 00 1C"));
	BOOST_TEST(encode_set_address(0x08) == hex("55 AA 40 05 08 00 07"));
}

BOOST_AUTO_TEST_CASE(register_write_and_read_encodes)
{
	// Ticket mask write to all chips, as captured from public firmware.
	BOOST_TEST(encode_write_register(true, 0x00, 0x14, 0x00000000) ==
	           hex("55 AA 51 09 00 14 00 00 00 00 1C"));

	const Bytes w = encode_write_register(false, 0x08, 0x08, 0x40A00225);
	BOOST_TEST(w.size() == 11U);
	BOOST_TEST(slice(w, 0, 10) == hex("55 AA 41 09 08 08 40 A0 02 25"));
	BOOST_TEST(w[10] == crc5(ByteSpan(w).subspan(2, 8)));
	BOOST_TEST(w[10] < 0x20);

	const Bytes r = encode_read_register(false, 0x10, 0xA4);
	BOOST_TEST(r.size() == 7U);
	BOOST_TEST(slice(r, 0, 6) == hex("55 AA 42 05 10 A4"));
	BOOST_TEST(r[6] == crc5(ByteSpan(r).subspan(2, 4)));
}

BOOST_AUTO_TEST_CASE(header_job_field_placement_block_100000)
{
	const Block blk = block_100000();
	BOOST_REQUIRE(blk.header.size() == 80U);
	const HeaderJob job = header_job_from(blk.header, 0x18);
	BOOST_TEST(job.nbits == blk.bits);
	BOOST_TEST(job.ntime == blk.time);
	BOOST_TEST(job.version == 1U);

	const Bytes f = encode_job(job);
	BOOST_TEST(f.size() == kHeaderJobSize);
	BOOST_TEST(slice(f, 0, 4) == hex("55 AA 21 56"));
	BOOST_TEST(f[4] == 0x18);
	BOOST_TEST(f[5] == 0x01);
	BOOST_TEST(slice(f, 6, 4) == hex("00 00 00 00"));
	BOOST_TEST(slice(f, 10, 4) == slice(blk.header, 72, 4)); // nbits as in the header
	BOOST_TEST(slice(f, 10, 4) == hex("4c 86 04 1b"));
	BOOST_TEST(slice(f, 14, 4) == slice(blk.header, 68, 4)); // ntime as in the header
	for (std::size_t w = 0; w < 8; ++w) {
		// Wire word w is header word 7 - w, its four bytes unchanged.
		BOOST_TEST(slice(f, 18 + 4 * w, 4) == slice(blk.header, 36 + 4 * (7 - w), 4));
		BOOST_TEST(slice(f, 50 + 4 * w, 4) == slice(blk.header, 4 + 4 * (7 - w), 4));
	}
	// Merkle root: header bytes 36..67 are 6657a925 ... 4247e9f3; the last word leads.
	BOOST_TEST(slice(f, 18, 4) == hex("42 47 e9 f3"));
	BOOST_TEST(slice(f, 46, 4) == hex("66 57 a9 25"));
	BOOST_TEST(slice(f, 82, 4) == slice(blk.header, 0, 4)); // version
	check_job_crc(f);
}

BOOST_AUTO_TEST_CASE(midstate_job_field_placement_block_100000)
{
	const Block blk = block_100000();
	const Bytes tail12 = hex(blk.tail12_hex);
	MidstateJob job;
	job.job_id = 0x04;
	job.starting_nonce = 0x01020304;
	job.merkle_tail = load_le32(tail12.data());
	job.ntime = load_le32(tail12.data() + 4);
	job.nbits = load_le32(tail12.data() + 8);
	job.midstates.push_back(state_from_hex(blk.midstate_hex));

	const Bytes f1 = encode_job(job);
	BOOST_TEST(f1.size() == host_frame_size(kLenOneMidstate));
	BOOST_TEST(slice(f1, 0, 6) == hex("55 AA 21 36 04 01"));
	BOOST_TEST(slice(f1, 6, 4) == hex("04 03 02 01"));
	BOOST_TEST(slice(f1, 10, 4) == slice(tail12, 8, 4)); // nbits
	BOOST_TEST(slice(f1, 14, 4) == slice(tail12, 4, 4)); // ntime
	BOOST_TEST(slice(f1, 18, 4) == slice(tail12, 0, 4)); // merkle tail
	// BE(h7) .. BE(h0): the state's words last-first, each big-endian (ESP-Miner's
	// verifier frame, gekko's stuff_reverse; docs/protocol.md).
	const Bytes state = hex(blk.midstate_hex);
	Bytes reversed;
	for (std::size_t w = 8; w-- > 0;)
		reversed.insert(reversed.end(), state.begin() + long(w * 4),
		                state.begin() + long(w * 4 + 4));
	BOOST_TEST(slice(f1, 22, 32) == reversed);
	BOOST_TEST(slice(f1, 50, 4) == slice(state, 0, 4)); // h0 last, big-endian
	check_job_crc(f1);

	// Four midstates: LEN 0x96, each one in its own 32-byte slot in order.
	job.midstates.push_back({1, 2, 3, 4, 5, 6, 7, 8});
	job.midstates.push_back({});
	job.midstates.push_back(state_from_hex(std::string(64, 'f')));
	const Bytes f4 = encode_job(job);
	BOOST_TEST(f4.size() == host_frame_size(kLenFourMidstates));
	BOOST_TEST(f4[3] == 0x96);
	BOOST_TEST(f4[5] == 0x04);
	BOOST_TEST(slice(f4, 22, 32) == reversed);
	BOOST_TEST(slice(f4, 54, 4) == hex("00 00 00 08")); // h7 first, big-endian
	BOOST_TEST(slice(f4, 82, 4) == hex("00 00 00 01"));
	BOOST_TEST(slice(f4, 86, 32) == Bytes(32, 0x00));
	BOOST_TEST(slice(f4, 118, 32) == Bytes(32, 0xFF));
	check_job_crc(f4);
}

BOOST_AUTO_TEST_CASE(invalid_jobs_are_rejected)
{
	MidstateJob m;
	BOOST_CHECK_THROW(encode_job(m), std::invalid_argument); // no midstate
	for (std::size_t n : {2U, 3U, 5U}) {
		m.midstates.assign(n, {});
		BOOST_CHECK_THROW(encode_job(m), std::invalid_argument);
	}
	m.midstates.assign(1, {});
	m.job_id = 0x7F;
	BOOST_CHECK_NO_THROW(encode_job(m));
	m.job_id = 0x80;
	BOOST_CHECK_THROW(encode_job(m), std::invalid_argument);

	HeaderJob h;
	h.job_id = 0x7F;
	BOOST_CHECK_NO_THROW(encode_job(h));
	h.job_id = 0xFF;
	BOOST_CHECK_THROW(encode_job(h), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(every_host_frame_type_round_trips_through_host_parser)
{
	const Block blk = block_100000();
	MidstateJob one;
	one.job_id = 0x7C;
	one.starting_nonce = 0xDEADBEEF;
	one.nbits = 0x1b04864c;
	one.ntime = 0x4d1b2237;
	one.merkle_tail = 0xf3e94742;
	one.midstates.push_back(state_from_hex(blk.midstate_hex));
	MidstateJob four = one;
	four.job_id = 0x00;
	for (std::uint32_t i = 1; i < 4; ++i)
		four.midstates.push_back({i, i * 3, i * 5, i * 7, ~i, i << 20, i << 28, 0});

	const std::vector<HostFrame> frames = {
	    SetAddress{0x00},
	    SetAddress{0xFC},
	    WriteRegister{true, 0x00, 0x14, 0x000000FF},
	    WriteRegister{false, 0x84, 0xA4, 0x90000FFFU},
	    ReadRegister{true, 0x00, 0x00},
	    ReadRegister{false, 0x20, 0x4C},
	    ChainInactive{},
	    one,
	    four,
	    header_job_from(blk.header, 0x28),
	};
	Bytes stream;
	for (const auto &frame : frames) {
		const Bytes b = encode_host_frame(frame);
		// Each frame alone, then all of them back to back.
		const auto alone = parse_host(b);
		BOOST_TEST_REQUIRE(alone.size() == 1U);
		BOOST_TEST((alone[0] == frame));
		stream.insert(stream.end(), b.begin(), b.end());
	}
	const auto all = parse_host(stream);
	BOOST_TEST_REQUIRE(all.size() == frames.size());
	for (std::size_t i = 0; i < frames.size(); ++i)
		BOOST_TEST((all[i] == frames[i]), "frame " << i);
}

BOOST_AUTO_TEST_CASE(golden_reply_decodes_to_bm1397_chip_id)
{
	const Bytes golden = hex("AA 55 13 97 18 00 00 00 06");
	ReplyParser parser(kReplyLen);
	std::vector<ChipFrame> out;
	parser.feed(golden, [&](const ChipFrame &f) { out.push_back(f); });
	BOOST_TEST_REQUIRE(out.size() == 1U);
	const auto *reg = std::get_if<RegisterReply>(&out[0]);
	BOOST_TEST_REQUIRE(reg != nullptr);
	BOOST_TEST((reg->value >> 16) == 0x1397U);
	BOOST_TEST(((reg->value >> 8) & 0xFF) == 0x18U);
	BOOST_TEST((reg->value & 0xFF) == 0x00U);
	BOOST_TEST(reg->chip == 0x00);
	BOOST_TEST(reg->reg == 0x00);
	BOOST_TEST(encode_reply(*reg, kReplyLen) == golden);
}

BOOST_AUTO_TEST_CASE(reply_encodings)
{
	const Bytes r11 = encode_reply(RegisterReply{0x13661234, 0x04, 0x00}, kRollingReplyLen);
	BOOST_TEST(slice(r11, 0, 10) == hex("AA 55 13 66 12 34 04 00 00 00"));
	BOOST_TEST((r11[10] & 0xE0) == 0x00);
	BOOST_TEST(crc5(ByteSpan(r11).subspan(2)) == 0);

	const Bytes n9 = encode_reply(NonceReply{0x10572b0f, 0x03, 0x1B, std::nullopt}, kReplyLen);
	BOOST_TEST(slice(n9, 0, 8) == hex("AA 55 0f 2b 57 10 03 1B"));
	BOOST_TEST((n9[8] & 0xE0) == 0x80);
	BOOST_TEST(crc5(ByteSpan(n9).subspan(2)) == 0);

	const Bytes n11 =
	    encode_reply(NonceReply{0x10572b0f, 0x00, 0x18, 0x1234}, kRollingReplyLen);
	BOOST_TEST(slice(n11, 0, 10) == hex("AA 55 0f 2b 57 10 00 18 12 34"));
	BOOST_TEST((n11[10] & 0xE0) == 0x80);
	BOOST_TEST(crc5(ByteSpan(n11).subspan(2)) == 0);
}

BOOST_AUTO_TEST_CASE(reply_encoder_rejects_bad_arguments)
{
	for (std::size_t len : {0U, 8U, 10U, 12U}) {
		BOOST_CHECK_THROW(encode_reply(RegisterReply{}, len), std::invalid_argument);
		BOOST_CHECK_THROW(encode_reply(NonceReply{}, len), std::invalid_argument);
	}
	BOOST_CHECK_THROW(encode_reply(NonceReply{1, 2, 3, std::nullopt}, kRollingReplyLen),
	                  std::invalid_argument);
	BOOST_CHECK_THROW(encode_reply(NonceReply{1, 2, 3, 0x0004}, kReplyLen),
	                  std::invalid_argument);
	BOOST_CHECK_THROW(ReplyParser(10), std::invalid_argument);
	ReplyParser p(kReplyLen);
	BOOST_CHECK_THROW(p.set_reply_len(7), std::invalid_argument);
	BOOST_TEST(p.reply_len() == 9U);
}
