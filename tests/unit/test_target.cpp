// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"

#include <hashboard/bytes.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>
#include <string>

namespace json = boost::json;
namespace sha = hashboard::sha256;
using namespace hashboard;

namespace hashboard {
// Lets BOOST_TEST print U256 operands when a comparison fails (found by ADL).
std::ostream &boost_test_print_type(std::ostream &os, const U256 &v)
{
	return os << "0x" << v.to_hex();
}
} // namespace hashboard

namespace {

// The digest bytes of a hash given in display (byte-reversed) hex.
Hash256 hash_from_display(const std::string &display)
{
	const Bytes b = from_hex(display);
	BOOST_REQUIRE_EQUAL(b.size(), 32u);
	Hash256 h;
	std::reverse_copy(b.begin(), b.end(), h.begin());
	return h;
}

// Leading zero bits of a display-hex hash, counted off its digits.
int zero_bits_of_display_hex(const std::string &display)
{
	int bits = 0;
	for (char c : display) {
		const int v = std::stoi(std::string(1, c), nullptr, 16);
		if (v == 0) {
			bits += 4;
			continue;
		}
		for (int mask = 8; (v & mask) == 0; mask >>= 1)
			++bits;
		break;
	}
	return bits;
}

U256 shift_right(U256 v, int k)
{
	for (; k > 0; --k) {
		for (std::size_t i = 0; i < 8; ++i)
			v.w[i] = (v.w[i] >> 1) | (i + 1 < 8 ? v.w[i + 1] << 31 : 0);
	}
	return v;
}

int leading_zeros(const U256 &v)
{
	for (int bit = 255; bit >= 0; --bit)
		if ((v.w[std::size_t(bit / 32)] >> (bit % 32)) & 1)
			return 255 - bit;
	return 256;
}

// v * m for a 64-bit m, or false when the product does not fit in 256 bits.
bool multiply(const U256 &v, std::uint64_t m, U256 &out)
{
	unsigned __int128 carry = 0;
	for (std::size_t i = 0; i < 8; ++i) {
		const unsigned __int128 p = (unsigned __int128)v.w[i] * m + carry;
		out.w[i] = std::uint32_t(p);
		carry = p >> 32;
	}
	return carry == 0;
}

U256 plus_one(U256 v)
{
	for (auto &w : v.w)
		if (++w != 0)
			break;
	return v;
}

std::uint32_t nbits_of(const json::object &block)
{
	return std::uint32_t(
	    std::stoul(std::string(block.at("bits").as_string().subview()), nullptr, 16));
}

} // namespace

