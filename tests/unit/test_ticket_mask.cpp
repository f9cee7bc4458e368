// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chip_family.hpp>

#include <cmath>
#include <limits>

#include <stdexcept>

using namespace hashboard::bm13xx;

BOOST_AUTO_TEST_CASE(known_masks)
{
	BOOST_TEST(ticket_mask_for_difficulty_log2(0) == 0x00000000U);
	BOOST_TEST(ticket_mask_for_difficulty_log2(1) == 0x00000080U);
	BOOST_TEST(ticket_mask_for_difficulty_log2(4) == 0x000000F0U);
	BOOST_TEST(ticket_mask_for_difficulty_log2(8) == 0x000000FFU); // difficulty 256
	BOOST_TEST(ticket_mask_for_difficulty_log2(9) == 0x000080FFU);
	BOOST_TEST(ticket_mask_for_difficulty_log2(12) == 0x0000F0FFU);
	BOOST_TEST(ticket_mask_for_difficulty_log2(16) == 0x0000FFFFU);
	BOOST_TEST(ticket_mask_for_difficulty_log2(31) == 0xFEFFFFFFU);
	BOOST_TEST(ticket_mask_for_difficulty_log2(32) == 0xFFFFFFFFU);
}

BOOST_AUTO_TEST_CASE(difficulty_above_32_bits_is_rejected)
{
	BOOST_CHECK_THROW(ticket_mask_for_difficulty_log2(33), std::invalid_argument);
	BOOST_CHECK_THROW(ticket_mask_for_difficulty_log2(64), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(inverse_round_trips)
{
	for (unsigned k = 0; k <= 32; ++k) {
		const auto back = ticket_mask_difficulty_log2(ticket_mask_for_difficulty_log2(k));
		BOOST_TEST_REQUIRE(back.has_value());
		BOOST_TEST(*back == k);
	}
}

BOOST_AUTO_TEST_CASE(inverse_rejects_values_that_are_not_masks)
{
	// Plain 2^k - 1 without the per-byte reversal is not a mask (except all-ones bytes).
	BOOST_TEST(!ticket_mask_difficulty_log2(0x0000000FU).has_value());
	BOOST_TEST(!ticket_mask_difficulty_log2(0x00000FFFU).has_value());
	BOOST_TEST(!ticket_mask_difficulty_log2(0x000000F1U).has_value());
	BOOST_TEST(!ticket_mask_difficulty_log2(0x0000FF00U).has_value());
	BOOST_TEST(!ticket_mask_difficulty_log2(0x80000000U).has_value());
	// Exactly 33 of the 2^32 values are masks. On the grid of values whose two halves
	// are equal only 0x00000000 and 0xFFFFFFFF are.
	unsigned masks = 0;
	for (std::uint64_t v = 0; v <= 0xFFFFFFFFULL; v += 0x00010001ULL)
		masks += ticket_mask_difficulty_log2(std::uint32_t(v)).has_value();
	BOOST_TEST(masks == 2U);
}

BOOST_AUTO_TEST_CASE(ticket_for_a_nonce_rate)
{
	using hashboard::ticket_log2_for_rate;
	// A BM1370 near 1.2 TH/s: 2^32 * 279 hashes per difficulty-1 nonce, so 2^9 gives
	// at most one a second (ESP-Miner's 256 gives about 1.1).
	BOOST_TEST(ticket_log2_for_rate(1.2e12, 1.0) == 9u);
	BOOST_TEST(ticket_log2_for_rate(1.2e12, 1.2e12 / std::ldexp(1.0, 40)) == 8u);
	BOOST_TEST(ticket_log2_for_rate(0, 1.0) == 0u);
	BOOST_TEST(ticket_log2_for_rate(1e30, 1e-9) == 31u); // capped
	for (double h : {1e9, 3.3e11, 1.2e12, 2e14})
		for (double r : {0.1, 2.0, 50.0}) {
			const unsigned k = ticket_log2_for_rate(h, r);
			BOOST_TEST(h / std::ldexp(1.0, int(32 + k)) <= r);
			if (k > 0)
				BOOST_TEST(h / std::ldexp(1.0, int(31 + k)) > r);
		}
	BOOST_CHECK_THROW(ticket_log2_for_rate(1e12, 0), std::invalid_argument);
	BOOST_CHECK_THROW(ticket_log2_for_rate(-1, 1), std::invalid_argument);
	BOOST_CHECK_THROW(ticket_log2_for_rate(std::nan(""), 1), std::invalid_argument);
	BOOST_CHECK_THROW(ticket_log2_for_rate(1e12, std::numeric_limits<double>::infinity()),
	                  std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(ticket_for_a_pool_difficulty)
{
	using hashboard::ticket_log2_for_share;
	BOOST_TEST(ticket_log2_for_share(1, 32) == 0u);
	BOOST_TEST(ticket_log2_for_share(2, 32) == 1u);
	BOOST_TEST(ticket_log2_for_share(256, 32) == 8u);
	BOOST_TEST(ticket_log2_for_share(300, 32) == 8u);
	BOOST_TEST(ticket_log2_for_share(511.9, 32) == 8u);
	BOOST_TEST(ticket_log2_for_share(0.5, 32) == 0u); // below the chips' own: nothing better
	BOOST_TEST(ticket_log2_for_share(1e15, 32) == 31u);
	// A simulator whose difficulty-1 nonce has 12 zero bits, pool difficulty 1e-3
	// (2^22 hashes a share): 2^10 still passes every share.
	BOOST_TEST(ticket_log2_for_share(1e-3, 12) == 10u);
	// Every share passes: a hash at the share target (0xFFFF * 2^208 / d) has at least
	// zero_bits + k leading zero bits, i.e. log2(target) < 256 - zero_bits - k.
	for (double d : {1.0, 3.0, 1024.0, 65536.5, 1e-3, 1e6})
		for (unsigned zb : {10u, 20u, 32u}) {
			const unsigned k = ticket_log2_for_share(d, zb);
			const double log2_target = std::log2(65535.0) + 208 - std::log2(d);
			if (k > 0)
				BOOST_TEST(log2_target < 256.0 - zb - k);
		}
	BOOST_CHECK_THROW(ticket_log2_for_share(0, 32), std::invalid_argument);
	BOOST_CHECK_THROW(ticket_log2_for_share(std::nan(""), 32), std::invalid_argument);
	BOOST_CHECK_THROW(ticket_log2_for_share(1, 33), std::invalid_argument);
}
