// SPDX-License-Identifier: MIT
// The family table's own rules; tests/unit/test_capture_*.cpp check it against captures.
#include <boost/test/unit_test.hpp>

#include <hashboard/bringup_recipe.hpp>
#include <hashboard/chip_family.hpp>

#include <cmath>
#include <vector>

using namespace hashboard;

BOOST_AUTO_TEST_CASE(lookup)
{
	BOOST_TEST(family_by_name("bm1397").chip_id == 0x1397);
	BOOST_TEST(family_by_chip_id(0x1370)->name == "bm1370");
	BOOST_TEST(family_by_chip_id(0x1234) == nullptr);
	BOOST_CHECK_THROW(family_by_name("bm9999"), std::invalid_argument);
	BOOST_TEST(all_families().size() == 5u);
}

BOOST_AUTO_TEST_CASE(job_ids_survive_the_reply_byte)
{
	// Every id a family's host sends comes back out of byte 5 as itself, whatever the
	// sub id: a reply to job 0x68 on a BM1370 is matched to job 0x68.
	for (const auto &f : all_families()) {
		std::uint8_t id = f.first_job_id;
		for (int i = 0; i < 200; ++i) {
			BOOST_TEST(id < 128);
			for (unsigned sub = 0; sub <= f.reply_job.sub_mask; ++sub) {
				bm13xx::NonceReply r;
				r.job_byte = encode_reply_job_byte(f, id, sub);
				const auto fields = decode_nonce_reply(f, r);
				BOOST_TEST(fields.job_id == id, f.name << " id " << int(id));
				BOOST_TEST(fields.sub_id == sub);
			}
			id = f.next_job_id(id);
		}
	}
	bm13xx::NonceReply r;
	r.job_byte = 0xD5; // (0x68 >> 3) << 4 | small core 5
	BOOST_TEST(decode_nonce_reply(family_by_name("bm1370"), r).job_id == 0x68);
}

BOOST_AUTO_TEST_CASE(pll_words_per_family)
{
	// BM1366+: minus-one post dividers (capture: 0x50D20240 = 525 MHz).
	const auto &b70 = family_by_name("bm1370");
	const PllSetting s525{210, 2, 5, 1};
	BOOST_TEST(pll_register_value(b70, s525) == 0x50D20240u);
	BOOST_TEST((pll_from_register(b70, 0x50D20240u) == s525));
	BOOST_TEST(!pll_from_register(b70, 0x10D20240u)); // not enabled
	// BM1397: raw post dividers, flag 0x40 (firmware: 450 MHz = 0x40480221).
	const auto &b97 = family_by_name("bm1397");
	const PllSetting s450{72, 2, 2, 1};
	BOOST_TEST(pll_register_value(b97, s450) == 0x40480221u);
	BOOST_TEST((*pll_for_frequency(b97, 450) == s450));
	BOOST_TEST(!pll_from_register(b97, 0x40480200u)); // a zero divider gives no clock
	BOOST_TEST(b97.pll.fbdiv_min == 60u);
	BOOST_TEST(b97.pll.fbdiv_max == 200u);
	BOOST_TEST(b70.pll.fbdiv_min == 160u);
	BOOST_TEST(b70.pll.fbdiv_max == 239u);
}

// The families whose PLL makes their clock (hbfp's is the FPGA's: one frequency,
// tests/unit/test_family_hbfp.cpp).
std::vector<const ChipFamily *> pll_families()
{
	std::vector<const ChipFamily *> out;
	for (const auto &f : all_families())
		if (f.pll.freq_max_mhz > f.pll.freq_min_mhz)
			out.push_back(&f);
	return out;
}

BOOST_AUTO_TEST_CASE(pll_hits_requested_frequencies)
{
	BOOST_TEST(pll_families().size() == 4u);
	for (const ChipFamily *fp : pll_families())
		for (PllSolver solver : {PllSolver::lowest_vco, PllSolver::first_within_1mhz})
			// Up to what boards run: past ~650 MHz the FBDIV range leaves gaps (the
			// lowest-VCO solver then takes the closest word, ESP-Miner's finds none).
			for (double mhz = 56.25; mhz <= 650; mhz += 6.25) {
				const ChipFamily &f = *fp;
				const auto s = pll_for_frequency(f, mhz, solver);
				BOOST_TEST_REQUIRE(s.has_value(), f.name << " " << mhz);
				BOOST_TEST(std::fabs(s->freq_mhz() - mhz) < 1.5,
				           mhz << " got " << s->freq_mhz());
				BOOST_TEST(s->fbdiv >= f.pll.fbdiv_min);
				BOOST_TEST(s->fbdiv <= f.pll.fbdiv_max);
				BOOST_TEST((pll_from_register(f, pll_register_value(f, *s)) == *s));
			}
	for (const ChipFamily *f : pll_families())
		for (double mhz = 650; mhz <= 800; mhz += 6.25)
			BOOST_TEST(std::fabs(pll_for_frequency(*f, mhz)->freq_mhz() - mhz) < 3.0);
	BOOST_TEST(!pll_for_frequency(family_by_name("bm1397"), 10));
	BOOST_TEST(!pll_for_frequency(family_by_name("bm1397"), 2000));
	BOOST_TEST(!pll_for_frequency(family_by_name("bm1370"), std::nan("")));
}

