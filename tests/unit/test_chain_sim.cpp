// SPDX-License-Identifier: MIT
// The HAL's Chain against the in-process simulated chain, in virtual time.
#include <boost/test/unit_test.hpp>

#include "chain_rig.hpp"
#include "test_printing.hpp"

#include <hashboard/chain.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>
#include <hashboard/transport.hpp>
#include <hashboard/work.hpp>

#include <map>
#include <ostream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using namespace hashboard;
using namespace std::chrono_literals;

namespace {

struct Rig : hbtest::ChainRig {
	Rig(const std::string &family, unsigned chips, const std::string &extra = "",
	    unsigned zero_bits = 10)
	    // Every nonce the scaled-down chips find, so short runs see enough of them.
	    : ChainRig(family, chips, zero_bits, extra, [](ChainConfig &c) { c.ticket_log2 = 0; })
	{
	}
};

// An enumerated chain at its fastest baud, its chips at freq: ready for work.
void start_hashing(Rig &rig, double freq)
{
	rig.chain->set_baud(rig.chain->family().baud.max_baud);
	rig.chain->ramp_frequency(freq);
}

// Mines for `seconds` of virtual time with a new job every job_s; returns every event.
std::vector<NonceEvent> mine(Rig &rig, double freq, double seconds, double job_s = 0.5,
                             std::uint64_t seed = 7)
{
	start_hashing(rig, freq);
	SyntheticWorkSource src(seed);
	std::vector<NonceEvent> events;
	const Duration end = rig.clock.now() + std::chrono::duration_cast<Duration>(
	                                           std::chrono::duration<double>(seconds));
	const auto job = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(job_s));
	while (rig.clock.now() < end) {
		rig.chain->send_work(src.next());
		rig.chain->poll(std::min(job, end - rig.clock.now()),
		                [&](const NonceEvent &e) { events.push_back(e); });
	}
	return events;
}

} // namespace

BOOST_AUTO_TEST_CASE(enumerates_every_chip_in_chain_order)
{
	Rig rig("bm1366", 12);
	const auto scan = rig.chain->enumerate();
	BOOST_TEST(scan.ok());
	BOOST_TEST(scan.found() == 12u);
	BOOST_TEST(scan.broadcast_replies == 12u);
	BOOST_TEST(!scan.break_after.has_value());
	for (unsigned i = 0; i < 12; ++i) {
		BOOST_TEST(scan.chips[i].answered);
		BOOST_TEST(scan.chips[i].position == i);
		BOOST_TEST(scan.chips[i].address == i * 16u); // 256/12 -> step 16
		BOOST_TEST(scan.chips[i].chip_id == 0x1366);
	}
}

BOOST_AUTO_TEST_CASE(chain_break_is_located_exactly)
{
	for (unsigned k : {0u, 1u, 5u, 11u}) {
		Rig rig("bm1397", 12, "&dead=" + std::to_string(k));
		const auto scan = rig.chain->enumerate();
		BOOST_TEST(!scan.ok());
		BOOST_TEST_REQUIRE(scan.break_after.has_value());
		BOOST_TEST(*scan.break_after == k);
		BOOST_TEST(scan.found() == k);
		BOOST_TEST(scan.broadcast_replies == k);
		BOOST_TEST(scan.silent_positions.empty());
	}
}

