// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include <hashboard/bm13xx/codec.hpp>

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
