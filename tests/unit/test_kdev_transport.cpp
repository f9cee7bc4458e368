// SPDX-License-Identifier: MIT
// The kdev: transport without the kernel module: its URI, the record layout it reads
// (the uapi header's, fed as bytes), and that a device which is not a hashboard chain
// is refused with a reason. The module itself is exercised in QEMU (tests/kmod/run),
// where the conformance suite's kdev checks run against /dev/hashboardN.
#include <boost/test/unit_test.hpp>

#include "uri_expect.hpp"

#include "transport/kdev_records.hpp"
#include "transport/kdev_transport.hpp"
#include "transport/uri.hpp"

#include <hashboard/transport.hpp>

#include <cerrno>
#include <stdexcept>
#include <string>

using namespace hashboard;
using namespace hashboard::transport;

using hbtest::expect_invalid_uri;

BOOST_AUTO_TEST_SUITE(kdev_uri)

BOOST_AUTO_TEST_CASE(defaults_to_raw_mode_with_the_kernels_reply_length)
{
	const auto s = kdev_settings(parse_transport_uri("kdev:/dev/hashboard0"));
	BOOST_TEST(s.path == "/dev/hashboard0");
	BOOST_TEST((s.mode == KdevMode::raw));
	BOOST_TEST(!s.reply_len.has_value());
	BOOST_TEST(!s.wake_records.has_value());
	BOOST_TEST(!s.wake_us.has_value());
}

BOOST_AUTO_TEST_CASE(wake_up_threshold_takes_records_and_a_time_bound)
{
	const auto s = kdev_settings(
	    parse_transport_uri("kdev:/dev/hashboard0?mode=framed&wake_records=16&wake_us=2000"));
	BOOST_TEST(*s.wake_records == 16u);
	BOOST_TEST(*s.wake_us == 2000u);
	const auto one = kdev_settings(parse_transport_uri("kdev:/dev/hashboard0?wake_records=1"));
	BOOST_TEST(*one.wake_records == 1u);
	BOOST_TEST(!one.wake_us.has_value());
}

BOOST_AUTO_TEST_CASE(framed_mode_takes_9_or_11_byte_replies)
{
	const auto s =
	    kdev_settings(parse_transport_uri("kdev:/dev/hashboard3?mode=framed&reply=11"));
	BOOST_TEST((s.mode == KdevMode::framed));
	BOOST_TEST(*s.reply_len == 11u);
}

BOOST_AUTO_TEST_CASE(bad_options_name_what_is_wrong)
{
	expect_invalid_uri("kdev:", {"needs a device path"});
	expect_invalid_uri("kdev:/dev/hashboard0?mode=cooked", {"mode", "raw or framed"});
	expect_invalid_uri("kdev:/dev/hashboard0?mode=framed&reply=10", {"reply", "9 or 11"});
	expect_invalid_uri("kdev:/dev/hashboard0?mode=framed&reply=12", {"reply"});
	expect_invalid_uri("kdev:/dev/hashboard0?reply=11", {"mode=framed"});
	expect_invalid_uri("kdev:/dev/hashboard0?baud=115200", {"baud"});
	expect_invalid_uri("kdev:/dev/hashboard0?wake_records=0&wake_us=10", {"wake_records"});
	expect_invalid_uri("kdev:/dev/hashboard0?wake_records=513&wake_us=10", {"wake_records"});
	expect_invalid_uri("kdev:/dev/hashboard0?wake_records=16", {"wake_us"});
	expect_invalid_uri("kdev:/dev/hashboard0?wake_records=16&wake_us=0", {"wake_us"});
	expect_invalid_uri("kdev:/dev/hashboard0?wake_records=16&wake_us=1000001", {"wake_us"});
	expect_invalid_uri("kdev:/dev/hashboard0?wake_us=2000", {"wake_records"});
}