BOOST_AUTO_TEST_CASE(mute_chip_is_told_apart_from_a_break)
{
	Rig rig("bm1368", 8, "&mute=3");
	const auto scan = rig.chain->enumerate();
	BOOST_TEST(!scan.ok());
	BOOST_TEST(!scan.break_after.has_value());
	BOOST_TEST(scan.found() == 7u);
	BOOST_TEST(scan.silent_positions == std::vector<unsigned>{3},
	           boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ticket_mask_reads_back_from_every_chip)
{
	Rig rig("bm1370", 4);
	rig.chain->enumerate();
	rig.chain->set_ticket_difficulty_log2(6);
	const auto back =
	    rig.chain->read_register(std::nullopt, family_by_name("bm1370").regs.ticket_mask);
	BOOST_TEST(back.size() == 4u);
	for (const auto &[addr, v] : back)
		BOOST_TEST(v == bm13xx::ticket_mask_for_difficulty_log2(6));
}

BOOST_AUTO_TEST_CASE(nonces_read_during_a_register_read_reach_the_next_poll)
{
	// A register read on a mining chain (counters, a ticket change) reads nonces while
	// it waits for its replies: each valid one reaches a sink, none only a counter.
	Rig rig("bm1370", 4);
	BOOST_TEST_REQUIRE(rig.chain->enumerate().ok());
	start_hashing(rig, 400);
	SyntheticWorkSource src(3);
	std::vector<NonceEvent> events;
	const auto sink = [&](const NonceEvent &e) { events.push_back(e); };
	bool held_seen = false;
	for (int i = 0; i < 20; ++i) {
		rig.chain->send_work(src.next());
		rig.chain->poll(50ms, sink);
		rig.chain->read_register(std::nullopt, rig.chain->family().regs.ticket_mask);
		held_seen = held_seen || rig.chain->has_held_nonces();
	}
	rig.chain->poll(0ms, sink);
	BOOST_TEST(held_seen); // the reads did see nonces: the case was exercised
	BOOST_TEST(!rig.chain->has_held_nonces());
	std::uint64_t valid = 0;
	for (const auto &s : rig.chain->chip_stats())
		valid += s.valid;
	std::uint64_t delivered = 0;
	for (const auto &e : events)
		delivered += e.verdict == NonceVerdict::valid;
	BOOST_TEST(valid > 0u);
	BOOST_TEST(delivered == valid);
	BOOST_TEST(rig.chain->stats().held_dropped == 0u);
}

BOOST_AUTO_TEST_CASE(ticket_changes_on_a_mining_chain_cost_no_hardware_errors)
{
	Rig rig("bm1370", 4);
	BOOST_TEST_REQUIRE(rig.chain->enumerate().ok());
	start_hashing(rig, 400);
	SyntheticWorkSource src(4);
	std::vector<NonceEvent> events;
	for (unsigned k : {0u, 3u, 1u, 4u, 0u}) {
		rig.chain->set_ticket_difficulty_log2(k);
		BOOST_TEST(rig.chain->ticket_difficulty_log2() == k);
		for (int i = 0; i < 4; ++i) {
			rig.chain->send_work(src.next());
			rig.chain->poll(100ms, [&](const NonceEvent &e) { events.push_back(e); });
		}
	}
	BOOST_TEST(events.size() > 20u);
	std::uint64_t hw = 0;
	for (const auto &s : rig.chain->chip_stats())
		hw += s.hw_errors;
	BOOST_TEST(hw == 0u);
}

BOOST_AUTO_TEST_CASE(every_nonce_checks_out_and_is_attributed)
{
	for (const char *family : {"bm1397", "bm1366", "bm1370"}) {
		BOOST_TEST_CONTEXT(family)
		{
			Rig rig(family, 3);
			BOOST_TEST_REQUIRE(rig.chain->enumerate().ok());
			const auto events = mine(rig, 200, 1.0);
			std::map<unsigned, unsigned> per_chip;
			std::set<std::tuple<std::uint8_t, std::uint32_t, std::uint32_t>> seen;
			for (const auto &e : events) {
				BOOST_TEST(e.verdict == NonceVerdict::valid);
				BOOST_TEST_REQUIRE(e.position.has_value());
				++per_chip[*e.position];
				// The chip the nonce's chip field (address, or BM1370 counter
				// range) names is the chip at that position.
				const unsigned pos = *e.position;
				if (rig.chain->family().nonce.attribution ==
				    ChipAttribution::address_field) {
					const unsigned a = rig.chain->chips()[pos].address;
					BOOST_TEST(e.identity.addr >= a);
					BOOST_TEST(e.identity.addr <
					           a + rig.chain->config().address_step);
				} else {
					const auto &starts = rig.chain->nonce_ranges();
					BOOST_TEST(e.identity.addr >= starts[pos]);
					if (pos + 1 < starts.size())
						BOOST_TEST(e.identity.addr < starts[pos + 1]);
				}
				// The reported version stays inside the rolling mask.
				BOOST_TEST((e.version & ~0x1fffe000u) == 0x20000000u);
				BOOST_TEST(hash_leading_zeros(e.hash) >= 10);
				BOOST_TEST(seen.emplace(e.job_id, e.nonce, e.version).second);
			}
			BOOST_TEST(per_chip.size() == 3u);
			for (const auto &[pos, n] : per_chip)
				BOOST_TEST(n > 10u);
		}
	}
}

BOOST_AUTO_TEST_CASE(bm1366_rolls_versions_and_host_rebuilds_them)
{
	Rig rig("bm1366", 1, "", 8);
	rig.chain->enumerate();
	// One long job: the chip must roll past its first version to keep finding nonces.
	const auto events = mine(rig, 400, 4.0, 4.0);
	std::set<std::uint32_t> versions;
	for (const auto &e : events) {
		BOOST_TEST(e.verdict == NonceVerdict::valid);
		versions.insert(e.version);
	}
	BOOST_TEST(versions.size() > 1u);
}

BOOST_AUTO_TEST_CASE(overclocked_chip_returns_hardware_errors)
{
	Rig slow("bm1366", 2, "&flimit=300");
	slow.chain->enumerate();
	const auto ok = mine(slow, 250, 1.0);
	for (const auto &e : ok)
		BOOST_TEST(e.verdict == NonceVerdict::valid);

	Rig fast("bm1366", 2, "&flimit=300");
	fast.chain->enumerate();
	// 10 % over the limit: with the default slope of 4, about 40 % of nonces go wrong.
	const auto events = mine(fast, 330, 1.0);
	unsigned hw = 0, valid = 0;
	for (const auto &e : events) {
		hw += e.verdict == NonceVerdict::hw_error;
		valid += e.verdict == NonceVerdict::valid;
	}
	BOOST_TEST(hw > 0u);
	BOOST_TEST(valid > 0u);
	unsigned counted = 0;
	for (const auto &s : fast.chain->chip_stats())
		counted += unsigned(s.hw_errors);
	BOOST_TEST(counted == hw);
}

BOOST_AUTO_TEST_CASE(same_seed_same_run)
{
	auto run = [](const std::string &seed) {
		Rig rig("bm1366", 3, "&seed=" + seed + "&ber=0.00001&flimit=300");
		rig.chain->enumerate();
		std::vector<std::tuple<int, std::uint32_t, std::uint32_t, std::int64_t>> out;
		for (const auto &e : mine(rig, 400, 1.0))
			out.emplace_back(int(e.verdict), e.nonce, e.version, e.when.count());
		return std::make_pair(out, rig.chain->stats().parser);
	};
	const auto a = run("5"), b = run("5"), c = run("6");
	BOOST_TEST(a.first.size() > 0u);
	BOOST_TEST((a.first == b.first));
	BOOST_TEST((a.second == b.second));
	BOOST_TEST((a.first != c.first));
}

BOOST_AUTO_TEST_CASE(send_work_before_enumerate_is_refused)
{
	Rig rig("bm1366", 1);
	SyntheticWorkSource src(1);
	BOOST_CHECK_THROW(rig.chain->send_work(src.next()), std::logic_error);
	// The state first (test_chain_states.cpp), then the arguments.
	rig.chain->enumerate();
	BOOST_CHECK_THROW(rig.chain->ramp_frequency(5000), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(per_chip_frequencies_set_each_chips_hashing_rate)
{
	Rig rig("bm1366", 3, "", 8);
	rig.chain->enumerate();
	BOOST_CHECK_THROW(rig.chain->ramp_chip_frequencies({100, 200}), std::invalid_argument);
	rig.chain->ramp_chip_frequencies({100, 200, 400});
	BOOST_TEST(rig.chain->frequency_mhz() == 400.0);
	SyntheticWorkSource src(3);
	std::map<unsigned, unsigned> per_chip;
	const Duration end = rig.clock.now() + Duration(std::chrono::seconds(10));
	while (rig.clock.now() < end) {
		rig.chain->send_work(src.next());
		rig.chain->poll(std::chrono::milliseconds(500), [&](const NonceEvent &e) {
			BOOST_TEST(e.verdict == NonceVerdict::valid);
			++per_chip[e.position.value()];
		});
	}
	// Nonces scale with frequency, 1 : 2 : 4; about 400 : 800 : 1600 nonces keeps the
	// Poisson noise of each ratio near 6 %.
	BOOST_TEST_MESSAGE("nonces per chip " << per_chip[0] << " " << per_chip[1] << " "
	                                      << per_chip[2]);
	BOOST_TEST(per_chip[0] > 50u);
	const double r1 = double(per_chip[1]) / per_chip[0];
	const double r2 = double(per_chip[2]) / per_chip[0];
	BOOST_TEST(r1 > 1.6);
	BOOST_TEST(r1 < 2.4);
	BOOST_TEST(r2 > 3.3);
	BOOST_TEST(r2 < 4.8);
}

BOOST_AUTO_TEST_CASE(chip_counters_agree_with_what_the_host_counted)
{
	Rig rig("bm1366", 2, "&flimit=300", 8);
	rig.chain->enumerate();
	const auto events = mine(rig, 320, 10.0);
	const auto counters = rig.chain->read_chip_counters();
	BOOST_TEST_REQUIRE(counters.size() == 2u);
	for (const auto &c : counters) {
		const ChipStats &s = rig.chain->chip_stats()[c.position];
		BOOST_TEST_REQUIRE(c.nominal_hashes.has_value());
		BOOST_TEST_REQUIRE(c.nonce_errors.has_value());
		// Every wrong nonce the chip sent arrived and failed the host's check.
		BOOST_TEST(*c.nonce_errors == s.hw_errors);
		BOOST_TEST(s.hw_errors > 0u);
		// The host credits (valid + wrong) nonces x 2^32 on average for every 2^32
		// hashes; the chip counted its hashes since reset, including the ramp.
		const double host = std::ldexp(double(s.valid + s.hw_errors), 32);
		BOOST_TEST(host / *c.nominal_hashes > 0.8);
		BOOST_TEST(host / *c.nominal_hashes < 1.1);
	}
}

BOOST_AUTO_TEST_CASE(stale_and_duplicate_nonces_are_classified)
{
	Rig rig("bm1366", 1, "", 8);
	rig.chain->enumerate();
	rig.chain->ramp_frequency(400);
	SyntheticWorkSource src(11);
	// A job answered after live_jobs newer ones replaced it is stale: send one job, let
	// nonces queue on the wire unread, then send live_jobs more before reading.
	rig.chain->send_work(src.next());
	rig.clock.sleep_for(std::chrono::seconds(1));
	for (unsigned i = 0; i < rig.chain->config().live_jobs; ++i)
		rig.chain->send_work(src.next());
	std::map<NonceVerdict, unsigned> verdicts;
	rig.chain->poll(std::chrono::milliseconds(200),
	                [&](const NonceEvent &e) { ++verdicts[e.verdict]; });
	BOOST_TEST(verdicts[NonceVerdict::stale] > 0u);
	BOOST_TEST(rig.chain->chip_stats()[0].stale == verdicts[NonceVerdict::stale]);
}

BOOST_AUTO_TEST_CASE(no_duplicate_nonces_across_chips_over_a_long_run)
{
	for (const char *family : {"bm1397", "bm1366"}) {
		BOOST_TEST_CONTEXT(family)
		{
			Rig rig(family, 12, "", 8);
			BOOST_TEST_REQUIRE(rig.chain->enumerate().ok());
			// Long jobs (5 s) so every chip searches deep into the same job: any
			// overlap between chips' or cores' nonce spaces would show as the same
			// header twice.
			const auto events = mine(rig, 400, 30.0, 5.0);
			std::map<std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>, unsigned>
			    owner;
			unsigned valid = 0;
			for (const auto &e : events) {
				BOOST_TEST_REQUIRE(e.verdict == NonceVerdict::valid);
				++valid;
				const auto [it, fresh] = owner.emplace(
				    std::make_tuple(e.work_id, e.nonce, e.version), *e.position);
				BOOST_TEST(fresh, "nonce "
				                      << e.nonce << " from chip " << *e.position
				                      << " already came from chip " << it->second);
			}
			BOOST_TEST(valid > 12u * 30u * 10u);
		}
	}
}

namespace {

// Delivers every whole reply frame twice, as a retransmitting bridge would; the frames
// are cut from the chain's byte stream by length (11-byte BM1366 replies).
class DoublingTransport final : public Transport {
public:
	explicit DoublingTransport(Transport &inner) : inner_(inner) {}
	void write(ByteSpan d) override { inner_.write(d); }
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override
	{
		std::array<std::uint8_t, 256> in;
		const std::size_t n = inner_.read(in, timeout);
		pending_.insert(pending_.end(), in.begin(), in.begin() + long(n));
		while (pending_.size() >= kLen) {
			out_.insert(out_.end(), pending_.begin(), pending_.begin() + kLen);
			out_.insert(out_.end(), pending_.begin(), pending_.begin() + kLen);
			pending_.erase(pending_.begin(), pending_.begin() + kLen);
		}
		const std::size_t give = std::min(buf.size(), out_.size());
		std::copy_n(out_.begin(), give, buf.begin());
		out_.erase(out_.begin(), out_.begin() + long(give));
		return give;
	}
	void set_baud(std::uint32_t b) override { inner_.set_baud(b); }
	std::uint32_t baud() const override { return inner_.baud(); }
	void flush_input() override { inner_.flush_input(); }
	bool has_reset() const override { return inner_.has_reset(); }
	void set_reset(bool a) override { inner_.set_reset(a); }
	std::string describe() const override { return "doubling(" + inner_.describe() + ")"; }

private:
	static constexpr long kLen = 11;
	Transport &inner_;
	Bytes pending_, out_;
};

} // namespace

BOOST_AUTO_TEST_CASE(repeated_nonces_are_duplicates_not_credit)
{
	VirtualClock clock;
	auto sim = open_transport("sim:bm1366?chips=2&zero_bits=8", clock);
	ChainConfig cfg;
	cfg.family = &family_by_name("bm1366");
	cfg.expected_chips = 2;
	cfg.zero_bits = 8;
	cfg.ticket_log2 = 0;
	// BM1366 replies are 11 bytes from the first frame on (version rolling comes first),
	// so the doubling link keeps frames whole through enumeration too.
	DoublingTransport doubled(*sim);
	Chain chain(doubled, clock, cfg);
	BOOST_TEST_REQUIRE(chain.enumerate().ok());
	chain.ramp_frequency(400);
	SyntheticWorkSource src(5);
	std::map<NonceVerdict, unsigned> verdicts;
	for (int i = 0; i < 4; ++i) {
		chain.send_work(src.next());
		chain.poll(std::chrono::milliseconds(500),
		           [&](const NonceEvent &e) { ++verdicts[e.verdict]; });
	}
	BOOST_TEST(verdicts[NonceVerdict::valid] > 20u);
	// Every valid nonce came again right behind itself.
	BOOST_TEST(verdicts[NonceVerdict::duplicate] == verdicts[NonceVerdict::valid]);
	BOOST_TEST(verdicts[NonceVerdict::hw_error] == 0u);
	std::uint64_t dup = 0, valid = 0;
	for (const auto &s : chain.chip_stats()) {
		dup += s.duplicates;
		valid += s.valid;
	}
	BOOST_TEST(dup == verdicts[NonceVerdict::duplicate]);
	BOOST_TEST(valid == verdicts[NonceVerdict::valid]);
}

BOOST_AUTO_TEST_CASE(pool_version_mask_reaches_the_chips)
{
	// A pool granting a narrower mask: the chain rewrites 0xA4 before the job, so the
	// chips roll only those bits and every nonce still checks out.
	Rig rig("bm1370", 2);
	BOOST_TEST_REQUIRE(rig.chain->enumerate().ok());
	rig.chain->ramp_frequency(300);
	SyntheticWorkSource src(3);
	Work w = src.next();
	w.version = 0x20000000;
	w.version_mask = 0x00FFE000;
	rig.chain->send_work(w);
	BOOST_TEST(rig.chain->version_mask() == 0x00FFE000u);
	std::map<NonceVerdict, unsigned> verdicts;
	std::set<std::uint32_t> versions;
	rig.chain->poll(2s, [&](const NonceEvent &e) {
		++verdicts[e.verdict];
		versions.insert(e.version);
		BOOST_TEST((e.version & ~0x00FFE000u) == 0x20000000u);
	});
	BOOST_TEST(verdicts[NonceVerdict::valid] > 20u);
	BOOST_TEST(verdicts[NonceVerdict::hw_error] == 0u);
	BOOST_TEST(versions.size() > 5u);
}

BOOST_AUTO_TEST_CASE(job_pacing_follows_the_hash_counting_number)
{
	// BM1370: one epoch of the 0x10 the chain wrote; the S21 Pro's factory 0x1EB5 gives
	// the published 1.29 s.
	Rig b70("bm1370", 1);
	b70.chain->enumerate();
	b70.chain->ramp_frequency(525);
	BOOST_TEST(b70.chain->hash_counting_number() ==
	           hashboard::hash_counting_number(b70.chain->family(), 1, 525));
	BOOST_TEST(to_seconds(b70.chain->job_interval()) ==
	           to_seconds(hash_counting_epoch(b70.chain->family(),
	                                          b70.chain->hash_counting_number())));
	// 0x10 follows a frequency change.
	b70.chain->ramp_frequency(400);
	BOOST_TEST(b70.chain->hash_counting_number() ==
	           hashboard::hash_counting_number(b70.chain->family(), 1, 400));
	// BM1397 at 425 MHz: tens of milliseconds a job (one chip sweeps 2^32 nonces over 4
	// midstates), not 1 ms.
	Rig b97("bm1397", 1);
	b97.chain->enumerate();
	b97.chain->ramp_frequency(425);
	const double s = to_seconds(b97.chain->job_interval());
	BOOST_TEST(s > 0.03);
	BOOST_TEST(s < 0.1);
}
