// SPDX-License-Identifier: MIT
// The HBFP row (the FPGA prototype's chip): each value against what the RTL does
// (fpga/rtl/chip/bm13xx_chip.v, docs/fpga.md "Chip wrapper"), and the two rules it does
// not share with the BM13xx families: the ticket mask on H7 and the baud divisor in FPGA
// clocks.
#include <boost/test/unit_test.hpp>

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/bringup_recipe.hpp>
#include <hashboard/chip_family.hpp>

#include <algorithm>
#include <cmath>

using namespace hashboard;

namespace {
const ChipFamily &hbfp()
{
	return family_by_name("hbfp");
}
} // namespace

BOOST_AUTO_TEST_CASE(identity_and_jobs)
{
	const auto &f = hbfp();
	BOOST_TEST(family_by_chip_id(0x1FA1) == &f);
	BOOST_TEST(f.reply_len == bm13xx::kReplyLen);
	BOOST_TEST((f.job_format == JobFormat::midstates));
	BOOST_TEST(f.max_midstates == 4u);
	BOOST_TEST(f.cores == 4u); // the HX8K build's lanes
	// 4 lanes, 130 clocks a nonce each, at the 48 MHz board clock: 1.48 MH/s (docs/fpga.md).
	BOOST_TEST(std::fabs(f.hashes_per_second(48.0) - 48e6 * 4 / 130) < 1.0);
}

BOOST_AUTO_TEST_CASE(nonce_reply_fields)
{
	// The RTL's reply: nonce word [31:28] lane, [27:20] address; byte 5 = (job id & 0xFC)
	// | midstate index, the same index in byte 4.
	const auto &f = hbfp();
	bm13xx::NonceReply r;
	const std::uint32_t word = 0x3u << 28 | 0x80u << 20 | 0x12345u;
	r.nonce = __builtin_bswap32(word); // the nonce bytes on the wire, read little-endian
	r.excess_difficulty = 2;
	r.job_byte = std::uint8_t((0x28 & 0xFC) | 2);
	const auto fields = decode_nonce_reply(f, r);
	BOOST_TEST(fields.job_id == 0x28);
	BOOST_TEST(fields.sub_id == 2u);
	BOOST_TEST(fields.core == 3u);
	BOOST_TEST_REQUIRE(fields.address.has_value());
	BOOST_TEST(*fields.address == 0x80);
	BOOST_TEST(encode_reply_job_byte(f, 0x28, 2) == 0x2A);
	BOOST_TEST(f.next_job_id(0x7C) == 0u);
}

BOOST_AUTO_TEST_CASE(ticket_is_a_mask_on_h7)
{
	const auto &f = hbfp();
	// Difficulty 1 on real chips: every bit of H7 (the register's reset value).
	const auto d1 = ticket_write(f, 32, 0);
	BOOST_TEST_REQUIRE(d1.has_value());
	BOOST_TEST(d1->mask == 0xFFFFFFFFu);
	// Nothing above difficulty 1: the early stop leaves only H7.
	BOOST_TEST(!ticket_write(f, 32, 1));
	// The tests' 0x000000FF: the hash's top byte zero, bit 7 of H7 first.
	BOOST_TEST(ticket_write(f, 8, 0)->mask == 0x000000FFu);
	BOOST_TEST(ticket_write(f, 4, 0)->mask == 0x000000F0u);
	BOOST_TEST(ticket_write(f, 8, 8)->mask == 0x0000FFFFu);
	// Above 8 bits only whole bytes (bits 8, 16, 24 decide each byte).
	BOOST_TEST(!ticket_write(f, 12, 0));
	BOOST_TEST(!ticket_write(f, 8, 4));
	// A bring-up's default 2^8 falls back to what the register can say.
	BOOST_TEST(ticket_write_at_most(f, 32, 8).ticket_log2 == 0u);
	BOOST_TEST(ticket_write_at_most(f, 8, 12).ticket_log2 == 8u);
	BOOST_TEST(ticket_write_at_most(f, 8, 12).mask == 0x0000FFFFu);
	BOOST_CHECK_THROW(ticket_write_at_most(f, 12, 3), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(bm13xx_ticket_unchanged)
{
	// The BM13xx rule ignores zero_bits: the mask says difficulty above the chip's own 1.
	for (const char *name : {"bm1397", "bm1366", "bm1370"}) {
		const auto &f = family_by_name(name);
		BOOST_TEST(ticket_write(f, 12, 8)->mask ==
		           bm13xx::ticket_mask_for_difficulty_log2(8));
		BOOST_TEST(ticket_write(f, 32, 8)->mask == 0x000000FFu);
		BOOST_TEST(ticket_write_at_most(f, 32, 9).ticket_log2 == 9u);
	}
}

BOOST_AUTO_TEST_CASE(baud_is_fpga_clocks_per_bit)
{
	const auto &f = hbfp();
	BOOST_TEST(f.baud.reg == 0x28);
	// Reset 415 at 48 MHz: 115385 Bd (docs/fpga.md).
	BOOST_TEST(std::fabs(baud_from_register(f, 415) - 48e6 / 416) < 1e-6);
	// The HAL takes the nearest divisor: 416 (115,108 Bd, 0.08 % off) where the HX8K top's
	// reset value 415 is 0.16 % off; both well inside a UART's margin.
	const auto w = baud_write(f, 115200);
	BOOST_TEST_REQUIRE(w.has_value());
	BOOST_TEST(w->value == 416u);
	const auto fast = baud_write(f, 3'000'000);
	BOOST_TEST_REQUIRE(fast.has_value());
	BOOST_TEST(fast->value == 15u);
	BOOST_TEST(fast->actual_baud == 3e6);
	BOOST_TEST(!baud_write(f, 4'000'000));
	// The BM13xx families keep 25 MHz / 8 per step (BM1366+: 0x28 [15:8] = 0 at 3.125 MBd).
	const auto b66 = baud_write(family_by_name("bm1366"), 3'125'000);
	BOOST_TEST_REQUIRE(b66.has_value());
	BOOST_TEST(b66->value == 0x11300000u);
}

BOOST_AUTO_TEST_CASE(pll_is_stored_only)
{
	// The clock is the FPGA's: one frequency, no ramp, no PLL0 write.
	const auto &f = hbfp();
	BOOST_TEST(f.default_freq_mhz == 48.0);
	BOOST_TEST(f.nominal_freq_mhz == 48.0);
	BOOST_TEST(pll_for_frequency(f, 48.0).has_value());
	BOOST_TEST(!pll_for_frequency(f, 50.0));
	BOOST_TEST(!f.writes_hash_counting);
	BOOST_TEST(!f.regs.version_rolling.has_value());
}

BOOST_AUTO_TEST_CASE(recipe_is_what_the_rtl_needs)
{
	const auto &r = bringup_recipe(hbfp(), BringupStyle::open_firmware);
	BOOST_TEST(!find_bringup_recipe(hbfp(), BringupStyle::factory));
	std::vector<StepOp> ops;
	for (const auto &s : r.steps)
		ops.push_back(s.op);
	const std::vector<StepOp> want{StepOp::read_chip_ids, StepOp::chain_inactive,
	                               StepOp::set_addresses, StepOp::probe_chips,
	                               StepOp::ticket_mask,   StepOp::pll_ramp,
	                               StepOp::baud};
	BOOST_TEST((ops == want));
}
