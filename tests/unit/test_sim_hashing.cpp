// SPDX-License-Identifier: MIT
// The simulated chips' honest hashing: every reported nonce is checked with SHA-256d
// against a header the test rebuilds, and the chips' pace follows the PLL.
#include <boost/test/unit_test.hpp>

#include "sim_rig.hpp"

#include <cmath>
#include <map>
#include <memory>
#include <set>

using namespace simtest;

namespace {

constexpr unsigned kZeroBits = 8;

struct Checked {
	unsigned valid = 0;
	unsigned invalid = 0;
	std::map<unsigned, unsigned> per_address;
	std::set<unsigned> subids;
	std::set<std::uint16_t> versions;
};

// Rebuilds each nonce's header from the job and checks its hash like the host does.
Checked check_midstate_nonces(const Rig &rig, std::uint8_t job_id, unsigned zeros)
{
	const auto h = block_header();
	Checked c;
	for (const auto &n : rig.nonces()) {
		BOOST_TEST((n.job_byte & ~0x03) == job_id);
		const unsigned m = n.job_byte & 0x03;
		BOOST_TEST(n.excess_difficulty == 0u); // BM1397: byte 4 unsettled, sent as 0
		BOOST_TEST(!n.version_bits);
		const auto hdr =
		    with_version_nonce(h, hashboard::load_le32(h.data()) | m << 13, n.nonce);
		(zeros_of(hdr) >= int(zeros) ? c.valid : c.invalid)++;
		++c.per_address[*sd::nonce_chip_address(rig.model(), sd::byteswap32(n.nonce),
		                                        false)];
		c.subids.insert(m);
	}
	return c;
}

Checked check_header_nonces(const Rig &rig, const bm::HeaderJob &job, unsigned zeros)
{
	const auto h = block_header();
	Checked c;
	const auto &m = rig.model();
	for (const auto &n : rig.nonces()) {
		const auto rh = sd::decode_result_header(m, n.job_byte);
		BOOST_TEST(rh.job_id == job.job_id);
		BOOST_REQUIRE(n.version_bits);
		// With rolling each small core hashes its own version: its id is the rolled
		// bits' low bits (capture).
		BOOST_TEST(rh.sub == (*n.version_bits & (m.small_cores_per_core - 1)));
		const std::uint32_t version = job.version | std::uint32_t(*n.version_bits) << 13;
		(zeros_of(with_version_nonce(h, version, n.nonce)) >= int(zeros) ? c.valid
		                                                                 : c.invalid)++;
		const std::uint32_t be = sd::byteswap32(n.nonce);
		// BM1366: address bits 7..1 in [24:18]; BM1368/70 without CHIP_NONCE_OFFSET: the
		// count starts at address << 8 in [24:9] and runs into the odd address after it.
		const unsigned addr = m.generation == sd::ChipGeneration::bm1366
		                          ? unsigned(*sd::nonce_chip_address(m, be, true))
		                          : unsigned((be >> 17) & 0xFE);
		++c.per_address[addr];
		c.subids.insert(rh.sub);
		c.versions.insert(*n.version_bits);
	}
	return c;
}

// Stops every chip (PLL off) and lets the line drain, so counters and replies agree.
void stop_and_drain(Rig &rig)
{
	rig.write(true, 0, kRegPll0, 0);
	rig.run(2s);
}

std::uint64_t found_total(const Rig &rig)
{
	std::uint64_t n = 0;
	for (unsigned i = 0; i < rig.chain.chip_count(); ++i)
		n += rig.chain.chip(i).nonces_found;
	return n;
}

} // namespace