BOOST_AUTO_TEST_CASE(u256_hex_round_trip_and_order)
{
	const std::string hex = "00000000ffff0000000000000000000000000000000000000000000000000001";
	const U256 v = U256::from_hex(hex);
	BOOST_TEST(v.to_hex() == hex);
	BOOST_TEST(v.w[0] == 1u);
	BOOST_TEST(v.w[6] == 0xffff0000u);
	BOOST_TEST(U256::from_hex("0x1f").w[0] == 0x1fu);
	BOOST_TEST(U256::from_hex("1f") < U256::from_hex("20"));
	BOOST_TEST(U256::from_hex("1" + std::string(56, '0')) >
	           U256::from_hex(std::string(56, 'f')));
	BOOST_TEST(U256::from_hex("1" + std::string(56, '0')).to_double() == std::ldexp(1.0, 224));
	BOOST_CHECK_THROW(U256::from_hex(""), std::invalid_argument);
	BOOST_CHECK_THROW(U256::from_hex("12g4"), std::invalid_argument);
	BOOST_CHECK_THROW(U256::from_hex(std::string(65, '0')), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(nbits_expansion)
{
	BOOST_TEST(target_from_nbits(0x1d00ffff).to_hex() ==
	           "00000000ffff0000000000000000000000000000000000000000000000000000");
	BOOST_TEST(target_from_nbits(0x1b04864c).to_hex() ==
	           "000000000004864c000000000000000000000000000000000000000000000000");
	// regtest's limit: the largest positive mantissa at the top.
	BOOST_TEST(target_from_nbits(0x207fffff).to_hex() ==
	           "7fffff0000000000000000000000000000000000000000000000000000000000");
	// Exponents below 3 shift the mantissa right.
	BOOST_TEST(target_from_nbits(0x01123456).to_hex() == std::string(62, '0') + "12");
	BOOST_TEST(target_from_nbits(0x02123456).to_hex() == std::string(60, '0') + "1234");
	BOOST_TEST(target_from_nbits(0x03123456).to_hex() == std::string(58, '0') + "123456");
	// The largest values that still fit.
	BOOST_TEST(target_from_nbits(0x220000ff).to_hex() == "ff" + std::string(62, '0'));
	BOOST_TEST(target_from_nbits(0x2100ffff).to_hex() == "ffff" + std::string(60, '0'));
	// A zero mantissa is zero whatever the sign bit says.
	BOOST_TEST(target_from_nbits(0x04800000) == U256{});
}

BOOST_AUTO_TEST_CASE(bad_nbits_throw)
{
	BOOST_CHECK_THROW(target_from_nbits(0x04923456), std::invalid_argument); // negative
	BOOST_CHECK_THROW(target_from_nbits(0x1d80ffff), std::invalid_argument); // negative
	BOOST_CHECK_THROW(target_from_nbits(0x23000001), std::invalid_argument); // exponent 35
	BOOST_CHECK_THROW(target_from_nbits(0x22000100), std::invalid_argument);
	BOOST_CHECK_THROW(target_from_nbits(0x21010000), std::invalid_argument);
	BOOST_CHECK_THROW(target_from_nbits(0xff123456), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(difficulty_one)
{
	const U256 d1 = difficulty1_target();
	BOOST_TEST(d1.to_hex() ==
	           "00000000ffff0000000000000000000000000000000000000000000000000000");
	BOOST_TEST(d1 == target_from_nbits(0x1d00ffff));
	BOOST_TEST(target_from_difficulty(1.0) == d1);
	BOOST_TEST(d1.to_double() == 65535.0 * std::ldexp(1.0, 208));
}

BOOST_AUTO_TEST_CASE(blocks_meet_their_targets)
{
	const json::value doc = hbtest::load_vector("sha256_and_blocks.json");
	for (const json::value &v : doc.at("blocks").as_array()) {
		const json::object &o = v.as_object();
		const Bytes header_bytes = from_hex(o.at("header").as_string().subview());
		sha::Header header;
		std::copy(header_bytes.begin(), header_bytes.end(), header.begin());
		const Hash256 hash = sha::sha256d_header(header);
		const U256 target = target_from_nbits(nbits_of(o));
		BOOST_TEST_CONTEXT("block " << o.at("height"))
		{
			BOOST_TEST(hash_display_hex(hash) ==
			           std::string(o.at("hash").as_string().subview()));
			BOOST_TEST(hash_meets(hash, target));
			// A target with fewer leading zeros than the hash is larger, one with more
			// is smaller: so the hash meets target / 2^(gap-1) and fails target /
			// 2^(gap+1).
			const int gap = hash_leading_zeros(hash) - leading_zeros(target);
			BOOST_TEST_REQUIRE(gap >= 0);
			if (gap >= 1)
				BOOST_TEST(hash_meets(hash, shift_right(target, gap - 1)));
			BOOST_TEST(!hash_meets(hash, shift_right(target, gap + 1)));
			BOOST_TEST(!hash_meets(hash, shift_right(target, 64)));
			// Difficulty and target agree: the hash meets its own difficulty's target.
			const double d = hash_difficulty(hash);
			BOOST_TEST(d >= 1.0);
			BOOST_TEST(hash_meets(hash, target_from_difficulty(d * (1 - 1e-9))));
			BOOST_TEST(!hash_meets(hash, target_from_difficulty(d * (1 + 1e-9))));
		}
	}
}

BOOST_AUTO_TEST_CASE(genesis_leading_zeros)
{
	const std::string display =
	    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
	const Hash256 genesis = hash_from_display(display);
	BOOST_TEST(hash_display_hex(genesis) == display);
	const int expected = zero_bits_of_display_hex(display);
	BOOST_TEST(expected == 43); // ten zero digits, then '1' = 0001
	BOOST_TEST(hash_leading_zeros(genesis) == expected);
	BOOST_TEST(hash_leading_zeros(Hash256{}) == 256);
	Hash256 top_bit{};
	top_bit[31] = 0x80; // the last digest byte is the most significant
	BOOST_TEST(hash_leading_zeros(top_bit) == 0);
	Hash256 low_bit{};
	low_bit[0] = 0x01;
	BOOST_TEST(hash_leading_zeros(low_bit) == 255);
}

BOOST_AUTO_TEST_CASE(stratum_share_difficulty)
{
	const json::value doc = hbtest::load_vector("stratum_example_b.json");
	const std::string display(doc.at("hash").as_string().subview());
	const double expected = doc.at("share_difficulty").to_number<double>();
	const Hash256 hash = hash_from_display(display);
	BOOST_TEST(std::abs(hash_difficulty(hash) - expected) < 0.01);

	// The share was accepted at pool difficulty 512, and its header hashes to this hash.
	const double pool_difficulty = doc.at("difficulty").to_number<double>();
	BOOST_TEST(hash_meets(hash, target_from_difficulty(pool_difficulty)));
	BOOST_TEST(!hash_meets(hash, target_from_difficulty(1024)));
	const Bytes header_bytes = from_hex(doc.at("header").as_string().subview());
	sha::Header header;
	BOOST_REQUIRE_EQUAL(header_bytes.size(), header.size());
	std::copy(header_bytes.begin(), header_bytes.end(), header.begin());
	BOOST_TEST(hash_display_hex(sha::sha256d_header(header)) == display);
	BOOST_TEST(hash_difficulty(Hash256{}) == std::numeric_limits<double>::infinity());
}

BOOST_AUTO_TEST_CASE(integer_difficulties_are_exact)
{
	const U256 d1 = difficulty1_target();
	// 0xFFFF = 3 * 5 * 17 * 257, so these divide exactly.
	BOOST_TEST(target_from_difficulty(3).to_hex() == "000000005555" + std::string(52, '0'));
	BOOST_TEST(target_from_difficulty(257).to_hex() == "0000000000ff" + std::string(52, '0'));
	BOOST_TEST(target_from_difficulty(65536).to_hex() ==
	           "000000000000ffff" + std::string(48, '0'));
	const std::uint64_t difficulties[] = {1,
	                                      2,
	                                      7,
	                                      512,
	                                      1000,
	                                      1000003,
	                                      4294967297ull,
	                                      123456789012345ull,
	                                      (1ull << 53) - 1,
	                                      1ull << 53};
	for (std::uint64_t d : difficulties) {
		BOOST_TEST_CONTEXT("difficulty " << d)
		{
			// target = floor(d1 / d)  <=>  target * d <= d1 < (target + 1) * d
			const U256 t = target_from_difficulty(double(d));
			U256 low, high;
			BOOST_TEST_REQUIRE(multiply(t, d, low));
			BOOST_TEST(low <= d1);
			BOOST_TEST_REQUIRE(multiply(plus_one(t), d, high));
			BOOST_TEST(high > d1);
		}
	}
}

BOOST_AUTO_TEST_CASE(fractional_difficulty)
{
	const U256 d1 = difficulty1_target();
	// Half the difficulty, twice the target: 0xFFFF * 2^209.
	BOOST_TEST(target_from_difficulty(0.5).to_hex() == "00000001fffe" + std::string(52, '0'));
	BOOST_TEST(target_from_difficulty(0.25).to_hex() == "00000003fffc" + std::string(52, '0'));
	U256 d1_times_3;
	BOOST_TEST_REQUIRE(multiply(d1, 3, d1_times_3));
	// 1/3 is not exact in binary; the target stays within a part in 2^50 of 3 * d1.
	const double ratio = target_from_difficulty(1.0 / 3.0).to_double() / d1_times_3.to_double();
	BOOST_TEST(std::abs(ratio - 1.0) < 1e-15);
	// Easier than any hash: every 256-bit value meets it.
	U256 all;
	all.w.fill(0xffffffff);
	BOOST_TEST(target_from_difficulty(1e-12) == all);
	BOOST_TEST(target_from_difficulty(std::numeric_limits<double>::denorm_min()) == all);
	// Harder than any hash but zero.
	BOOST_TEST(target_from_difficulty(1e80) == U256{});
}

BOOST_AUTO_TEST_CASE(bad_difficulty_throws)
{
	BOOST_CHECK_THROW(target_from_difficulty(0.0), std::invalid_argument);
	BOOST_CHECK_THROW(target_from_difficulty(-0.0), std::invalid_argument);
	BOOST_CHECK_THROW(target_from_difficulty(-1.0), std::invalid_argument);
	BOOST_CHECK_THROW(target_from_difficulty(std::nan("")), std::invalid_argument);
	BOOST_CHECK_THROW(target_from_difficulty(std::numeric_limits<double>::infinity()),
	                  std::invalid_argument);
}
