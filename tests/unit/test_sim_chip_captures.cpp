// SPDX-License-Identifier: MIT
// Replays the captured host traffic of real BM1370 bring-ups (Bitaxe Gamma, 1 chip;
// S21 Pro, 65 chips) into a simulated chain, frame for frame from the JSON, and checks
// that the chips answer as the captured ones did and then mine honest, well-formed
// nonces.
#include <boost/test/unit_test.hpp>

#include "nonce_search.hpp"
#include "sim_rig.hpp"

#include <hbtest.hpp>

#include <map>
#include <string>

using namespace simtest;
namespace json = boost::json;

namespace {

constexpr unsigned kZeroBits = 8;
constexpr Duration kGap = 10ms; // factory pacing between configuration writes

const json::object &vectors()
{
	return hbtest::captures();
}

std::uint32_t hex_value(const json::value &v)
{
	return std::uint32_t(std::stoul(std::string(v.as_string()), nullptr, 16));
}

Bytes frame_of(const json::value &step)
{
	return hashboard::from_hex(std::string(step.at("frame").as_string()));
}

const json::array &steps(const char *sequence)
{
	return vectors().at("init_sequences").at(sequence).at("steps").as_array();
}

// Replies to one host frame, as raw bytes, with the time they took.
Bytes exchange(Rig &rig, const Bytes &frame, Duration wait)
{
	rig.raw.clear();
	rig.send(frame);
	rig.run(wait);
	return rig.raw;
}

void write_to(Rig &rig, bool all, std::uint8_t chip, std::uint8_t reg, std::uint32_t value)
{
	rig.send(bm::encode_write_register(all, chip, reg, value));
	rig.run(kGap);
}

// The mined nonces of a header job, checked as a host checks them.
struct Mined {
	unsigned valid = 0, invalid = 0;
	std::vector<std::uint32_t> nonces_be;
};

Mined check_nonces(const Rig &rig, const bm::HeaderJob &job, unsigned ticket_log2)
{
	const auto &m = rig.model();
	const std::uint32_t mask = 0xFFFFu << 13;
	Mined out;
	for (const auto &n : rig.nonces()) {
		const auto rh = sd::decode_result_header(m, n.job_byte);
		BOOST_TEST(rh.job_id == job.job_id);
		BOOST_REQUIRE(n.version_bits);
		BOOST_TEST(rh.sub == (*n.version_bits & 0xF)); // small core = version slot
		const std::uint32_t version =
		    (job.version & ~mask) | (std::uint32_t(*n.version_bits) << 13 & mask);
		const auto hash = hashboard::sha256::sha256d_header(
		    with_version_nonce(block_header(), version, n.nonce));
		const unsigned need = kZeroBits + ticket_log2;
		if (hashboard::hash_leading_zeros(hash) < int(need)) {
			++out.invalid;
			continue;
		}
		++out.valid;
		// Byte 4: half bits over the ticket (capture semantics).
		const double bits = sd::hash_bits(hash) - kZeroBits;
		BOOST_TEST(n.excess_difficulty == sd::excess_difficulty(m, bits, ticket_log2));
		out.nonces_be.push_back(sd::byteswap32(n.nonce));
	}
	return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(bitaxe_gamma_bring_up_replays_and_mines)
{
	Rig rig(config("bm1370", 1, kZeroBits));
	rig.parser.set_reply_len(bm::kRollingReplyLen); // the captures enable rolling first
	bool saw_chip_id = false;
	for (const auto &step : steps("BM1370_bitaxe_gamma_single_chip")) {
		const std::string op(step.at("op").as_string());
		if (op == "write" || op == "chain_inactive" || op == "read") {
			const unsigned repeat = step.as_object().contains("repeat")
			                            ? unsigned(step.at("repeat").as_int64())
			                            : 1;
			for (unsigned i = 0; i < repeat; ++i) {
				const Bytes got = exchange(rig, frame_of(step), kGap);
				if (op == "read") {
					// Capture: 11 bytes (after the 0xA4 writes), 13 70 00 00.
					BOOST_TEST(hashboard::to_hex(got) ==
					           hashboard::to_hex(hashboard::from_hex(
					               "AA55137000000000000010")));
					saw_chip_id = true;
				}
			}
			if (op == "write" && hex_value(step.at("reg")) == kRegUartBaud)
				rig.chain.set_host_baud(rig.t, 1'000'000); // as ESP-Miner does
		} else if (op == "set_address") {
			for (const auto &a : step.at("addresses").as_array())
				exchange(rig, bm::encode_set_address(std::uint8_t(hex_value(a))),
				         kGap);
		} else if (op == "pll_ramp") {
			const auto &words = vectors()
			                        .at("pll_words")
			                        .at("BM1370_derived_capture_era_ramp")
			                        .at("words")
			                        .as_array();
			BOOST_TEST(hex_value(words.front().at("word")) ==
			           hex_value(step.at("first_word")));
			BOOST_TEST(hex_value(words.back().at("word")) ==
			           hex_value(step.at("last_word")));
			for (const auto &w : words) {
				rig.send(bm::encode_write_register(true, 0, kRegPll0,
				                                   hex_value(w.at("word"))));
				rig.run(100ms);
			}
		}
	}
	BOOST_TEST(saw_chip_id);
	const auto v = rig.chain.chip(0);
	BOOST_TEST(v.freq_mhz == 525.0);
	BOOST_TEST(std::fabs(v.baud - 1'041'666.67) < 1);
	BOOST_TEST(v.reply_len == 11u);
	BOOST_TEST(v.hashing);

	// A job: the chip hashes and reports at ticket 2^8 (0x14 = 0xFF, from the capture).
	const auto job = header_job(0x68, block_header());
	rig.frames.clear();
	rig.send(bm::encode_job(job));
	rig.run(40s);
	const auto mined = check_nonces(rig, job, 8);
	BOOST_TEST(mined.invalid == 0u);
	BOOST_TEST(mined.valid > 10u);
	for (const auto &n : rig.nonces())
		BOOST_TEST((n.job_byte & 0xF0) == 0xD0); // job 0x68 as the chip keeps it
	// One chip, no CHIP_NONCE_OFFSET: it counts from address 0 within its 2^18 sweep.
	for (const auto be : mined.nonces_be)
		BOOST_TEST(sd::nonce_counter_high(be) < 512u);
	BOOST_TEST(rig.parser.stats().crc_errors == 0u);
}

BOOST_AUTO_TEST_CASE(s21_pro_bring_up_replays_and_each_chip_mines_its_offset_range)
{
	constexpr unsigned kChips = 65;
	Rig rig(config("bm1370", kChips, kZeroBits));
	rig.parser.set_reply_len(bm::kRollingReplyLen); // the captures enable rolling first
	std::vector<std::uint8_t> addresses;
	std::vector<std::uint32_t> offsets;
	bm::HeaderJob job = header_job(0x28, block_header());
	unsigned chip_id_replies = 0;
	for (const auto &step : steps("BM1370_s21pro_multi_chip")) {
		const auto &o = step.as_object();
		const std::string op(o.at("op").as_string());
		const std::string target =
		    o.contains("target") ? std::string(o.at("target").as_string()) : "";
		if (op == "read") {
			rig.frames.clear();
			rig.send(frame_of(step));
			rig.run(300ms);
			for (const auto &r : rig.registers()) {
				BOOST_TEST(r.value == 0x13700000u);
				++chip_id_replies;
			}
		} else if ((op == "write" && target == "broadcast") || op == "chain_inactive") {
			if (op == "write" && hex_value(o.at("reg")) == kRegHashCounting)
				// The job is in, but 0x10 is still 0: nothing hashed yet.
				for (unsigned i = 0; i < kChips; ++i)
					BOOST_TEST(rig.chain.chip(i).hashes == 0u);
			const unsigned repeat =
			    o.contains("repeat") ? unsigned(o.at("repeat").as_int64()) : 1;
			for (unsigned i = 0; i < repeat; ++i)
				exchange(rig, frame_of(step), kGap);
			if (op == "write" && hex_value(o.at("reg")) == kRegUartBaud) {
				rig.run(60ms); // the factory host switches about 60 ms later
				rig.chain.set_host_baud(rig.t, 3'125'000);
			}
		} else if (op == "set_address") {
			// 128 commands at interval 2 whatever the chain length; the extra ones
			// find no taker.
			for (unsigned a = 0; a < 256; a += 2)
				exchange(rig, bm::encode_set_address(std::uint8_t(a)), kGap);
			for (unsigned i = 0; i < kChips; ++i)
				addresses.push_back(std::uint8_t(2 * i));
		} else if (op == "write" && target == "each_chip") {
			for (const auto a : addresses)
				write_to(rig, false, a, std::uint8_t(hex_value(o.at("reg"))),
				         hex_value(o.at("value")));
		} else if (op == "domain_config") {
			for (const auto &w : o.at("writes").as_array()) {
				const auto &wo = w.as_object();
				if (wo.contains("frame"))
					exchange(rig, frame_of(w), kGap);
				if (!wo.contains("per_domain"))
					continue;
				for (const auto &d : wo.at("per_domain").as_array()) {
					const auto first =
					    std::uint8_t(hex_value(d.at("first_chip_addr")));
					const auto last =
					    std::uint8_t(hex_value(d.at("last_chip_addr")));
					write_to(rig, false, last, 0x58,
					         hex_value(d.at("reg_0x58_last_chip")));
					write_to(rig, false, first, 0x2C,
					         hex_value(d.at("reg_0x2C_value")));
					write_to(rig, false, last, 0x2C,
					         hex_value(d.at("reg_0x2C_value")));
				}
			}
		} else if (op == "pll_ramp") {
			// Captured endpoints; the steps between them as the chip decodes them.
			const double first = o.at("first_mhz").to_number<double>();
			const double last = o.at("last_mhz").to_number<double>();
			BOOST_TEST(sd::pll_output_mhz(rig.model(), hex_value(o.at("first_word")),
			                              0) == first);
			write_to(rig, true, 0, kRegPll0, hex_value(o.at("first_word")));
			for (double f = first + 6.25; f < last; f += 6.25) {
				rig.send(bm::encode_write_register(true, 0, kRegPll0,
				                                   pll_word(rig.model(), f)));
				rig.run(100ms);
			}
			write_to(rig, true, 0, kRegPll0, hex_value(o.at("last_word")));
		} else if (op == "job") {
			rig.send(bm::encode_job(job));
			rig.run(kGap);
		} else if (op == "chip_nonce_offset") {
			for (const auto &v : o.at("all_values").as_array()) {
				const std::uint32_t value = hex_value(v.at("value"));
				write_to(rig, false, std::uint8_t(hex_value(v.at("chip_addr"))),
				         kRegChipNonceOffset, value);
				offsets.push_back(value & 0xFFFF);
			}
		}
	}
	BOOST_TEST(chip_id_replies == kChips);
	BOOST_REQUIRE(offsets.size() == kChips);
	for (unsigned i = 0; i < kChips; ++i) {
		const auto v = rig.chain.chip(i);
		BOOST_TEST(v.address == 2 * i);
		BOOST_TEST(v.baud == 3'125'000.0);
		BOOST_TEST(v.freq_mhz == 600.0);
		BOOST_TEST(v.hashing);
	}
	// A broadcast read at 3.125 MBd: all 65 answer, 11 bytes each.
	rig.frames.clear();
	rig.raw.clear();
	std::vector<std::uint64_t> found_before;
	for (unsigned i = 0; i < kChips; ++i)
		found_before.push_back(rig.chain.chip(i).nonces_found);
	rig.send(bm::encode_read_register(true, 0, 0x00));
	rig.run(50ms);
	BOOST_TEST(rig.registers().size() == kChips);

	// Mine: the job sent before the offsets and 0x10 is being hashed now.
	rig.run(3s);
	rig.write(true, 0, kRegPll0, 0);
	rig.run(200ms);
	const auto mined = check_nonces(rig, job, 8);
	BOOST_TEST(mined.invalid == 0u);
	BOOST_TEST(mined.valid > 100u);
	// Attribute each nonce by CHIP_NONCE_OFFSET range, as a host must: it lies within the
	// chip's own 2^18-nonce sweep from its offset, and the counts match what each chip
	// found.
	std::map<unsigned, std::uint64_t> per_chip;
	for (const auto be : mined.nonces_be) {
		const std::uint16_t high = sd::nonce_counter_high(be);
		unsigned chip = 0;
		while (chip + 1 < kChips && offsets[chip + 1] <= high)
			++chip;
		BOOST_TEST(high - offsets[chip] < 512u);
		++per_chip[chip];
	}
	BOOST_TEST(per_chip.size() > 50u);
	for (unsigned i = 0; i < kChips; ++i)
		BOOST_TEST(per_chip[i] == rig.chain.chip(i).nonces_found - found_before[i]);
	BOOST_TEST(rig.parser.stats().crc_errors == 0u);
}
