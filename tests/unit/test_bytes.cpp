// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include <hashboard/bytes.hpp>

#include <stdexcept>
#include <string>

using namespace hashboard;

namespace {

// The message from_hex throws for the input, or "" when it does not throw.
std::string error_of(std::string_view hex)
{
	try {
		from_hex(hex);
	} catch (const std::invalid_argument &e) {
		return e.what();
	}
	return "";
}

bool mentions_offset(const std::string &message, std::size_t offset)
{
	return message.find("offset " + std::to_string(offset)) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_CASE(to_hex_lower_case_no_separators)
{
	const Bytes b{0x00, 0x01, 0xab, 0xCD, 0xff, 0x10};
	BOOST_TEST(to_hex(b) == "0001abcdff10");
	BOOST_TEST(to_hex(Bytes{}).empty());
}

BOOST_AUTO_TEST_CASE(round_trip_every_byte)
{
	Bytes all;
	for (int i = 0; i < 256; ++i)
		all.push_back(std::uint8_t(i));
	const std::string hex = to_hex(all);
	BOOST_TEST(hex.size() == 512u);
	BOOST_TEST(from_hex(hex) == all, boost::test_tools::per_element());
	std::string upper = hex;
	for (char &c : upper)
		c = char(std::toupper(static_cast<unsigned char>(c)));
	BOOST_TEST(from_hex(upper) == all, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(accepts_prefix_and_whitespace_between_bytes)
{
	const Bytes want{0x55, 0xaa, 0x52, 0x05};
	BOOST_TEST(from_hex("55aa5205") == want, boost::test_tools::per_element());
	BOOST_TEST(from_hex("0x55aa5205") == want, boost::test_tools::per_element());
	BOOST_TEST(from_hex("0X55AA5205") == want, boost::test_tools::per_element());
	BOOST_TEST(from_hex("55 AA 52 05") == want, boost::test_tools::per_element());
	BOOST_TEST(from_hex("  55\taa\n52\r\n05  ") == want, boost::test_tools::per_element());
	BOOST_TEST(from_hex("0x 55 aa 5205") == want, boost::test_tools::per_element());
	BOOST_TEST(from_hex("").empty());
	BOOST_TEST(from_hex("   ").empty());
	BOOST_TEST(from_hex("0x").empty());
}

BOOST_AUTO_TEST_CASE(errors_name_the_offset)
{
	std::string e = error_of("abc");
	BOOST_TEST(!e.empty());
	BOOST_TEST(mentions_offset(e, 2));

	e = error_of("ab c d");
	BOOST_TEST(mentions_offset(e, 3)); // a byte split by whitespace is two lone digits

	e = error_of("00zz");
	BOOST_TEST(mentions_offset(e, 2));
	BOOST_TEST(e.find("'z'") != std::string::npos);

	e = error_of("0g");
	BOOST_TEST(mentions_offset(e, 1));

	e = error_of("0x12 3-");
	BOOST_TEST(mentions_offset(e, 6));

	e = error_of(std::string_view("12\x01"
	                              "3",
	                              4));
	BOOST_TEST(mentions_offset(e, 2));
	BOOST_TEST(e.find("0x01") != std::string::npos);

	BOOST_TEST(!error_of("0x0x12").empty()); // the prefix is taken once
	BOOST_TEST(!error_of("-12").empty());
	BOOST_CHECK_THROW(from_hex("1"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(load_store_helpers)
{
	const std::uint8_t bytes[4] = {0x12, 0x34, 0x56, 0x78};
	BOOST_TEST(load_le32(bytes) == 0x78563412u);
	BOOST_TEST(load_be32(bytes) == 0x12345678u);

	std::uint8_t out[4] = {};
	store_le32(out, 0xdeadbeef);
	BOOST_TEST(to_hex(out) == "efbeadde");
	store_be32(out, 0xdeadbeef);
	BOOST_TEST(to_hex(out) == "deadbeef");

	for (std::uint32_t v : {0u, 1u, 0x80000000u, 0xffffffffu, 0x01020304u}) {
		store_le32(out, v);
		BOOST_TEST(load_le32(out) == v);
		store_be32(out, v);
		BOOST_TEST(load_be32(out) == v);
	}
}

// The helpers are constexpr: usable in constant tables.
static_assert(load_be32(std::array<std::uint8_t, 4>{0xca, 0xfe, 0xba, 0xbe}.data()) == 0xcafebabe);
static_assert([] {
	std::array<std::uint8_t, 4> a{};
	store_le32(a.data(), 0x11223344);
	return a[0] == 0x44 && a[3] == 0x11;
}());