BOOST_AUTO_TEST_CASE(bm1397_nonces_verify_against_their_midstates)
{
	Rig rig(config("bm1397", 3, kZeroBits));
	rig.enumerate(3, 0x40);
	rig.set_frequency(200);
	rig.send(bm::encode_job(midstate_job(0x24, block_header(), 4)));
	rig.run(5s);
	stop_and_drain(rig);

	const auto c = check_midstate_nonces(rig, 0x24, kZeroBits);
	BOOST_TEST(c.valid > 200u);
	BOOST_TEST(c.invalid == 0u);
	BOOST_TEST(c.subids.size() == 4u); // all four midstates are searched
	BOOST_TEST(c.per_address.size() == 3u);
	for (unsigned a : {0x00u, 0x40u, 0x80u})
		BOOST_TEST(c.per_address.at(a) > 30u);
	BOOST_TEST(found_total(rig) == c.valid);
	BOOST_TEST(rig.parser.stats().crc_errors == 0u);
}

BOOST_AUTO_TEST_CASE(header_job_nonces_verify_with_their_rolled_versions)
{
	for (const char *family : {"bm1366", "bm1370"}) {
		Rig rig(config(family, 4, kZeroBits));
		rig.enumerate(4, 0x40);
		rig.set_frequency(150);
		const auto job = header_job(0x18, block_header());
		rig.send(bm::encode_job(job));
		rig.run(4s);
		stop_and_drain(rig);

		const auto c = check_header_nonces(rig, job, kZeroBits);
		BOOST_TEST(c.valid > 200u);
		BOOST_TEST(c.invalid == 0u);
		BOOST_TEST(c.versions.size() > 5u); // the chips roll the version themselves
		BOOST_TEST(c.subids.size() > 4u);
		BOOST_TEST(c.per_address.size() == 4u);
		BOOST_TEST(found_total(rig) == c.valid);
	}
}

BOOST_AUTO_TEST_CASE(hashing_pace_follows_the_pll)
{
	Rig rig(config("bm1397", 1, kZeroBits));
	const auto &f = rig.model();
	rig.send(bm::encode_job(midstate_job(0, block_header(), 1)));
	rig.run(10ms); // the job is in before the PLL write goes out
	std::uint64_t hashes[2];
	std::size_t nonces[2];
	const double freqs[2] = {100, 400};
	for (int i = 0; i < 2; ++i) {
		rig.set_frequency(freqs[i]);
		rig.frames.clear();
		const auto h0 = rig.chain.chip(0).hashes;
		rig.run(20s);
		hashes[i] = rig.chain.chip(0).hashes - h0;
		nonces[i] = rig.nonces().size();
		// Exactly the scaled nominal rate (the fractional carry is kept).
		const double expect =
		    20 * std::ldexp(f.hashes_per_second(freqs[i]), int(kZeroBits) - 32);
		BOOST_TEST(std::fabs(double(hashes[i]) - expect) <= 1.0);
	}
	BOOST_TEST(rig.chain.nominal_hashes() ==
	           std::ldexp(double(rig.chain.chip(0).hashes), 32 - int(kZeroBits)));
	// Nonces come at the real chip's rate: nominal / 2^32 a second, ~312 and ~1250 here.
	const double ratio = double(nonces[1]) / double(nonces[0]);
	BOOST_TEST(nonces[0] > 200u);
	BOOST_TEST(ratio > 3.2);
	BOOST_TEST(ratio < 4.8);
}

BOOST_AUTO_TEST_CASE(ticket_mask_keeps_only_the_harder_nonces)
{
	auto mine = [](unsigned k) {
		Rig rig(config("bm1366", 2, kZeroBits));
		rig.enumerate(2, 0x80);
		rig.set_frequency(300);
		rig.write(true, 0, kRegTicketMask, bm::ticket_mask_for_difficulty_log2(k));
		rig.send(bm::encode_job(header_job(0x08, block_header())));
		rig.run(4s);
		stop_and_drain(rig);
		std::set<std::pair<std::uint32_t, std::uint16_t>> out;
		for (const auto &n : rig.nonces())
			out.insert({n.nonce, *n.version_bits});
		return out;
	};
	const auto easy = mine(0);
	const auto hard = mine(3);
	BOOST_TEST(easy.size() > 200u);
	BOOST_TEST(!hard.empty());
	// The same search, so the harder set is exactly the easy nonces with 3 more zero bits.
	const auto job = header_job(0x08, block_header());
	std::set<std::pair<std::uint32_t, std::uint16_t>> expect;
	for (const auto &[nonce, bits] : easy)
		if (zeros_of(with_version_nonce(block_header(),
		                                job.version | std::uint32_t(bits) << 13, nonce)) >=
		    int(kZeroBits) + 3)
			expect.insert({nonce, bits});
	BOOST_TEST((hard == expect));
}