BOOST_AUTO_TEST_CASE(a_virtual_clock_is_refused)
{
	VirtualClock clock;
	expect_invalid_uri("kdev:/dev/null", {"real"}, &clock);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(kdev_records)

BOOST_AUTO_TEST_CASE(payloads_of_consecutive_records_are_joined)
{
	const Bytes a{0xaa, 0x55, 0x13, 0x66, 0x00, 0x00, 0x00, 0x00, 0x06}; // 9: padded to 32
	const Bytes b{0x01, 0x02, 0x03};
	Bytes in = encode_kdev_record(a, 1000, 0);
	const Bytes rb = encode_kdev_record(b, 2000, 0x0001);
	BOOST_TEST(in.size() == 32u); // 16-byte header + 9, rounded up to 8
	BOOST_TEST(rb.size() == 24u);
	in.insert(in.end(), rb.begin(), rb.end());
	Bytes out;
	const auto tally = decode_kdev_records(in, out);
	BOOST_TEST(tally.records == 2u);
	BOOST_TEST(tally.payload_bytes == 12u);
	BOOST_TEST(tally.overruns == 0u);
	Bytes want = a;
	want.insert(want.end(), b.begin(), b.end());
	BOOST_TEST(out == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_overrun_flag_is_counted)
{
	const Bytes in = encode_kdev_record(Bytes{0x42}, 5, 0x0004);
	Bytes out;
	BOOST_TEST(decode_kdev_records(in, out).overruns == 1u);
	BOOST_TEST(out.size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_largest_record_fits_the_room_a_read_asks_for)
{
	const Bytes payload(64, 0x5a);
	BOOST_TEST(encode_kdev_record(payload, 0, 0).size() == kdev_max_record_bytes());
	BOOST_CHECK_THROW(encode_kdev_record(Bytes(65, 0), 0, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_records_are_an_error_not_data)
{
	Bytes out;
	// A cut header.
	BOOST_CHECK_THROW(decode_kdev_records(Bytes(10, 0), out), std::runtime_error);
	// A length above the maximum.
	Bytes big = encode_kdev_record(Bytes{1}, 0, 0);
	big[8] = 65;
	BOOST_CHECK_THROW(decode_kdev_records(big, out), std::runtime_error);
	// A length past the end of what was read.
	Bytes cut = encode_kdev_record(Bytes(20, 7), 0, 0);
	cut.resize(16 + 10);
	BOOST_CHECK_THROW(decode_kdev_records(cut, out), std::runtime_error);
	// A nonzero reserved word: another ABI.
	Bytes other = encode_kdev_record(Bytes{1}, 0, 0);
	other[12] = 1;
	BOOST_CHECK_THROW(decode_kdev_records(other, out), std::runtime_error);
	// A zero length.
	Bytes empty = encode_kdev_record(Bytes{1}, 0, 0);
	empty[8] = 0;
	BOOST_CHECK_THROW(decode_kdev_records(empty, out), std::runtime_error);
	BOOST_TEST(out.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(kdev_open)

BOOST_AUTO_TEST_CASE(a_device_that_is_not_a_chain_is_refused)
{
	SteadyClock clock;
	try {
		open_transport("kdev:/dev/null", clock);
		BOOST_ERROR("kdev:/dev/null opened");
	} catch (const TransportError &e) {
		const std::string what = e.what();
		BOOST_TEST(what.find("not a hashboard chain device") != std::string::npos, what);
		BOOST_TEST(e.error_number() == ENOTTY);
	}
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_device_is_refused)
{
	SteadyClock clock;
	try {
		open_transport("kdev:/proc/self/status", clock);
		BOOST_ERROR("a regular file opened");
	} catch (const TransportError &e) {
		BOOST_TEST(std::string(e.what()).find("not a character device") !=
		               std::string::npos,
		           e.what());
	}
}

BOOST_AUTO_TEST_CASE(a_missing_device_says_so)
{
	SteadyClock clock;
	try {
		open_transport("kdev:/dev/hashboard-does-not-exist", clock);
		BOOST_ERROR("a missing device opened");
	} catch (const TransportError &e) {
		BOOST_TEST(e.error_number() == ENOENT);
	}
}

BOOST_AUTO_TEST_SUITE_END()