BOOST_AUTO_TEST_CASE(baud_registers_per_family)
{
	const auto &b97 = family_by_name("bm1397");
	BOOST_TEST(baud_write(b97, 3125000)->reg == 0x18);
	BOOST_TEST(baud_from_register(b97, 0x00003A01) == kResetBaud); // 115,741 Bd
	BOOST_TEST(!baud_write(b97, 6000000));
	BOOST_TEST(!baud_write(b97, 0));
	const auto &b66 = family_by_name("bm1366");
	const auto w = baud_write(b66, 1000000);
	BOOST_TEST_REQUIRE(w.has_value());
	BOOST_TEST(w->reg == 0x28);
	BOOST_TEST(w->value == 0x11300200u);
	BOOST_TEST(std::lround(w->actual_baud) == 1041667);
	BOOST_TEST(baud_from_register(b66, 0x01301A00) == kResetBaud); // 115,741 Bd
}

BOOST_AUTO_TEST_CASE(version_rolling_follows_the_pool_mask)
{
	const auto &b70 = family_by_name("bm1370");
	BOOST_TEST(version_rolling_value(b70, 0x1FFFE000) == 0x9000FFFFu);
	BOOST_TEST(version_rolling_value(b70, 0x00FFE000) == 0x900007FFu);
}

BOOST_AUTO_TEST_CASE(nonce_offsets_partition_the_counter)
{
	BOOST_TEST(chip_nonce_offset_value(0, 65) == 0x80000000u);
	BOOST_TEST(chip_nonce_offset_value(1, 65) == 0x800003F1u);
	BOOST_TEST(chip_nonce_offset_value(64, 65) == 0x8000FC10u);
	for (unsigned n : {2u, 3u, 65u, 160u})
		for (unsigned i = 1; i < n; ++i)
			BOOST_TEST((chip_nonce_offset_value(i, n) & 0xFFFF) >
			           (chip_nonce_offset_value(i - 1, n) & 0xFFFF));
}

BOOST_AUTO_TEST_CASE(every_family_has_an_open_firmware_recipe)
{
	for (const auto &f : all_families()) {
		const auto &r = bringup_recipe(f, BringupStyle::open_firmware);
		BOOST_TEST(r.family == f.name);
		BOOST_TEST(!r.source.empty());
		unsigned ramps = 0;
		for (const auto &s : r.steps)
			ramps += s.op == StepOp::pll_ramp;
		BOOST_TEST(ramps == 1u);
	}
	BOOST_CHECK_THROW(bringup_recipe(family_by_name("bm1397"), BringupStyle::factory),
	                  std::invalid_argument);
	BOOST_CHECK_THROW(bringup_style_by_name("stock"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(no_solver_writes_a_word_outside_the_vco_band)
{
	// Off the 6.25 MHz grid ESP-Miner's order reaches REFDIV 1 (VCO >= 4000 MHz): the
	// tuner's per-chip frequencies stopped whole chips that way.
	for (const ChipFamily &f : all_families()) {
		const PllLimits &l = f.pll;
		if (l.freq_max_mhz <= l.freq_min_mhz)
			continue; // a fixed clock (the FPGA prototype)
		unsigned outside = 0, missing = 0;
		for (double mhz = std::max(l.freq_min_mhz, 50.0); mhz <= l.freq_max_mhz;
		     mhz += 0.37)
			for (PllSolver solver :
			     {PllSolver::lowest_vco, PllSolver::first_within_1mhz}) {
				const auto s = pll_for_frequency(f, mhz, solver);
				if (!s) {
					++missing;
					continue;
				}
				const double vco = s->vco_mhz(l.ref_mhz);
				outside += vco < l.vco_min_mhz - 1e-9 || vco > l.vco_max_mhz + 1e-9;
			}
		BOOST_TEST(outside == 0u, f.name);
		BOOST_TEST(missing == 0u, f.name);
	}
	// The Bitaxe capture's grid keeps ESP-Miner's own words.
	const auto w =
	    pll_for_frequency(family_by_name("bm1370"), 525, PllSolver::first_within_1mhz);
	BOOST_TEST_REQUIRE(w.has_value());
	BOOST_TEST(pll_register_value(family_by_name("bm1370"), *w) == 0x50D20240u);
}