BOOST_AUTO_TEST_CASE(a_new_job_replaces_the_old_and_restarts_the_search)
{
	const auto h = block_header();
	auto first_job = midstate_job(0x04, h, 1);
	auto second = midstate_job(0x08, with_version_nonce(h, 0x20000000, 0), 1);
	auto mine = [&](bool send_first) {
		Rig rig(config("bm1397", 1, kZeroBits));
		rig.set_frequency(400);
		if (send_first)
			rig.send(bm::encode_job(first_job));
		rig.run(3s);
		rig.frames.clear();
		rig.send(bm::encode_job(second));
		rig.run(3s);
		stop_and_drain(rig);
		return rig.nonces();
	};
	const auto after_first = mine(true);
	const auto fresh = mine(false);
	BOOST_TEST(fresh.size() > 100u);
	std::vector<bm::NonceReply> second_only;
	for (const auto &n : after_first)
		if ((n.job_byte & ~0x03) == 0x08)
			second_only.push_back(n);
	// Apart from the old job's last few replies still on the line, the chip behaves
	// exactly as if the second job were its first.
	BOOST_TEST(after_first.size() - second_only.size() < 5u);
	BOOST_TEST((second_only == fresh));
}

BOOST_AUTO_TEST_CASE(wrong_nonces_appear_only_over_the_frequency_limit)
{
	auto mine = [](double mhz) {
		auto c = config("bm1397", 2, kZeroBits);
		c.freq_limit_mhz = 300;
		auto rig = std::make_unique<Rig>(c);
		rig->enumerate(2, 0x80);
		rig->set_frequency(mhz);
		rig->send(bm::encode_job(midstate_job(0x10, block_header(), 4)));
		rig->run(4s);
		stop_and_drain(*rig);
		return rig;
	};
	const auto below = mine(275);
	const auto cb = check_midstate_nonces(*below, 0x10, kZeroBits);
	BOOST_TEST(cb.valid > 100u);
	BOOST_TEST(cb.invalid == 0u);
	BOOST_TEST(below->chain.chip(0).nonces_wrong + below->chain.chip(1).nonces_wrong == 0u);

	// 330 MHz: p = 4 * 30 / 300 = 0.4.
	const auto above = mine(330);
	const auto ca = check_midstate_nonces(*above, 0x10, kZeroBits);
	const auto wrong = above->chain.chip(0).nonces_wrong + above->chain.chip(1).nonces_wrong;
	BOOST_TEST(ca.invalid == wrong); // every corrupted nonce fails the host's check
	const double share = double(wrong) / double(ca.valid + ca.invalid);
	BOOST_TEST(share > 0.25);
	BOOST_TEST(share < 0.55);
	// Still attributable: only free nonce bits are flipped.
	BOOST_TEST(ca.per_address.size() == 2u);
}

namespace {

struct AlwaysWrong final : hbsim::ChipPhysics {
	double wrong_nonce_probability(const hbsim::ChipConditions &c) const override
	{
		return c.position == 1 ? 1.0 : 0.0;
	}
};

} // namespace

