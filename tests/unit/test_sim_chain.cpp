// SPDX-License-Identifier: MIT
// The simulated chain at the wire: enumeration, registers, faults, baud, reset,
// bit errors and determinism, driven with encoded frames as a host would.
#include <boost/test/unit_test.hpp>

#include "sim_rig.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

using namespace simtest;

namespace {

constexpr std::uint8_t kChipIdReg = 0x00;

bool answered(const std::vector<bm::RegisterReply> &replies, std::uint8_t address)
{
	return std::any_of(replies.begin(), replies.end(),
	                   [&](const auto &r) { return r.chip == address; });
}

} // namespace

BOOST_AUTO_TEST_CASE(bm1397_answers_the_golden_chip_id_reply)
{
	Rig rig(config("bm1397", 1));
	rig.send(bm::encode_read_register(true, 0, kChipIdReg));
	rig.run(20ms);
	const Bytes golden = hashboard::from_hex("AA55139718000000 06");
	BOOST_TEST(rig.raw == golden, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reply_bytes_arrive_one_by_one_at_the_uart_rate)
{
	Rig rig(config("bm1397", 1));
	const Bytes frame = bm::encode_read_register(true, 0, kChipIdReg);
	rig.send(frame);
	BOOST_TEST(!rig.chain.next_rx_time()); // the frame has not reached the chip yet
	const double byte_ns = 10e9 / kResetBaud;
	const auto arrived = Duration(std::llround(frame.size() * byte_ns));
	rig.chain.advance_to(arrived);
	const auto first = rig.chain.next_rx_time();
	BOOST_REQUIRE(first);
	BOOST_TEST(first->count() == (arrived + Duration(std::llround(byte_ns))).count());
	std::array<std::uint8_t, 16> buf;
	// Nothing is readable before the byte's last bit is in.
	BOOST_TEST(rig.chain.host_read(*first - Duration(1), buf) == 0u);
	BOOST_TEST(rig.chain.host_read(*first, buf) == 1u);
	const Duration last = arrived + Duration(std::llround(9 * byte_ns));
	BOOST_TEST(rig.chain.host_read(last - Duration(1), buf) == 7u);
	BOOST_TEST(rig.chain.host_read(last, buf) == 1u);
	BOOST_TEST(!rig.chain.next_rx_time());
}

BOOST_AUTO_TEST_CASE(enumeration_numbers_chips_in_chain_order)
{
	constexpr unsigned kChips = 12;
	Rig rig(config("bm1366", kChips));
	rig.write(true, 0, kRegVersionRolling, kRollingAll);
	rig.parser.set_reply_len(11);
	const auto all = rig.read(true, 0, kChipIdReg);
	BOOST_TEST(all.size() == kChips);
	for (const auto &r : all) {
		BOOST_TEST((r.value >> 16) == 0x1366u);
		BOOST_TEST(r.chip == 0u); // nobody has an address yet
	}
	BOOST_TEST(!rig.chain.chip(0).addressed);

	rig.send(bm::encode_chain_inactive());
	for (unsigned i = 0; i < kChips; ++i)
		rig.send(bm::encode_set_address(std::uint8_t(i * 4)));
	rig.run(50ms);
	for (unsigned i = 0; i < kChips; ++i) {
		const auto v = rig.chain.chip(i);
		BOOST_TEST(v.addressed);
		BOOST_TEST(v.address == i * 4);
		const auto one = rig.read(false, std::uint8_t(i * 4), kChipIdReg);
		BOOST_REQUIRE(one.size() == 1u);
		BOOST_TEST(one[0].chip == i * 4);
		BOOST_TEST(one[0].value == (0x13660000u | i * 4));
	}
	// A broadcast read now comes back in chain order with every address.
	const auto again = rig.read(true, 0, kChipIdReg);
	BOOST_REQUIRE(again.size() == kChips);
	for (unsigned i = 0; i < kChips; ++i)
		BOOST_TEST(again[i].chip == i * 4);
	BOOST_TEST(rig.parser.stats().crc_errors == 0u);
}

BOOST_AUTO_TEST_CASE(set_address_before_chain_inactive_reaches_every_chip)
{
	Rig rig(config("bm1397", 3));
	rig.send(bm::encode_set_address(0x20));
	rig.run(10ms);
	for (unsigned i = 0; i < 3; ++i)
		BOOST_TEST(rig.chain.chip(i).address == 0x20u);
	// Chain inactive starts numbering afresh, even without a reset.
	rig.enumerate(3, 8);
	for (unsigned i = 0; i < 3; ++i)
		BOOST_TEST(rig.chain.chip(i).address == i * 8);
	// More addresses than chips: the extra ones find no taker.
	rig.send(bm::encode_set_address(0x80));
	rig.run(10ms);
	for (unsigned i = 0; i < 3; ++i)
		BOOST_TEST(rig.chain.chip(i).address == i * 8);
}

BOOST_AUTO_TEST_CASE(dead_chip_cuts_the_chain)
{
	for (unsigned dead : {0u, 1u, 5u}) {
		auto c = config("bm1397", 8);
		c.faults.dead_chip = dead;
		Rig rig(c);
		BOOST_TEST(rig.read(true, 0, kChipIdReg).size() == dead);
		rig.enumerate(8, 4);
		for (unsigned i = 0; i < 8; ++i) {
			const bool got = !rig.read(false, std::uint8_t(i * 4), kChipIdReg).empty();
			BOOST_TEST(got == (i < dead));
			BOOST_TEST(rig.chain.chip(i).addressed == (i < dead));
		}
	}
}

BOOST_AUTO_TEST_CASE(mute_chip_relays_and_takes_its_address_but_never_answers)
{
	auto c = config("bm1397", 5);
	c.faults.mute_chip = 2;
	Rig rig(c);
	BOOST_TEST(rig.read(true, 0, kChipIdReg).size() == 4u);
	rig.enumerate(5, 4);
	BOOST_TEST(rig.chain.chip(2).address == 8u);
	BOOST_TEST(rig.read(false, 8, kChipIdReg).empty());
	for (unsigned i : {0u, 1u, 3u, 4u})
		BOOST_TEST(rig.read(false, std::uint8_t(i * 4), kChipIdReg).size() == 1u);
	const auto all = rig.read(true, 0, kChipIdReg);
	BOOST_TEST(!answered(all, 8));
	BOOST_TEST(all.size() == 4u);
}

BOOST_AUTO_TEST_CASE(registers_read_back_with_power_on_defaults)
{
	Rig rig(config("bm1397", 2));
	rig.enumerate(2, 0x40);
	// Power-on (skot): PLL0 0xC0600161 with 0x70 = 0x03040607, ticket mask difficulty 1,
	// 0x18 = 0x00003A01 (baud divisor 26).
	auto r = rig.read(false, 0x40, kRegPll0);
	BOOST_REQUIRE(r.size() == 1u);
	BOOST_TEST(r[0].value == 0xC0600161u);
	BOOST_TEST(rig.read(false, 0x40, kRegPll0Divider).at(0).value == 0x03040607u);
	BOOST_TEST(rig.read(false, 0x40, kRegTicketMask).at(0).value == 0u);
	BOOST_TEST(rig.read(false, 0x40, kRegMiscControl).at(0).value == 0x00003A01u);

	// A write to one chip changes only that chip.
	rig.write(false, 0x40, 0x3C, 0xDEADBEEF);
	BOOST_TEST(rig.read(false, 0x40, 0x3C).at(0).value == 0xDEADBEEFu);
	BOOST_TEST(rig.read(false, 0x00, 0x3C).at(0).value == 0u);
	// A broadcast write changes all.
	const auto mask = bm::ticket_mask_for_difficulty_log2(6);
	rig.write(true, 0, kRegTicketMask, mask);
	const auto back = rig.read(true, 0, kRegTicketMask);
	BOOST_REQUIRE(back.size() == 2u);
	for (const auto &b : back)
		BOOST_TEST(b.value == mask);
	BOOST_TEST(rig.chain.chip(1).ticket_mask == mask);
	// Register 0 keeps its chip id and address whatever is written to it.
	rig.write(true, 0, kChipIdReg, 0x12345678);
	BOOST_TEST(rig.read(false, 0x40, kChipIdReg).at(0).value == 0x13971840u);
}

BOOST_AUTO_TEST_CASE(pll_writes_set_the_frequency_and_invalid_ones_stop_it)
{
	Rig rig(config("bm1397", 1));
	BOOST_TEST(rig.chain.chip(0).freq_mhz == 50.0); // 400 MHz raw / (PLLDIV0 7 + 1)
	rig.set_frequency(400);
	BOOST_TEST(rig.chain.chip(0).freq_mhz == 400.0);
	rig.write(true, 0, kRegPll0, 0); // enable bit clear
	BOOST_TEST(rig.chain.chip(0).freq_mhz == 0.0);
}

BOOST_AUTO_TEST_CASE(version_rolling_register_lengthens_replies)
{
	Rig rig(config("bm1368", 2));
	rig.send(bm::encode_read_register(true, 0, kChipIdReg));
	rig.run(50ms);
	BOOST_TEST(rig.raw.size() == 18u); // two 9-byte replies before version rolling
	BOOST_TEST(rig.registers().size() == 2u);
	rig.write(true, 0, kRegVersionRolling, kRollingAll);
	BOOST_TEST(rig.chain.chip(1).version_rolling);
	rig.parser.set_reply_len(11);
	rig.raw.clear();
	BOOST_TEST(rig.read(true, 0, kChipIdReg).size() == 2u);
	BOOST_TEST(rig.raw.size() == 22u);
}

BOOST_AUTO_TEST_CASE(frames_with_a_bad_crc_are_dropped_by_every_chip)
{
	auto c = config("bm1397", 4);
	c.faults.dead_chip = 3;
	Rig rig(c);
	Bytes frame = bm::encode_read_register(true, 0, kChipIdReg);
	frame.back() ^= 0x01;
	rig.send(frame);
	rig.run(50ms);
	BOOST_TEST(rig.raw.empty());
	for (unsigned i = 0; i < 3; ++i)
		BOOST_TEST(rig.chain.chip(i).frames_dropped == 1u);
	BOOST_TEST(rig.chain.chip(3).frames_dropped == 0u); // beyond the cut: heard nothing
}

BOOST_AUTO_TEST_CASE(baud_mismatch_is_garbage_and_a_baud_write_then_matching_host_works)
{
	Rig rig(config("bm1397", 4));
	// Host far off the chips' rate: the chips cannot read the frame.
	rig.chain.set_host_baud(rig.t, 1'000'000);
	rig.send(bm::encode_read_register(true, 0, kChipIdReg));
	rig.run(50ms);
	BOOST_TEST(rig.raw.empty());
	for (unsigned i = 0; i < 4; ++i)
		BOOST_TEST(rig.chain.chip(i).frames_dropped == 1u);

	// 115200 is within 5% of the chips' 115740: fine.
	rig.chain.set_host_baud(rig.t, 115200);
	BOOST_TEST(rig.read(true, 0, kChipIdReg).size() == 4u);

	// Raise the chips, then the host: BM1397 0x18 = 0x00006131 is BT8D 1, 1,562,500 Bd
	// (gekko).
	rig.write(true, 0, kRegMiscControl, 0x00006131);
	for (unsigned i = 0; i < 4; ++i)
		BOOST_TEST(rig.chain.chip(i).baud == 1'562'500.0);
	BOOST_TEST(rig.read(true, 0, kChipIdReg).empty()); // host still slow: unheard
	rig.chain.set_host_baud(rig.t, 1'562'500);
	rig.raw.clear();
	BOOST_TEST(rig.read(true, 0, kChipIdReg).size() == 4u);
	BOOST_TEST(rig.raw.size() == 36u);

	// Replies that reach a host at another baud are junk, byte for byte.
	rig.raw.clear();
	rig.frames.clear();
	const auto before = rig.parser.stats();
	rig.send(bm::encode_read_register(true, 0, kChipIdReg));
	rig.run(50us); // the 7-byte frame is in; the 36 reply bytes are on their way
	rig.chain.set_host_baud(rig.t, 115200);
	rig.run(50ms);
	BOOST_TEST(rig.registers().empty());
	BOOST_TEST(rig.raw.size() == 36u); // as many bytes, none of them right
	BOOST_TEST(rig.parser.stats().junk_bytes + rig.parser.stats().crc_errors >
	           before.junk_bytes);
}

BOOST_AUTO_TEST_CASE(bm1366_baud_moves_with_0x28_and_not_with_0x18)
{
	Rig rig(config("bm1366", 2));
	rig.enumerate(2, 0x80);
	// 0x18 is no baud register on BM1366+: its report enables change nothing here.
	rig.write(true, 0, kRegMiscControl, 0xFF0FC100);
	BOOST_TEST(rig.chain.chip(0).baud == kResetBaud);
	// Capture (Bitaxe): 0x28 = 0x11300200 is BT8D 2, 25 MHz / 24 = 1,041,667 Bd; the host
	// runs at 1,000,000 (4.2 % off) and the link holds.
	rig.write(true, 0, kRegUartBaud, 0x11300200);
	BOOST_TEST(rig.chain.chip(0).baud == 25e6 / 24);
	rig.chain.set_host_baud(rig.t, 1'000'000);
	BOOST_TEST(rig.read(true, 0, kChipIdReg).size() == 2u);
}

BOOST_AUTO_TEST_CASE(bit_errors_show_as_crc_errors_at_the_host)
{
	auto c = config("bm1397", 4);
	c.faults.bit_error_rate = 2e-3;
	Rig rig(c);
	for (int i = 0; i < 100; ++i) {
		rig.send(bm::encode_read_register(true, 0, kChipIdReg));
		rig.run(10ms);
	}
	const auto &st = rig.parser.stats();
	BOOST_TEST(rig.raw.size() == 3600u); // errors flip bits, they do not add or lose bytes
	BOOST_TEST(st.crc_errors > 0u);
	BOOST_TEST(st.frames > 300u); // most frames still get through
	BOOST_TEST(st.frames < 400u);
	// Every frame that passed its CRC is a true reply.
	for (const auto &r : rig.registers())
		BOOST_TEST((r.value >> 16) == 0x1397u);
}

BOOST_AUTO_TEST_CASE(reset_returns_every_chip_to_power_on)
{
	Rig rig(config("bm1366", 3));
	rig.enumerate(3, 0x10);
	rig.set_frequency(300);
	rig.write(true, 0, kRegTicketMask, bm::ticket_mask_for_difficulty_log2(3));
	rig.send(bm::encode_job(header_job(8, block_header())));
	rig.run(2s);
	rig.write(true, 0, kRegUartBaud, 0x11300200);
	BOOST_TEST(rig.chain.chip(2).hashes > 0u);

	rig.chain.set_reset(rig.t, true);
	// Held in reset: deaf and silent.
	rig.chain.set_host_baud(rig.t, 115200);
	rig.raw.clear();
	rig.send(bm::encode_read_register(true, 0, kChipIdReg));
	rig.run(100ms);
	BOOST_TEST(rig.raw.empty());
	rig.chain.set_reset(rig.t, false);
	rig.run(100ms);

	const auto hashes = rig.chain.chip(2).hashes;
	for (unsigned i = 0; i < 3; ++i) {
		const auto v = rig.chain.chip(i);
		BOOST_TEST(v.address == 0u);
		BOOST_TEST(!v.addressed);
		BOOST_TEST(v.freq_mhz == 50.0); // 0xC0540165
		BOOST_TEST(v.baud == kResetBaud);
		BOOST_TEST(!v.hashing); // hash counting number back at 0
		BOOST_TEST(v.ticket_mask == 0u);
		BOOST_TEST(!v.version_rolling);
	}
	rig.raw.clear();
	rig.parser.set_reply_len(9);
	const auto all = rig.read(true, 0, kChipIdReg);
	BOOST_TEST(all.size() == 3u);
	BOOST_TEST(rig.raw.size() == 27u); // 9-byte replies: version rolling is off again
	// No job survives the reset.
	rig.run(2s);
	BOOST_TEST(rig.chain.chip(2).hashes == hashes);
	BOOST_TEST(rig.nonces().empty());
}

namespace {

// A fixed host session: enumerate, configure, mine a while with a bit error rate.
// over_limit: run above the frequency limit, so wrong nonces draw from their generator.
std::vector<RxByte> session(std::uint64_t seed, double ber, Duration step, bool over_limit = true)
{
	auto c = config("bm1366", 3);
	c.seed = seed;
	c.faults.bit_error_rate = ber;
	c.freq_limit_mhz = over_limit ? 200 : 400;
	Rig rig(c);
	rig.enumerate(3, 0x20);
	rig.set_frequency(230);
	rig.send(bm::encode_job(header_job(16, block_header())));
	return timed_stream(rig.chain, rig.t, rig.t + 3s, step);
}

} // namespace

BOOST_AUTO_TEST_CASE(same_seed_same_bytes_at_the_same_times)
{
	const auto a = session(7, 1e-4, 1ms);
	const auto b = session(7, 1e-4, 1ms);
	BOOST_TEST(a.size() > 500u);
	BOOST_TEST((a == b));
	// How time is cut into steps changes nothing either.
	const auto coarse = session(7, 1e-4, 700ms);
	BOOST_TEST((a == coarse));
	const auto fine = session(7, 1e-4, 37us);
	BOOST_TEST((a == fine));
}

BOOST_AUTO_TEST_CASE(another_seed_changes_what_is_random)
{
	const auto a = session(7, 1e-4, 5ms);
	const auto b = session(8, 1e-4, 5ms);
	BOOST_TEST(a.size() == b.size()); // the same replies, at the same times...
	BOOST_TEST(!(a == b));            // ...with other bits flipped and other nonces spoilt
	// Without any randomness in play the seed does not matter.
	const auto clean_a = session(7, 0, 5ms, false);
	const auto clean_b = session(8, 0, 5ms, false);
	BOOST_TEST(clean_a.size() == a.size());
	BOOST_TEST((clean_a == clean_b));
}

BOOST_AUTO_TEST_CASE(bad_configurations_are_refused)
{
	auto c = config("bm1397", 4);
	c.family = "";
	BOOST_CHECK_THROW(hbsim::SimChain{c}, std::invalid_argument);
	c.family = "bm1399";
	try {
		hbsim::SimChain chain{c};
		BOOST_FAIL("an unknown chip was accepted");
	} catch (const std::invalid_argument &e) {
		const std::string what = e.what();
		for (const char *name : {"bm1397", "bm1366", "bm1368", "bm1370"})
			BOOST_TEST(what.find(name) != std::string::npos);
	}
	c = config("bm1397", 0);
	BOOST_CHECK_THROW(hbsim::SimChain{c}, std::invalid_argument);
	c = config("bm1397", 4, 33);
	BOOST_CHECK_THROW(hbsim::SimChain{c}, std::invalid_argument);
	c = config("bm1397", 4);
	c.faults.dead_chip = 4;
	BOOST_CHECK_THROW(hbsim::SimChain{c}, std::invalid_argument);
	c = config("bm1397", 4);
	c.faults.bit_error_rate = 1.5;
	BOOST_CHECK_THROW(hbsim::SimChain{c}, std::invalid_argument);
	hbsim::SimChain ok(config("bm1397", 4));
	BOOST_CHECK_THROW(ok.chip(4), std::invalid_argument);
	BOOST_CHECK_THROW(ok.set_host_baud(Duration{0}, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(logger_sees_frames_baud_changes_and_resets)
{
	auto c = config("bm1397", 2);
	c.faults.dead_chip = 1;
	Rig rig(c);
	std::vector<std::string> lines;
	rig.chain.set_logger([&](const std::string &l) { lines.push_back(l); });
	rig.enumerate(1, 0);
	rig.write(true, 0, kRegMiscControl, 0x00006131); // BM1397: 1,562,500 Bd
	rig.chain.set_reset(rig.t, true);
	auto has = [&](std::string_view s) {
		return std::any_of(lines.begin(), lines.end(),
		                   [&](const auto &l) { return l.find(s) != std::string::npos; });
	};
	BOOST_TEST(has("chain cut at chip 1"));
	BOOST_TEST(has("chain inactive"));
	BOOST_TEST(has("set address 0x00"));
	BOOST_TEST(has("baud 115741 -> 1562500"));
	BOOST_TEST(has("reset asserted"));
}
