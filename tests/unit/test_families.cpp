// SPDX-License-Identifier: MIT
#define BOOST_TEST_MODULE families
#include <boost/test/unit_test.hpp>

#include <hashboard/chip_family.hpp>

#include <cmath>

using namespace hashboard;

BOOST_AUTO_TEST_CASE(lookup)
{
	BOOST_TEST(family_by_name("bm1397").chip_id == 0x1397);
	BOOST_TEST(family_by_chip_id(0x1370)->name == "bm1370");
	BOOST_TEST(family_by_chip_id(0x1234) == nullptr);
	BOOST_CHECK_THROW(family_by_name("bm9999"), std::invalid_argument);
	BOOST_TEST(all_families().size() == 4u);
}

BOOST_AUTO_TEST_CASE(job_ids_step_and_wrap_in_seven_bits)
{
	const auto &f = family_by_name("bm1368");
	std::uint8_t id = 0;
	for (int i = 0; i < 200; ++i) {
		id = f.next_job_id(id);
		BOOST_TEST(id < 128);
		BOOST_TEST((id & f.reply_subid_mask) == 0);
	}
}

BOOST_AUTO_TEST_CASE(pll_register_matches_open_firmware_example)
{
	// 200 MHz as 0x40A00241: FBDIV 160, REFDIV 2, POSTDIV1 5, POSTDIV2 2.
	const auto &f = family_by_name("bm1366");
	const PllSetting s{160, 2, 5, 2};
	BOOST_TEST(pll_register_value(f, s) == 0x40A00241u);
	BOOST_TEST((pll_from_register(f, 0x40A00241u) == s));
	BOOST_TEST(!pll_from_register(f, 0x00A00241u)); // not enabled
}

BOOST_AUTO_TEST_CASE(pll_hits_requested_frequencies)
{
	for (const auto &f : all_families())
		for (double mhz = 50; mhz <= 800; mhz += 6.25) {
			const auto s = pll_for_frequency(f, mhz);
			BOOST_TEST_REQUIRE(s.has_value());
			BOOST_TEST(std::fabs(s->freq_mhz() - mhz) < 3.0, mhz << " got " << s->freq_mhz());
			BOOST_TEST(s->vco_mhz() >= f.pll.vco_min_mhz);
			BOOST_TEST(s->vco_mhz() <= f.pll.vco_max_mhz);
			BOOST_TEST((pll_from_register(f, pll_register_value(f, *s)) == *s));
		}
	BOOST_TEST(!pll_for_frequency(family_by_name("bm1397"), 10));
	BOOST_TEST(!pll_for_frequency(family_by_name("bm1397"), 2000));
}

BOOST_AUTO_TEST_CASE(baud_recipes)
{
	const auto &b97 = family_by_name("bm1397");
	BOOST_TEST(std::lround(baud_from_registers(b97, 26u << 8, false)) == 115741);
	const auto w = baud_writes(b97, 3125000);
	BOOST_TEST_REQUIRE(w.has_value());
	BOOST_TEST(w->actual_baud == 3125000.0);
	BOOST_TEST(!w->fast_uart.has_value());
	BOOST_TEST(!baud_writes(b97, 6000000));

	const auto &b66 = family_by_name("bm1366");
	const auto w66 = baud_writes(b66, 1000000);
	BOOST_TEST_REQUIRE(w66.has_value());
	BOOST_TEST(w66->fast_uart.has_value());
	BOOST_TEST(baud_from_registers(b66, w66->misc_control, true) == 1000000.0);
}

BOOST_AUTO_TEST_CASE(nonce_identity_round_trips)
{
	for (const auto &f : all_families()) {
		const NonceIdentity id{f.cores - 1, (1u << f.nonce.small_core_bits) - 1, 0xA4};
		const std::uint32_t n = nonce_with_identity(f, 0x12345678, id);
		const auto back = nonce_identity(f, n);
		BOOST_TEST(back.core == id.core);
		BOOST_TEST(back.small_core == id.small_core);
		BOOST_TEST(back.addr == id.addr);
		// The layout's fields do not overlap: identity bits leave the rest untouched.
		BOOST_TEST((nonce_with_identity(f, n, nonce_identity(f, 0x12345678)) == 0x12345678u));
	}
}