BOOST_AUTO_TEST_CASE(physics_seam_decides_per_chip)
{
	auto c = config("bm1397", 2, kZeroBits);
	c.physics = std::make_shared<AlwaysWrong>();
	Rig rig(c);
	rig.enumerate(2, 0x80);
	rig.set_frequency(200);
	rig.send(bm::encode_job(midstate_job(0x10, block_header(), 1)));
	rig.run(3s);
	stop_and_drain(rig);
	const auto h = block_header();
	unsigned good0 = 0, bad1 = 0;
	for (const auto &n : rig.nonces()) {
		const bool ok = zeros_of(with_version_nonce(h, 1, n.nonce)) >= int(kZeroBits);
		const auto addr =
		    *sd::nonce_chip_address(rig.model(), sd::byteswap32(n.nonce), false);
		BOOST_TEST(ok == (addr == 0));
		(addr == 0 ? good0 : bad1) += 1;
	}
	BOOST_TEST(good0 > 50u);
	BOOST_TEST(bad1 > 50u);
	BOOST_TEST(rig.chain.chip(1).nonces_wrong == rig.chain.chip(1).nonces_found);
}

BOOST_AUTO_TEST_CASE(mute_and_dead_chips_send_no_nonces)
{
	auto c = config("bm1397", 4, kZeroBits);
	c.faults.mute_chip = 1;
	c.faults.dead_chip = 3;
	Rig rig(c);
	rig.enumerate(4, 0x40);
	rig.set_frequency(200);
	rig.send(bm::encode_job(midstate_job(0x0C, block_header(), 1)));
	rig.run(3s);
	const auto ch = check_midstate_nonces(rig, 0x0C, kZeroBits);
	BOOST_TEST(ch.invalid == 0u);
	BOOST_TEST(ch.per_address.size() == 2u);
	BOOST_TEST(ch.per_address.count(0x00) == 1u);
	BOOST_TEST(ch.per_address.count(0x80) == 1u);
	BOOST_TEST(rig.chain.chip(3).hashes == 0u);
}

BOOST_AUTO_TEST_CASE(jobs_of_the_other_format_are_ignored)
{
	Rig rig(config("bm1397", 1, kZeroBits));
	rig.send(bm::encode_job(header_job(0x08, block_header())));
	rig.run(2s);
	BOOST_TEST(rig.chain.chip(0).hashes == 0u);
	Rig hdr(config("bm1366", 1, kZeroBits));
	hdr.send(bm::encode_job(midstate_job(0x08, block_header(), 1)));
	hdr.run(2s);
	BOOST_TEST(hdr.chain.chip(0).hashes == 0u);
}

BOOST_AUTO_TEST_CASE(hash_counter_register_counts_nominal_hashes)
{
	Rig rig(config("bm1366", 1, kZeroBits));
	rig.enumerate(1, 0);
	rig.set_frequency(400);
	rig.send(bm::encode_job(header_job(0x08, block_header())));
	rig.run(3s);
	stop_and_drain(rig);
	const auto hashes = rig.chain.chip(0).hashes;
	const auto r = rig.read(false, 0, kRegHashCounter);
	BOOST_REQUIRE(r.size() == 1u);
	// One count per 2^32 nominal hashes; one hash here stands for 2^(32 - 8).
	BOOST_TEST(r[0].value == hashes >> kZeroBits);
	BOOST_TEST(r[0].value > 100u);
}

BOOST_AUTO_TEST_CASE(a_congested_line_drops_nonces_instead_of_queueing_forever)
{
	// 16 fast chips at the reset baud find far more than the line can carry.
	Rig rig(config("bm1370", 16, 2));
	rig.enumerate(16, 16);
	rig.set_frequency(500);
	rig.send(bm::encode_job(header_job(0x18, block_header())));
	rig.run(10s);
	const std::size_t during = rig.raw.size();
	stop_and_drain(rig);
	const std::size_t backlog = rig.raw.size() - during;
	const double line_bytes_per_s = kResetBaud / kBitsPerByte;
	BOOST_TEST(double(during) <= 10.2 * line_bytes_per_s);
	const std::size_t len = bm::kRollingReplyLen;
	BOOST_TEST(found_total(rig) * len > 2 * rig.raw.size()); // most were dropped
	BOOST_TEST(backlog < 4096u + 16u * len);                 // what was queued is bounded
}
