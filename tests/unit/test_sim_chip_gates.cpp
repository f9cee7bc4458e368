// SPDX-License-Identifier: MIT
// The strict chip: what a BM13xx needs before it hashes (0x10), before it reports
// (0x18 enables), which register sets its baud, and what it reads back at power-on.
// Driven with raw frames, never through the HAL's Chain.
#include <boost/test/unit_test.hpp>

#include "sim_rig.hpp"

#include <set>

using namespace simtest;

namespace {

constexpr unsigned kZeroBits = 8;

// One BM1370 up to the point of mining, leaving 0x10 and 0x18 as the test wants.
void bring_up_without_gates(Rig &rig)
{
	rig.write(true, 0, kRegVersionRolling, kRollingAll);
	rig.parser.set_reply_len(bm::kRollingReplyLen);
	rig.send(bm::encode_chain_inactive());
	rig.send(bm::encode_set_address(0));
	rig.run(10ms);
	rig.set_frequency(400);
	rig.send(bm::encode_job(header_job(0x68, block_header())));
	rig.run(10ms);
}

std::uint32_t hash_counter(Rig &rig)
{
	const auto r = rig.read(false, 0, kRegHashCounter);
	BOOST_REQUIRE(r.size() == 1u);
	return r[0].value;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_fresh_bm1370_reads_its_captured_misc_control)
{
	Rig rig(config("bm1370", 1));
	rig.send(bm::encode_read_register(true, 0, kRegMiscControl));
	rig.run(20ms);
	// Capture (live-hardware experiment): 9 bytes, value 0x0000C100.
	BOOST_TEST(hashboard::to_hex(rig.raw) ==
	           hashboard::to_hex(hashboard::from_hex("AA550000C100001802")));
}

BOOST_AUTO_TEST_CASE(power_on_registers_read_as_the_facts_say)
{
	for (const char *name : {"bm1366", "bm1368", "bm1370"}) {
		Rig rig(config(name, 1));
		const auto &m = rig.model();
		auto value = [&](std::uint8_t reg) { return rig.read(false, 0, reg).at(0).value; };
		BOOST_TEST(value(0x00) == std::uint32_t(m.chip_id) << 16);
		BOOST_TEST(value(kRegMiscControl) == 0x0000C100u);
		BOOST_TEST(value(kRegUartBaud) == 0x01301A00u);
		BOOST_TEST(value(kRegHashCounting) == 0u);
		BOOST_TEST(value(kRegVersionRolling) == 0x0000FFFFu);
		BOOST_TEST(value(kRegPll0) == 0xC0540165u);
		BOOST_TEST(rig.chain.chip(0).freq_mhz == 50.0);
		BOOST_TEST(rig.chain.chip(0).reply_len == 9u);
		BOOST_TEST(!rig.chain.chip(0).hashing);
	}
	Rig b97(config("bm1397", 1));
	BOOST_TEST(b97.read(false, 0, 0x00).at(0).value == 0x13971800u);
	BOOST_TEST(b97.read(false, 0, kRegMiscControl).at(0).value == 0x00003A01u);
	BOOST_TEST(b97.chain.chip(0).hashing); // BM1397 needs no 0x10
}

BOOST_AUTO_TEST_CASE(registers_read_back_what_was_written)
{
	Rig rig(config("bm1370", 2));
	rig.enumerate(2, 0x80);
	const std::pair<std::uint8_t, std::uint32_t> writes[] = {{kRegMiscControl, 0xFF0FC100},
	                                                         {kRegHashCounting, 0x00001EB5},
	                                                         {kRegChipNonceOffset, 0x800003F1},
	                                                         {kRegVersionRolling, 0x9000FFF0},
	                                                         {kRegUartBaud, 0x01301A00}};
	for (const auto &[reg, value] : writes) {
		rig.write(false, 0x80, reg, value);
		BOOST_TEST(rig.read(false, 0x80, reg).at(0).value == value);
	}
	// The other chip keeps its own.
	BOOST_TEST(rig.read(false, 0x00, kRegChipNonceOffset).at(0).value == 0u);
}

BOOST_AUTO_TEST_CASE(no_hashing_while_the_hash_counting_number_is_zero)
{
	Rig rig(config("bm1370", 1, kZeroBits));
	bring_up_without_gates(rig);
	rig.write(true, 0, kRegMiscControl, kReportAll);
	rig.run(3s);
	BOOST_TEST(rig.chain.chip(0).hashes == 0u);
	BOOST_TEST(!rig.chain.chip(0).hashing);
	BOOST_TEST(rig.nonces().empty());
	BOOST_TEST(hash_counter(rig) == 0u);

	rig.write(true, 0, kRegHashCounting, kHashCountingS21Pro);
	BOOST_TEST(rig.chain.chip(0).hashing);
	rig.run(3s);
	BOOST_TEST(rig.chain.chip(0).hashes > 0u);
	BOOST_TEST(rig.nonces().size() > 100u);
	BOOST_TEST(hash_counter(rig) > 0u);
	// Back to 0: the chip stops again.
	rig.write(true, 0, kRegHashCounting, 0);
	const auto hashes = rig.chain.chip(0).hashes;
	rig.run(1s);
	BOOST_TEST(rig.chain.chip(0).hashes == hashes);
}

BOOST_AUTO_TEST_CASE(no_reports_until_the_misc_control_enables_are_set)
{
	Rig rig(config("bm1370", 1, kZeroBits));
	bring_up_without_gates(rig);
	rig.write(true, 0, kRegHashCounting, kHashCountingS21Pro);
	rig.frames.clear();
	rig.run(3s);
	// The cores hash (and 0x8C counts them) but a fresh 0x18 reports nothing.
	BOOST_TEST(rig.chain.chip(0).hashes > 0u);
	BOOST_TEST(hash_counter(rig) > 0u);
	BOOST_TEST(rig.nonces().empty());
	BOOST_TEST(rig.chain.chip(0).nonces_unreported > 100u);
	BOOST_TEST(rig.chain.chip(0).nonces_found == 0u);

	// Bit 28 alone: only cores 0-31 report (BM1370 quarters).
	rig.write(true, 0, kRegMiscControl, 0x1000C100);
	rig.frames.clear();
	rig.run(3s);
	std::set<unsigned> quarters;
	for (const auto &n : rig.nonces())
		quarters.insert(sd::nonce_core(rig.model(), sd::byteswap32(n.nonce)) / 32);
	BOOST_TEST(rig.nonces().size() > 20u);
	BOOST_TEST((quarters == std::set<unsigned>{0}));

	// All four: every quarter.
	rig.write(true, 0, kRegMiscControl, kReportAll);
	rig.frames.clear();
	rig.run(3s);
	quarters.clear();
	for (const auto &n : rig.nonces())
		quarters.insert(sd::nonce_core(rig.model(), sd::byteswap32(n.nonce)) / 32);
	BOOST_TEST((quarters == std::set<unsigned>{0, 1, 2, 3}));
	// Byte 5 carries job 0x68 as 0xD? and decodes back.
	for (const auto &n : rig.nonces()) {
		BOOST_TEST((n.job_byte & 0xF0) == 0xD0);
		BOOST_TEST(((n.job_byte & 0xF0) >> 1) == 0x68);
	}
}

BOOST_AUTO_TEST_CASE(bm1366_gates_too_and_bm1397_needs_none)
{
	Rig b66(config("bm1366", 1, kZeroBits));
	b66.write(true, 0, kRegVersionRolling, kRollingAll);
	b66.parser.set_reply_len(bm::kRollingReplyLen);
	b66.set_frequency(400);
	b66.send(bm::encode_job(header_job(0x08, block_header())));
	b66.run(2s);
	BOOST_TEST(b66.chain.chip(0).hashes == 0u);
	b66.write(true, 0, kRegHashCounting, 0x115A); // S19k Pro factory value
	b66.run(2s);
	BOOST_TEST(b66.chain.chip(0).hashes > 0u);
	BOOST_TEST(b66.nonces().empty());
	b66.write(true, 0, kRegMiscControl, kReportAll);
	b66.run(2s);
	BOOST_TEST(b66.nonces().size() > 50u);

	// BM1397: open firmware never writes 0x10 or report enables, and the chips mine.
	Rig b97(config("bm1397", 1, kZeroBits));
	b97.set_frequency(200);
	b97.send(bm::encode_job(midstate_job(0x04, block_header(), 4)));
	b97.run(2s);
	BOOST_TEST(b97.nonces().size() > 20u); // ~31 a second at 200 MHz
}

BOOST_AUTO_TEST_CASE(a_wrong_baud_recipe_loses_the_link)
{
	// The HAL's old BM1366+ recipe: 0x28 = 0x00000001 as a "fast UART" switch, then a
	// divisor in 0x18 for 1 MBd, and the host moves to 1,000,000.
	Rig rig(config("bm1366", 2, kZeroBits));
	rig.enumerate(2, 0x80);
	rig.set_frequency(400);
	rig.send(bm::encode_job(header_job(0x08, block_header())));
	rig.run(1s);
	BOOST_TEST(!rig.nonces().empty());
	rig.write(true, 0, kRegUartBaud, 0x00000001);
	// BT8D 0: the chips jump to 3.125 MBd at once...
	BOOST_TEST(rig.chain.chip(0).baud == 3'125'000.0);
	// ...and miss the divisor write that follows at the old rate.
	const auto dropped = rig.chain.chip(0).frames_dropped;
	rig.write(true, 0, kRegMiscControl, 0x00001800);
	BOOST_TEST(rig.chain.chip(0).frames_dropped == dropped + 1);
	rig.chain.set_host_baud(rig.t, 1'000'000);
	rig.run(100ms);
	rig.frames.clear();
	rig.raw.clear();
	// The host reads garbage (the chips' nonces at 3.125 MBd) and no read is answered.
	const auto junk_before = rig.parser.stats().junk_bytes + rig.parser.stats().crc_errors;
	BOOST_TEST(rig.read(true, 0, 0x00).empty());
	rig.run(2s);
	BOOST_TEST(!rig.raw.empty());
	BOOST_TEST(rig.frames.empty());
	BOOST_TEST(rig.parser.stats().junk_bytes + rig.parser.stats().crc_errors > junk_before);
}

BOOST_AUTO_TEST_CASE(the_captured_baud_recipe_keeps_the_link)
{
	Rig rig(config("bm1366", 2, kZeroBits));
	rig.enumerate(2, 0x80);
	rig.set_frequency(400);
	rig.send(bm::encode_job(header_job(0x08, block_header())));
	rig.run(1s);
	rig.write(true, 0, kRegUartBaud, 0x11300200); // capture: 1,041,667 Bd
	rig.chain.set_host_baud(rig.t, 1'000'000);
	rig.run(10ms);
	rig.frames.clear();
	const auto errors = rig.parser.stats().crc_errors;
	BOOST_TEST(rig.read(true, 0, 0x00).size() == 2u);
	rig.frames.clear();
	rig.run(2s);
	BOOST_TEST(rig.nonces().size() > 50u);
	BOOST_TEST(rig.parser.stats().crc_errors == errors);
}
