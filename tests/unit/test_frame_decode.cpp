// SPDX-License-Identifier: MIT
// hbctl frames decode's logic: capture readers, the stream scanner and frame meanings.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"

#include <hashboard/bm13xx/capture.hpp>
#include <hashboard/bm13xx/capture_scan.hpp>
#include <hashboard/bm13xx/describe.hpp>
#include <hashboard/chain_job.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/work.hpp>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace hashboard;
namespace bm = hashboard::bm13xx;

namespace {

const ChipFamily &bm1366 = family_by_name("bm1366");
const ChipFamily &bm1397 = family_by_name("bm1397");
const ChipFamily &bm1370 = family_by_name("bm1370");

struct Scan {
	std::vector<bm::ScanItem> items;
	bm::ScanStats stats;
};

Scan scan(const Bytes &bytes, const ChipFamily &family = bm1366,
          std::optional<bm::Direction> direction = std::nullopt)
{
	Scan s;
	bm::DescribeState state;
	s.items = bm::scan_stream(bytes, {}, {&family, direction}, state, s.stats);
	return s;
}

std::vector<std::string> lines(const Scan &s, bool with_bytes = false)
{
	std::vector<std::string> out;
	for (const auto &item : s.items)
		out.push_back(bm::format_item(item, with_bytes));
	return out;
}

std::string one_line(const Bytes &bytes, const ChipFamily &family = bm1366)
{
	const Scan s = scan(bytes, family);
	BOOST_TEST_REQUIRE(s.items.size() == 1u);
	return bm::format_item(s.items[0]);
}

Bytes cat(std::initializer_list<Bytes> parts)
{
	Bytes out;
	for (const auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

const bm::CapturedFrame &frame_at(const Scan &s, std::size_t i)
{
	BOOST_TEST_REQUIRE(i < s.items.size());
	BOOST_TEST_REQUIRE(std::holds_alternative<bm::CapturedFrame>(s.items[i]));
	return std::get<bm::CapturedFrame>(s.items[i]);
}

std::string field(const bm::FrameMeaning &m, const std::string &name)
{
	for (const auto &f : m.fields)
		if (f.name == name)
			return f.text;
	return "<none>";
}

std::string data_file(const std::string &name)
{
	const std::string path = std::string(HB_VECTORS_DIR) + "/../data/" + name;
	std::ifstream in(path, std::ios::binary);
	BOOST_TEST_REQUIRE(bool(in), "cannot open " << path);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

} // namespace

BOOST_AUTO_TEST_CASE(register_names_come_from_the_family_table)
{
	BOOST_TEST(register_name(bm1366, 0x08) == "pll0");
	BOOST_TEST(register_name(bm1366, 0xA4) == "version_rolling");
	BOOST_TEST(register_name(bm1397, 0xA4) == "");
	BOOST_TEST(register_name(bm1366, 0x99) == "");
	BOOST_TEST(*register_by_name(bm1366, "ticket_mask") == 0x14);
	BOOST_TEST(*register_by_name(bm1366, "Ticket-Mask") == 0x14);
	BOOST_TEST(*register_by_name(bm1366, "hash_counter_total") == 0x8C);
	BOOST_TEST(!register_by_name(bm1397, "hash_counter_total"));
	BOOST_TEST(!register_by_name(bm1366, "pll"));
	const auto all = register_names(bm1366);
	BOOST_TEST(all.size() == 11u); // BM1366 has no CHIP_NONCE_OFFSET, no 0x70
	BOOST_TEST(all.front().first == "chip_id");
	BOOST_TEST(all.back().first == "soft_reset");
	BOOST_TEST(register_names(bm1397).size() == 9u); // 0x70, no 0xA4/0xA8/0x8C
	BOOST_TEST(*register_by_name(bm1370, "chip_nonce_offset") == 0x0C);
	BOOST_TEST(*register_by_name(bm1397, "pll0_divider") == 0x70);
	BOOST_TEST(*register_by_name(bm1366, "uart_baud") == 0x28);
	for (const auto &[name, reg] : all)
		BOOST_TEST(*register_by_name(bm1366, name) == reg);
}

BOOST_AUTO_TEST_CASE(golden_command_frames_decode_to_their_meaning)
{
	BOOST_TEST(one_line(from_hex("55 AA 52 05 00 00 0A")) ==
	           "@0 tx ok      read_register chip=all reg=chip_id(0x00)");
	BOOST_TEST(one_line(from_hex("55 AA 53 05 00 00 03")) == "@0 tx ok      chain_inactive");
	BOOST_TEST(one_line(from_hex("55 AA 40 05 00 00 1C")) ==
	           "@0 tx ok      set_address addr=0x00");
	BOOST_TEST(one_line(from_hex("55 AA 40 05 08 00 07")) ==
	           "@0 tx ok      set_address addr=0x08");
}

BOOST_AUTO_TEST_CASE(golden_bm1397_chip_id_reply)
{
	BOOST_TEST(one_line(from_hex("AA 55 13 97 18 00 00 00 06"), bm1397) ==
	           "@0 rx ok      register_reply chip=0x00 reg=chip_id(0x00) value=0x13971800 "
	           "chip_id=0x1397 family=bm1397 core_byte=0x18 addr=0x00");
}

BOOST_AUTO_TEST_CASE(register_writes_show_what_the_value_means)
{
	// Captured: 525 MHz on a BM1370 (Bitaxe), post dividers minus one.
	BOOST_TEST(one_line(bm::encode_write_register(true, 0, 0x08, 0x50D20240), bm1370) ==
	           "@0 tx ok      write_register chip=all reg=pll0(0x08) value=0x50d20240 "
	           "freq_mhz=525.00 vco_mhz=2625.0 fbdiv=210 refdiv=2 postdiv1=5 postdiv2=1");
	BOOST_TEST(one_line(bm::encode_write_register(true, 0, 0x14, 0x0000F0FF)) ==
	           "@0 tx ok      write_register chip=all reg=ticket_mask(0x14) value=0x0000f0ff "
	           "difficulty=4096(2^12)");
	BOOST_TEST(one_line(bm::encode_write_register(true, 0, 0x14, 0x0000F0F0))
	               .find("difficulty=invalid") != std::string::npos);
	BOOST_TEST(one_line(bm::encode_write_register(true, 0, 0xA4, 0x9000FFFF)) ==
	           "@0 tx ok      write_register chip=all reg=version_rolling(0xa4) "
	           "value=0x9000ffff rolling=on mask=0x1fffe000");
	BOOST_TEST(one_line(bm::encode_read_register(false, 0x80, 0x77)) ==
	           "@0 tx ok      read_register chip=0x80 reg=0x77");
	// BM1397 keeps its baud divisor in 0x18 (firmware: 0x00007A31 = 115741 Bd).
	BOOST_TEST(one_line(bm::encode_write_register(true, 0, 0x18, 0x00007A31), bm1397) ==
	           "@0 tx ok      write_register chip=all reg=misc_control(0x18) value=0x00007a31 "
	           "baud=115741");
}

BOOST_AUTO_TEST_CASE(baud_and_report_enables_on_bm1366_and_later)
{
	// 0x28 holds the divisor (capture: 0x11300200 = 1.04 MBd); 0x18 is not a baud
	// register there: its top nibble enables nonce reports.
	const Scan s = scan(cat({bm::encode_write_register(true, 0, 0x28, 0x11300200),
	                         bm::encode_write_register(true, 0, 0x18, 0xF000C100)}));
	BOOST_TEST(field(frame_at(s, 0).meaning, "baud") == "1041667");
	BOOST_TEST(field(frame_at(s, 1).meaning, "report_enable") == "0x0f");
	BOOST_TEST(field(frame_at(s, 1).meaning, "baud") == "<none>");
}

BOOST_AUTO_TEST_CASE(nonce_replies_show_job_chip_and_core)
{
	// BM1366: core [31:25], address bits 7..1 in [24:18] (big-endian bit numbers).
	const std::uint32_t be66 = 5u << 25 | (0x80u >> 1) << 18 | 0x1234;
	const Bytes reply = bm::encode_reply(
	    bm::NonceReply{__builtin_bswap32(be66), 0x00, 0x08 | 3, 0x0001}, bm::kRollingReplyLen);
	BOOST_TEST(one_line(reply) ==
	           "@0 rx ok      nonce nonce=0x3412000b job_id=8 small_core=3 excess_diff=0x00 "
	           "version_bits=0x0001 rolled_bits=0x00002000 core=5 chip=0x80");

	// BM1397: 9-byte replies, the low job-id bits are the midstate index.
	const std::uint32_t be97 = 17u << 24 | 2u << 22 | 0x20u << 14 | 0x2EEF;
	const Scan s = scan(
	    bm::encode_reply(bm::NonceReply{__builtin_bswap32(be97), 0x10, 0x04 | 2, std::nullopt},
	                     bm::kReplyLen),
	    bm1397);
	const auto &m = frame_at(s, 0).meaning;
	BOOST_TEST(m.kind == "nonce");
	BOOST_TEST(field(m, "job_id") == "4");
	BOOST_TEST(field(m, "midstate") == "2");
	BOOST_TEST(field(m, "chip") == "0x20");
	BOOST_TEST(field(m, "core") == "17");
	BOOST_TEST(field(m, "small_core") == "2");
	BOOST_TEST(field(m, "version_bits") == "<none>");

	// BM1370: byte 5 = (job id >> 3) << 4 | small core; no chip field, a counter.
	const Scan s70 = scan(
	    bm::encode_reply(bm::NonceReply{0x40A60018, 0x02, 0x99, 0x22F9}, bm::kRollingReplyLen),
	    bm1370);
	const auto &m70 = frame_at(s70, 0).meaning;
	BOOST_TEST(field(m70, "job_id") == "72");
	BOOST_TEST(field(m70, "small_core") == "9");
	BOOST_TEST(field(m70, "core") == "12");
	BOOST_TEST(field(m70, "nonce_counter") == "0x0053");
}

BOOST_AUTO_TEST_CASE(jobs_decode_to_their_fields)
{
	SyntheticWorkSource src(7);
	const Work w = src.next();
	const ChainJob header = encode_chain_job(bm1366, w, 0x18);
	const Scan hs = scan(header.frame);
	const auto &hm = frame_at(hs, 0).meaning;
	BOOST_TEST(hm.kind == "header_job");
	BOOST_TEST(field(hm, "job_id") == "24");
	BOOST_TEST(field(hm, "merkle_root") == to_hex(w.merkle_root));
	BOOST_TEST(field(hm, "prev_hash") == to_hex(w.prev_hash));
	BOOST_TEST(field(hm, "version") == "0x20000000");
	BOOST_TEST(field(hm, "nbits") == "0x17034219");

	const ChainJob mid = encode_chain_job(bm1397, w, 0x0C);
	BOOST_TEST(mid.versions.size() == 4u);
	const Scan ms = scan(mid.frame, bm1397);
	const auto &mm = frame_at(ms, 0).meaning;
	BOOST_TEST(mm.kind == "midstate_job");
	BOOST_TEST(field(mm, "midstates") == "4");
	char tail[16];
	std::snprintf(tail, sizeof tail, "0x%08x", unsigned(load_le32(w.merkle_root.data() + 28)));
	BOOST_TEST(field(mm, "merkle_tail") == tail);
	// midstate i is the SHA-256 state of the header with the i-th rolled version.
	const auto state = sha256::midstate(w.header(0, mid.versions[3]));
	std::string expect;
	for (std::uint32_t word : state) {
		std::uint8_t b[4];
		store_be32(b, word);
		expect += to_hex(b);
	}
	BOOST_TEST(field(mm, "midstate3") == expect);
}

BOOST_AUTO_TEST_CASE(mixed_stream_with_junk_and_a_bad_crc)
{
	Bytes bad_read = bm::encode_read_register(true, 0, 0x14);
	bad_read.back() ^= 0x01;
	const Bytes reply =
	    bm::encode_reply(bm::RegisterReply{0x0000F0FF, 0x40, 0x14}, bm::kRollingReplyLen);
	const Bytes stream = cat({from_hex("01 02 55"), bm::encode_read_register(true, 0, 0x14),
	                          reply, from_hex("ff"), bad_read, bm::encode_chain_inactive()});
	const Scan s = scan(stream);
	const auto text = lines(s);
	const std::vector<std::string> expect{
	    "@0 -- junk, 3 bytes: 01 02 55",
	    "@3 tx ok      read_register chip=all reg=ticket_mask(0x14)",
	    "@10 rx ok      register_reply chip=0x40 reg=ticket_mask(0x14) value=0x0000f0ff "
	    "difficulty=4096(2^12)",
	    "@21 -- junk, 1 byte: ff",
	    "@22 tx BAD CRC read_register chip=all reg=ticket_mask(0x14) crc=0x05 "
	    "crc_expected=0x04  [55 aa 52 05 00 14 05]",
	    "@29 tx ok      chain_inactive",
	};
	BOOST_TEST(text == expect, boost::test_tools::per_element());
	BOOST_TEST(s.stats.frames == 3u);
	BOOST_TEST(s.stats.crc_errors == 1u);
	BOOST_TEST(s.stats.junk_bytes == 4u);
	BOOST_TEST(s.stats.truncated == 0u);

	// One direction only: the reply's bytes become junk.
	const Scan tx = scan(stream, bm1366, bm::Direction::tx);
	BOOST_TEST(tx.stats.frames == 2u);
	BOOST_TEST(tx.stats.crc_errors == 1u);
	BOOST_TEST(tx.stats.junk_bytes == 4u + reply.size());
	const Scan rx = scan(stream, bm1366, bm::Direction::rx);
	BOOST_TEST(rx.stats.frames == 1u);
	BOOST_TEST(rx.stats.crc_errors == 0u);
}

BOOST_AUTO_TEST_CASE(bad_reply_crc_is_shown_with_its_meaning)
{
	const Bytes sent =
	    bm::encode_reply(bm::NonceReply{0x11223344, 0, 0x10, 0x0002}, bm::kRollingReplyLen);
	Bytes received = sent;
	received[3] ^= 0x40; // nonce byte 1: 0x33 -> 0x73
	const Scan s = scan(received);
	const auto &f = frame_at(s, 0);
	BOOST_TEST(!f.crc_ok);
	BOOST_TEST(bm::direction_name(f.direction) == "rx");
	BOOST_TEST(f.meaning.kind == "nonce");
	BOOST_TEST(field(f.meaning, "nonce") == "0x11227344");
	BOOST_TEST(field(f.meaning, "job_id") == "16");
	// crc: what arrived; crc_expected: what the received content would need.
	const Bytes consistent =
	    bm::encode_reply(bm::NonceReply{0x11227344, 0, 0x10, 0x0002}, bm::kRollingReplyLen);
	char crc[8], expected[8];
	std::snprintf(crc, sizeof crc, "0x%02x", unsigned(sent.back() & 0x1F));
	std::snprintf(expected, sizeof expected, "0x%02x", unsigned(consistent.back() & 0x1F));
	BOOST_TEST(field(f.meaning, "crc") == crc);
	BOOST_TEST(field(f.meaning, "crc_expected") == expected);
	BOOST_TEST(bm::format_item(s.items[0]).find(" rx BAD CRC nonce ") != std::string::npos);
	BOOST_TEST(s.stats.crc_errors == 1u);
}

BOOST_AUTO_TEST_CASE(a_good_frame_inside_a_bad_one_wins)
{
	// A header-job start (55 AA 21 56) whose CRC cannot match, with real frames inside
	// the 88 bytes it claims: those must be decoded, the fake start is junk.
	Bytes stream = from_hex("55 AA 21 56");
	for (int i = 0; i < 12; ++i) {
		const Bytes f = bm::encode_set_address(std::uint8_t(i * 4));
		stream.insert(stream.end(), f.begin(), f.end());
	}
	const Scan s = scan(stream);
	BOOST_TEST(s.stats.frames == 12u);
	BOOST_TEST(s.stats.crc_errors == 0u);
	BOOST_TEST(s.stats.junk_bytes == 4u);
	BOOST_TEST(lines(s).front() == "@0 -- junk, 4 bytes: 55 aa 21 56");
}

BOOST_AUTO_TEST_CASE(truncated_frame_at_the_end)
{
	const Bytes stream = cat({bm::encode_chain_inactive(), from_hex("55 aa 41 09 00 08")});
	const Scan s = scan(stream);
	BOOST_TEST(s.stats.frames == 1u);
	BOOST_TEST(s.stats.truncated == 1u);
	BOOST_TEST(s.stats.junk_bytes == 6u);
	BOOST_TEST(lines(s).back() == "@7 -- truncated frame, 6 bytes: 55 aa 41 09 00 08");
}

BOOST_AUTO_TEST_CASE(good_crc_with_impossible_content_is_unknown)
{
	// Set address with a non-zero reserved byte: the CRC is right, the codec never
	// makes it, the simulator would drop it. Shown, marked unknown, bytes included.
	Bytes f = from_hex("55 aa 40 05 08 01 00");
	f.back() = bm::crc5(ByteSpan(f).subspan(2, 4));
	const Scan s = scan(f);
	BOOST_TEST(s.stats.unknown == 1u);
	BOOST_TEST(s.stats.frames == 0u);
	BOOST_TEST(bm::format_item(s.items[0])
	               .starts_with("@0 tx ok      unknown hdr=0x40 len=0x05  [55 aa 40 05 08 01"));
}

BOOST_AUTO_TEST_CASE(every_byte_is_accounted_for_in_noise)
{
	std::mt19937 rng(1234);
	Bytes stream;
	std::size_t planted = 0;
	for (int i = 0; i < 400; ++i) {
		const int n = int(rng() % 7);
		for (int k = 0; k < n; ++k)
			stream.push_back(std::uint8_t(rng() % 4 == 0 ? 0x55 : rng()));
		const Bytes f =
		    i % 2 ? bm::encode_write_register(true, 0, 0x14, rng())
		          : bm::encode_reply(bm::RegisterReply{std::uint32_t(rng()), 4, 8},
		                             bm::kRollingReplyLen);
		stream.insert(stream.end(), f.begin(), f.end());
		++planted;
	}
	const Scan s = scan(stream);
	std::size_t covered = 0;
	for (const auto &item : s.items)
		covered += std::visit([](const auto &i) { return i.bytes.size(); }, item);
	BOOST_TEST(covered == stream.size());
	// Noise may fake a frame now and then, but nearly every planted frame comes out.
	BOOST_TEST(s.stats.frames >= planted * 95 / 100);
}

BOOST_AUTO_TEST_CASE(hex_text_capture)
{
	const auto cap = bm::read_capture("# a capture\n"
	                                  "55 AA 52 05 00 00 0A   # read chip id\n"
	                                  "0x55,0xaa,0x53,0x05 0x0000 03\n"
	                                  "\n55aa40050800 07\n");
	BOOST_TEST(cap.format == "hex");
	BOOST_TEST_REQUIRE(cap.streams.size() == 1u);
	BOOST_TEST(to_hex(cap.streams[0].bytes) == "55aa520500000a55aa53050000"
	                                           "0355aa4005080007");
	BOOST_TEST(cap.streams[0].times.empty());
	BOOST_CHECK_EXCEPTION(bm::read_capture("55 aa\n55 zz\n"), std::invalid_argument,
	                      [](const std::invalid_argument &e) {
		                      return std::string(e.what()).find("line 2") !=
		                             std::string::npos;
	                      });
	BOOST_CHECK_THROW(bm::read_capture("55 a\n"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(binary_capture_is_detected)
{
	const Bytes raw = cat({bm::encode_chain_inactive(), bm::encode_set_address(8)});
	const auto cap = bm::read_capture(std::string(raw.begin(), raw.end()));
	BOOST_TEST(cap.format == "binary");
	BOOST_TEST(cap.streams[0].bytes == raw);
	// Forced hex on the same bytes is an error, forced binary on text is not.
	BOOST_CHECK_THROW(
	    bm::read_capture(std::string(raw.begin(), raw.end()), bm::CaptureFormat::hex),
	    std::invalid_argument);
	BOOST_TEST(bm::read_capture("55", bm::CaptureFormat::binary).streams[0].bytes ==
	           Bytes({'5', '5'}));
	BOOST_CHECK_THROW(bm::capture_format_from_name("pcap"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(logic2_csv_export_sample)
{
	const auto cap = bm::read_capture(data_file("logic2_async_serial.csv"));
	BOOST_TEST(cap.format == "logic2-csv");
	BOOST_TEST_REQUIRE(cap.streams.size() == 2u);
	BOOST_TEST(cap.streams[0].name == "TX");
	BOOST_TEST(cap.streams[1].name == "RX");
	for (const auto &st : cap.streams)
		BOOST_TEST(st.times.size() == st.bytes.size());

	bm::DescribeState state;
	bm::ScanStats stats;
	const auto tx = bm::scan_stream(cap.streams[0].bytes, cap.streams[0].times, {&bm1366, {}},
	                                state, stats);
	const auto rx = bm::scan_stream(cap.streams[1].bytes, cap.streams[1].times, {&bm1366, {}},
	                                state, stats);
	std::vector<std::string> tx_lines, rx_lines;
	for (const auto &i : tx)
		tx_lines.push_back(bm::format_item(i));
	for (const auto &i : rx)
		rx_lines.push_back(bm::format_item(i));
	const std::vector<std::string> expect_tx{
	    "0.001200 tx ok      read_register chip=all reg=chip_id(0x00)",
	    "0.004817 tx ok      chain_inactive",
	    "0.005625 tx ok      set_address addr=0x00",
	    "0.006433 tx ok      set_address addr=0x80",
	    "0.007240 tx ok      write_register chip=all reg=pll0(0x08) value=0x40a00241 "
	    "freq_mhz=200.00 vco_mhz=2000.0 fbdiv=160 refdiv=2 postdiv1=5 postdiv2=2",
	};
	const std::vector<std::string> expect_rx{
	    "0.001908 rx ok      register_reply chip=0x00 reg=chip_id(0x00) value=0x13660000 "
	    "chip_id=0x1366 family=bm1366 core_byte=0x00 addr=0x00",
	    "0.002863 rx ok      register_reply chip=0x00 reg=chip_id(0x00) value=0x13660000 "
	    "chip_id=0x1366 family=bm1366 core_byte=0x00 addr=0x00",
	    "0.008295 -- junk, 1 byte: 00",
	    "0.008482 rx ok      nonce nonce=0x3412e00a job_id=8 small_core=3 excess_diff=0x00 "
	    "version_bits=0x0001 rolled_bits=0x00002000 core=5 chip=0x70",
	    "0.009537 rx BAD CRC nonce nonce=0x2512e00a job_id=8 small_core=3 excess_diff=0x00 "
	    "version_bits=0x0001 rolled_bits=0x00002000 core=5 chip=0x70 crc=0x02 "
	    "crc_expected=0x1e  [aa 55 0a e0 12 25 00 0b 00 01 82]",
	};
	BOOST_TEST(tx_lines == expect_tx, boost::test_tools::per_element());
	BOOST_TEST(rx_lines == expect_rx, boost::test_tools::per_element());
	BOOST_TEST(stats.frames == 8u);
	BOOST_TEST(stats.crc_errors == 1u);
	BOOST_TEST(stats.junk_bytes == 1u);
}

BOOST_AUTO_TEST_CASE(logic2_csv_variants)
{
	// Unquoted, reordered columns, an error column, a non-data row, CRLF line ends.
	const auto cap = bm::read_capture("start_time,name,data,type,duration,error\r\n"
	                                  "0.5,uart,0x55,data,1e-5,\r\n"
	                                  "0.6,uart,0xAA,data,1e-5,framing\r\n"
	                                  "0.7,uart,,marker,1e-5,\r\n"
	                                  "7.5e-1,uart,0b01010011,data,1e-5,\r\n");
	BOOST_TEST_REQUIRE(cap.streams.size() == 1u);
	BOOST_TEST(to_hex(cap.streams[0].bytes) == "55aa53");
	BOOST_TEST(cap.streams[0].times == std::vector<double>({0.5, 0.6, 0.75}));
	BOOST_TEST(cap.streams[0].flagged == 1u);
	// ASCII display radix cannot be read back into bytes.
	BOOST_CHECK_EXCEPTION(bm::read_capture("name,type,start_time,duration,data\n"
	                                       "\"Async Serial\",\"data\",0.1,0.001,U\n"),
	                      std::invalid_argument, [](const std::invalid_argument &e) {
		                      return std::string(e.what()).find("line 2") !=
		                             std::string::npos;
	                      });
	BOOST_CHECK_THROW(
	    bm::read_capture("name,type,start_time,duration,data\nx,data,zz,0,0x55\n"),
	    std::invalid_argument);
	BOOST_CHECK_THROW(bm::read_capture("a,b\n1,2\n", bm::CaptureFormat::csv),
	                  std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(logic1_csv_export)
{
	const auto cap = bm::read_capture("Time [s],Value,Parity Error,Framing Error\n"
	                                  "0.000100000000000,0x55,,\n"
	                                  "0.000186800000000,0xAA,,\n"
	                                  "0.000273600000000,0x53,,\n"
	                                  "0.000360400000000,0x05,,\n"
	                                  "0.000447200000000,0x00,,Error\n"
	                                  "0.000534000000000,0x00,,\n"
	                                  "0.000620800000000,0x03,,\n");
	BOOST_TEST(cap.format == "logic1-csv");
	BOOST_TEST_REQUIRE(cap.streams.size() == 1u);
	BOOST_TEST(cap.streams[0].flagged == 1u);
	bm::DescribeState state;
	bm::ScanStats stats;
	const auto items = bm::scan_stream(cap.streams[0].bytes, cap.streams[0].times,
	                                   {&bm1366, {}}, state, stats);
	BOOST_TEST_REQUIRE(items.size() == 1u);
	BOOST_TEST(bm::format_item(items[0]) == "0.000100 tx ok      chain_inactive");
}

// ---- streaming: what arrives in pieces comes out as the whole would --------------------

namespace {

// The stream of the noise test above: frames of both directions among random bytes, many
// of them preamble halves.
Bytes noisy_stream(unsigned seed)
{
	std::mt19937 rng(seed);
	Bytes stream;
	for (int i = 0; i < 300; ++i) {
		const int n = int(rng() % 7);
		for (int k = 0; k < n; ++k)
			stream.push_back(
			    std::uint8_t(rng() % 3 == 0 ? (rng() % 2 ? 0x55 : 0xAA) : rng()));
		Bytes f = i % 3 == 0 ? bm::encode_write_register(true, 0, 0x14, rng())
		          : i % 3 == 1
		              ? bm::encode_reply(bm::RegisterReply{std::uint32_t(rng()), 4, 8}, 11)
		              : bm::encode_read_register(false, std::uint8_t(rng()), 0x00);
		if (rng() % 5 == 0)
			f[f.size() / 2] ^= 0x10; // a bad CRC now and then
		if (rng() % 7 == 0)
			f.resize(f.size() / 2); // and a frame cut short
		stream.insert(stream.end(), f.begin(), f.end());
	}
	return stream;
}

std::vector<std::string> scanned_in_pieces(const Bytes &bytes, std::size_t piece)
{
	bm::FrameScanner scanner({&bm1366, std::nullopt});
	std::vector<std::string> out;
	const bm::FrameScanner::Sink sink = [&](bm::ScanItem &&item) {
		out.push_back(bm::format_item(item, true));
	};
	for (std::size_t i = 0; i < bytes.size(); i += piece)
		scanner.feed(ByteSpan(bytes).subspan(i, std::min(piece, bytes.size() - i)), {},
		             sink);
	scanner.finish(sink);
	return out;
}

std::string text_of(const Bytes &b)
{
	return {b.begin(), b.end()};
}

} // namespace

BOOST_AUTO_TEST_CASE(scanner_fed_in_pieces_gives_what_one_scan_gives)
{
	for (unsigned seed : {1u, 2u, 3u}) {
		const Bytes stream = noisy_stream(seed);
		const auto whole = lines(scan(stream), true);
		BOOST_TEST(whole.size() > 300u);
		for (std::size_t piece : {std::size_t(1), std::size_t(2), std::size_t(7),
		                          std::size_t(150), std::size_t(4096)})
			BOOST_TEST(scanned_in_pieces(stream, piece) == whole,
			           "seed " << seed << ", pieces of " << piece);
	}
}

BOOST_AUTO_TEST_CASE(scanner_gives_a_frame_out_once_it_is_whole)
{
	bm::FrameScanner scanner({&bm1366, std::nullopt});
	std::vector<std::string> out;
	const bm::FrameScanner::Sink sink = [&](bm::ScanItem &&item) {
		out.push_back(bm::format_item(item));
	};
	const Bytes f = bm::encode_chain_inactive();
	scanner.feed(ByteSpan(f).first(f.size() - 1), {}, sink);
	BOOST_TEST(out.empty());
	BOOST_TEST(!scanner.pending_time().has_value());
	scanner.feed(ByteSpan(f).last(1), {}, sink);
	// A good CRC needs nothing after it: a live capture shows the frame now.
	BOOST_TEST_REQUIRE(out.size() == 1u);
	BOOST_TEST(out[0] == "@0 tx ok      chain_inactive");
	// A preamble half at the end may be a frame start: it waits, and is junk at the end.
	scanner.feed(Bytes{0x55}, {}, sink);
	BOOST_TEST(out.size() == 1u);
	scanner.finish(sink);
	BOOST_TEST_REQUIRE(out.size() == 2u);
	BOOST_TEST(out[1] == "@7 -- junk, 1 byte: 55");
}

BOOST_AUTO_TEST_CASE(junk_runs_are_cut_so_noise_streams_out)
{
	const Bytes noise(bm::kMaxJunkRun * 2 + 10, 0x00);
	bm::FrameScanner scanner({&bm1366, std::nullopt});
	std::vector<bm::JunkRun> runs;
	const bm::FrameScanner::Sink sink = [&](bm::ScanItem &&item) {
		runs.push_back(std::get<bm::JunkRun>(item));
	};
	scanner.feed(noise, {}, sink);
	BOOST_TEST(runs.size() == 2u); // full runs go out as the noise comes
	scanner.finish(sink);
	BOOST_TEST_REQUIRE(runs.size() == 3u);
	BOOST_TEST(runs[0].bytes.size() == bm::kMaxJunkRun);
	BOOST_TEST(runs[1].offset == bm::kMaxJunkRun);
	BOOST_TEST(runs[2].bytes.size() == 10u);
	BOOST_TEST(scanner.stats().junk_bytes == noise.size());
}

BOOST_AUTO_TEST_CASE(reader_fed_in_pieces_reads_what_the_whole_reads)
{
	const std::string hex = "\xEF\xBB\xBF# capture\r\n55 AA 52 05 00 00 0A # read\r\n"
	                        "0x55,0xaa,0x53,0x05 0x0000 03\n\n55aa40050800 07";
	const std::string csv = data_file("logic2_async_serial.csv");
	for (const std::string &text : {hex, csv}) {
		const auto whole = bm::read_capture(text);
		for (std::size_t piece : {std::size_t(1), std::size_t(3), std::size_t(64)}) {
			bm::CaptureReader reader;
			std::vector<Bytes> streams;
			const bm::CaptureSink sink = [&](std::size_t s, ByteSpan b,
			                                 std::span<const double>) {
				streams.resize(std::max(streams.size(), s + 1));
				streams[s].insert(streams[s].end(), b.begin(), b.end());
			};
			for (std::size_t i = 0; i < text.size(); i += piece)
				reader.feed(std::string_view(text).substr(i, piece), sink);
			reader.finish(sink);
			BOOST_TEST(reader.format() == whole.format);
			BOOST_TEST_REQUIRE(streams.size() == whole.streams.size());
			for (std::size_t s = 0; s < streams.size(); ++s)
				BOOST_TEST(to_hex(streams[s]) == to_hex(whole.streams[s].bytes));
		}
	}
	// A token split between pieces is still one token, checked whole.
	bm::CaptureReader reader;
	const bm::CaptureSink none = [](std::size_t, ByteSpan, std::span<const double>) {};
	reader.feed("55 a", none);
	BOOST_CHECK_THROW(reader.feed("a5\n", none), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(format_is_told_from_the_start_of_the_input)
{
	const bm::CaptureSink none = [](std::size_t, ByteSpan, std::span<const double>) {};
	// Binary at the first byte that is not text: a pipe of raw bytes needs no newline.
	bm::CaptureReader binary;
	binary.feed(text_of(bm::encode_chain_inactive()), none);
	BOOST_TEST(binary.format() == "binary");
	// Text waits for the end of its first non-blank line.
	bm::CaptureReader text;
	text.feed("\n  \nname,type,start_time,duration,da", none);
	BOOST_TEST(text.format().empty());
	text.feed("ta\n", none);
	BOOST_TEST(text.format() == "logic2-csv");
	bm::CaptureReader hex;
	hex.feed("55 aa", none);
	hex.finish(none);
	BOOST_TEST(hex.format() == "hex");
}

BOOST_AUTO_TEST_CASE(csv_lines_are_bounded)
{
	bm::CaptureReader reader;
	const bm::CaptureSink none = [](std::size_t, ByteSpan, std::span<const double>) {};
	reader.feed("name,type,start_time,duration,data\n", none);
	BOOST_CHECK_EXCEPTION(reader.feed(std::string(100000, 'x'), none), std::invalid_argument,
	                      [](const std::invalid_argument &e) {
		                      return std::string(e.what()).find("line 2") !=
		                             std::string::npos;
	                      });
}

BOOST_AUTO_TEST_CASE(capture_lines_merge_by_time_as_they_are_read)
{
	const std::string csv = data_file("logic2_async_serial.csv");
	std::vector<std::string> whole, pieces;
	const auto run = [&](std::size_t piece, std::vector<std::string> &out) {
		bm::CaptureScan capture(bm::CaptureFormat::automatic, {&bm1366, std::nullopt});
		const bm::CaptureScan::Sink sink = [&](const bm::ScanItem &item, std::size_t s) {
			out.push_back(capture.stream_names().at(s) + " " + bm::format_item(item));
		};
		for (std::size_t i = 0; i < csv.size(); i += piece)
			capture.feed(std::string_view(csv).substr(i, piece), sink);
		capture.finish(sink);
		BOOST_TEST(capture.stats().frames == 8u);
	};
	run(csv.size(), whole);
	run(5, pieces);
	BOOST_TEST(pieces == whole, boost::test_tools::per_element());
	BOOST_TEST_REQUIRE(whole.size() == 10u);
	BOOST_TEST(whole[0].starts_with("TX 0.001200 tx ok      read_register"));
	BOOST_TEST(whole[1].starts_with("RX 0.001908 rx ok      register_reply"));
	BOOST_TEST(whole[3].starts_with("TX 0.004817 tx ok      chain_inactive"));
	BOOST_TEST(whole[7] == "RX 0.008295 -- junk, 1 byte: 00");
}
