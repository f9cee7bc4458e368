// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include <hashboard/bm13xx/codec.hpp>

#include <random>
#include <stdexcept>
#include <string_view>

using namespace hashboard;
using namespace hashboard::bm13xx;

namespace {

Bytes ascii(std::string_view s)
{
	return Bytes(s.begin(), s.end());
}

// Bit-serial CRC5 straight from the definition, to check the table-driven code.
std::uint8_t crc5_reference(ByteSpan data, std::size_t nbits)
{
	unsigned crc = 0x1F;
	for (std::size_t i = 0; i < nbits; ++i) {
		const unsigned bit = (data[i / 8] >> (7 - i % 8)) & 1U;
		const unsigned feedback = ((crc >> 4) & 1U) ^ bit;
		crc = (crc << 1) & 0x1F;
		if (feedback)
			crc ^= 0x05;
	}
	return std::uint8_t(crc);
}

Bytes random_bytes(std::mt19937 &rng, std::size_t n)
{
	Bytes b(n);
	for (auto &x : b)
		x = std::uint8_t(rng());
	return b;
}

} // namespace

BOOST_AUTO_TEST_CASE(crc16_ccitt_false_check_value)
{
	BOOST_TEST(crc16(ascii("123456789")) == 0x29B1);
	BOOST_TEST(crc16(ByteSpan{}) == 0xFFFF);
	BOOST_TEST(crc16(Bytes{0x00}) == 0xE1F0);
}

BOOST_AUTO_TEST_CASE(crc5_known_values)
{
	BOOST_TEST(crc5(ByteSpan{}) == 0x1F);
	// Values from an independent bit-serial implementation of the same definition.
	BOOST_TEST(crc5(ascii("123456789")) == 0x0F);
	BOOST_TEST(crc5(Bytes{0x00}) == 0x0F);
	BOOST_TEST(crc5(Bytes{0xFF}) == 0x1B);
}

BOOST_AUTO_TEST_CASE(crc5_table_matches_bit_serial_definition)
{
	std::mt19937 rng(1);
	for (int round = 0; round < 500; ++round) {
		const Bytes data = random_bytes(rng, rng() % 24);
		BOOST_TEST(crc5(data) == crc5_reference(data, data.size() * 8));
		for (std::size_t nbits = 0; nbits <= data.size() * 8; ++nbits)
			BOOST_TEST_REQUIRE(crc5_bits(data, nbits) == crc5_reference(data, nbits));
	}
}

BOOST_AUTO_TEST_CASE(crc5_bits_rejects_more_bits_than_data)
{
	const Bytes data{1, 2};
	BOOST_CHECK_THROW(crc5_bits(data, 17), std::invalid_argument);
	BOOST_CHECK_NO_THROW(crc5_bits(data, 16));
}

BOOST_AUTO_TEST_CASE(golden_commands_end_with_crc5_of_hdr_to_data)
{
	const Bytes golden[] = {
	    {0x55, 0xAA, 0x52, 0x05, 0x00, 0x00, 0x0A},
	    {0x55, 0xAA, 0x53, 0x05, 0x00, 0x00, 0x03},
	    {0x55, 0xAA, 0x40, 0x05, 0x00, 0x00, 0x1C},
	    {0x55, 0xAA, 0x40, 0x05, 0x08, 0x00, 0x07},
	};
	for (const auto &frame : golden) {
		const ByteSpan covered = ByteSpan(frame).subspan(2, frame.size() - 3);
		BOOST_TEST(crc5(covered) == frame.back());
	}
}

BOOST_AUTO_TEST_CASE(golden_reply_crc5_over_everything_after_preamble_is_zero)
{
	const Bytes reply{0xAA, 0x55, 0x13, 0x97, 0x18, 0x00, 0x00, 0x00, 0x06};
	const ByteSpan covered = ByteSpan(reply).subspan(2);
	BOOST_TEST(crc5(covered) == 0);
	// The same CRC seen from the sender: over all bits before the five CRC bits.
	BOOST_TEST(crc5_bits(covered, covered.size() * 8 - 5) == (reply.back() & 0x1F));
	// Any single flipped bit breaks it.
	for (std::size_t bit = 0; bit < covered.size() * 8; ++bit) {
		Bytes bad = reply;
		bad[2 + bit / 8] ^= std::uint8_t(0x80 >> (bit % 8));
		BOOST_TEST(crc5(ByteSpan(bad).subspan(2)) != 0);
	}
}

BOOST_AUTO_TEST_CASE(appending_the_crc_bits_zeroes_the_remainder)
{
	std::mt19937 rng(7);
	for (int round = 0; round < 200; ++round) {
		Bytes data = random_bytes(rng, 1 + rng() % 12);
		data.back() &= 0xE0;
		data.back() |= crc5_bits(data, data.size() * 8 - 5);
		BOOST_TEST(crc5(data) == 0);
	}
}
