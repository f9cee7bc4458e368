// SPDX-License-Identifier: MIT
// The simulated chip's own reading of the facts, checked against every listed vector:
// PLL words, baud register values, and the captured nonce replies' fields.
#include <boost/test/unit_test.hpp>

#include "sim_rig.hpp"

#include <hbtest.hpp>

#include <cmath>
#include <string>

using namespace simtest;
namespace json = boost::json;

namespace {

const json::object &vectors()
{
	return hbtest::captures();
}

std::uint32_t hex_value(const json::value &v)
{
	return std::uint32_t(std::stoul(std::string(v.as_string()), nullptr, 16));
}

double number(const json::value &v)
{
	return v.to_number<double>();
}

// The simulated chip that stands for a family named in the vectors (the BM1362 shares
// the BM1366's layout and encodings).
const sd::ChipModel &model_for(std::string_view family)
{
	if (family.starts_with("BM1397"))
		return sd::chip_model("bm1397");
	if (family.starts_with("BM1370"))
		return sd::chip_model("bm1370");
	if (family.starts_with("BM1368"))
		return sd::chip_model("bm1368");
	return sd::chip_model("bm1366");
}

// BM1397 words are read with 0x70 = 0x0F0F0F00 (divide by 1), as firmware writes it.
constexpr std::uint32_t kDivideByOne = 0x0F0F0F00;

} // namespace

BOOST_AUTO_TEST_CASE(every_listed_pll_word_decodes_to_its_frequency)
{
	unsigned checked = 0;
	for (const auto &[key, list] : vectors().at("pll_words").as_object()) {
		const json::array *words = nullptr;
		if (list.is_array())
			words = &list.as_array();
		else if (list.is_object() && list.as_object().contains("words"))
			words = &list.at("words").as_array();
		if (!words)
			continue;
		const auto &m = model_for(key);
		for (const auto &e : *words) {
			const auto &o = e.as_object();
			const json::value *want = o.if_contains("freq_from_fields_mhz");
			if (!want || want->is_null())
				want = o.if_contains("actual_mhz");
			if (!want || want->is_null())
				continue;
			const std::uint32_t w = hex_value(o.at("word"));
			const double got = sd::pll_output_mhz(m, w, kDivideByOne);
			BOOST_TEST_INFO(key << " word 0x" << std::hex << w);
			BOOST_TEST(std::fabs(got - number(*want)) < 1e-3);
			++checked;
		}
	}
	BOOST_TEST(checked > 100u);
}

BOOST_AUTO_TEST_CASE(captured_pll_words_by_hand)
{
	const auto &b70 = sd::chip_model("bm1370");
	BOOST_TEST(sd::pll_output_mhz(b70, 0x50D20240, 0) == 525.0); // Bitaxe capture
	BOOST_TEST(sd::pll_output_mhz(b70, 0x50D20265, 0) == 62.5);  // Bitaxe capture
	BOOST_TEST(sd::pll_output_mhz(b70, 0x40A20255, 0) == 56.25); // S21 Pro capture
	BOOST_TEST(sd::pll_output_mhz(b70, 0x50C00230, 0) == 600.0); // S21 Pro capture
	BOOST_TEST(sd::pll_output_mhz(sd::chip_model("bm1366"), 0xC0540165, 0) == 50.0);
	const auto &b97 = sd::chip_model("bm1397");
	// Raw post dividers (firmware): gekko 200 MHz 3000/3/5; ESP-Miner 450 MHz 900/2/1.
	BOOST_TEST(sd::pll_output_mhz(b97, 0x40F00235, kDivideByOne) == 200.0);
	BOOST_TEST(sd::pll_output_mhz(b97, 0x40480221, kDivideByOne) == 450.0);
	// Reset pair (skot): 400 MHz raw, / (PLLDIV0 7 + 1).
	BOOST_TEST(sd::pll_output_mhz(b97, 0xC0600161, 0x03040607) == 50.0);
}

BOOST_AUTO_TEST_CASE(undefined_pll_words_give_no_clock)
{
	const auto &b70 = sd::chip_model("bm1370");
	BOOST_TEST(sd::pll_output_mhz(b70, 0, 0) == 0.0);          // PLLEN clear
	BOOST_TEST(sd::pll_output_mhz(b70, 0x10D20240, 0) == 0.0); // PLLEN clear
	BOOST_TEST(sd::pll_output_mhz(b70, 0x50D20040, 0) == 0.0); // REFDIV 0
	BOOST_TEST(sd::pll_output_mhz(b70, 0x40200140, 0) == 0.0); // VCO 800 MHz
	BOOST_TEST(sd::pll_output_mhz(b70, 0x40FF0140, 0) == 0.0); // VCO 6375 MHz
	const auto &b97 = sd::chip_model("bm1397");
	BOOST_TEST(sd::pll_output_mhz(b97, 0x40F00205, kDivideByOne) == 0.0); // POSTDIV1 0
	BOOST_TEST(sd::pll_output_mhz(b97, 0x40F00230, kDivideByOne) == 0.0); // POSTDIV2 0
}

BOOST_AUTO_TEST_CASE(every_listed_baud_value_decodes_to_its_rate)
{
	unsigned checked = 0;
	for (const auto &[key, entry] : vectors().at("baud").as_object()) {
		const auto &m = model_for(key);
		for (const auto &e : entry.at("values").as_array()) {
			const auto &o = e.as_object();
			if (o.at("baud").is_null())
				continue; // PLL-clocked UART: not modelled
			const std::uint32_t v = hex_value(o.at("value"));
			const double got = m.midstate_jobs() ? sd::uart_baud(m, v, 0)
			                                     : sd::uart_baud(m, 0x0000C100, v);
			BOOST_TEST_INFO(key << " value 0x" << std::hex << v);
			BOOST_TEST(std::fabs(got - number(o.at("baud"))) < 1.0);
			++checked;
		}
	}
	BOOST_TEST(checked == 9u);
	// 0x18 is no baud register on BM1366+.
	const auto &b66 = sd::chip_model("bm1366");
	BOOST_TEST(sd::uart_baud(b66, 0x00006031, 0x01301A00) == kResetBaud);
}

BOOST_AUTO_TEST_CASE(result_header_packs_per_generation)
{
	const auto &b70 = sd::chip_model("bm1370");
	const std::uint8_t b5 = sd::result_header(b70, 0x68, 0x9);
	BOOST_TEST(b5 == 0xD9);
	BOOST_TEST(sd::decode_result_header(b70, b5).job_id == 0x68);
	BOOST_TEST(sd::result_header(sd::chip_model("bm1366"), 0x48, 5) == 0x4D);
	BOOST_TEST(sd::result_header(sd::chip_model("bm1397"), 0x24, 3) == 0x27);
	// Byte 4 (capture): 0x0C at ticket 2^8 is 6 bits over it, 46 zero bits in all.
	BOOST_TEST(sd::excess_difficulty(b70, 8 + 6.2, 8) == 0x0C);
	BOOST_TEST(sd::excess_difficulty(sd::chip_model("bm1397"), 20, 8) == 0);
}

// Byte 5 is packed and unpacked from one layout a chip: every job id the chip keeps and
// every sub id come back as they went in.
BOOST_AUTO_TEST_CASE(result_header_round_trips_for_every_chip)
{
	struct Kept {
		const char *chip;
		std::uint8_t job_mask; // the job id bits the chip keeps
		unsigned subs;         // midstates or small cores in the field
	};
	for (const Kept k : {Kept{"bm1397", 0xFC, 4}, Kept{"bm1366", 0xF8, 8},
	                     Kept{"bm1368", 0x78, 16}, Kept{"bm1370", 0x78, 16}}) {
		const auto &m = sd::chip_model(k.chip);
		for (unsigned job = 0; job < 128; ++job)
			for (unsigned sub = 0; sub < k.subs; ++sub) {
				const auto rh = sd::decode_result_header(
				    m, sd::result_header(m, std::uint8_t(job), sub));
				BOOST_TEST(rh.job_id == (job & k.job_mask),
				           k.chip << " job " << job);
				BOOST_TEST(rh.sub == sub, k.chip << " sub " << sub);
			}
	}
}

BOOST_AUTO_TEST_CASE(captured_nonce_replies_decode_with_the_chips_layout)
{
	// CHIP_NONCE_OFFSET of each S21 Pro chip, for attribution by range.
	std::vector<std::uint32_t> offsets;
	for (const auto &step :
	     vectors().at("init_sequences").at("BM1370_s21pro_multi_chip").at("steps").as_array())
		if (step.at("op") == "chip_nonce_offset")
			for (const auto &v : step.at("all_values").as_array())
				offsets.push_back(hex_value(v.at("value")) & 0xFFFF);
	BOOST_REQUIRE(offsets.size() == 65u);

	unsigned checked = 0;
	for (const auto &e : vectors().at("nonce_replies").as_array()) {
		const auto &o = e.as_object();
		const std::string family(o.at("family").as_string());
		const auto &m = model_for(family);
		const auto &d = o.at("decoded").as_object();
		const Bytes frame = hashboard::from_hex(std::string(o.at("frame").as_string()));
		bm::ReplyParser parser(frame.size());
		std::vector<bm::NonceReply> got;
		parser.feed(frame, [&](const bm::ChipFrame &f) {
			if (const auto *n = std::get_if<bm::NonceReply>(&f))
				got.push_back(*n);
		});
		BOOST_TEST_INFO(o.at("id").as_string());
		BOOST_REQUIRE(got.size() == 1u);
		const auto &n = got[0];
		const std::uint32_t be = sd::byteswap32(n.nonce);
		BOOST_TEST(be == hex_value(o.at("nonce_read_big_endian")));
		const auto rh = sd::decode_result_header(m, n.job_byte);
		BOOST_TEST(rh.job_id == hex_value(d.at("job_id_host_form")));
		if (m.midstate_jobs()) {
			BOOST_TEST(rh.sub == number(d.at("midstate_index_esp_miner")));
			BOOST_TEST(sd::nonce_core(m, be) ==
			           number(d.at("core_id_bm13xx_rs_rule_31_24")));
			BOOST_TEST(*sd::nonce_chip_address(m, be, false) ==
			           hex_value(d.at("chip_addr_field_21_14_bm13xx_rs")));
			++checked;
			continue;
		}
		BOOST_TEST(rh.sub == number(d.at("small_core_id")));
		BOOST_TEST(sd::nonce_core(m, be) == number(d.at("core_id")));
		BOOST_REQUIRE(n.version_bits);
		BOOST_TEST(std::uint32_t(*n.version_bits) << 13 == hex_value(d.at("version_bits")));
		if (m.generation == sd::ChipGeneration::bm1366) {
			const json::value *addr = d.if_contains("chip_address");
			if (!addr || addr->is_null())
				addr = d.if_contains("chip_address_mujina_rule");
			BOOST_TEST(*sd::nonce_chip_address(m, be, true) == hex_value(*addr));
		} else {
			const std::uint16_t high = sd::nonce_counter_high(be);
			BOOST_TEST(high == hex_value(d.at("nonce_counter_bits_24_9")));
			// The small core hashes its own version: its id is the version's low bits.
			BOOST_TEST(rh.sub == (*n.version_bits & 0xF));
			if (const auto *idx = d.if_contains("derived_chip_index")) {
				unsigned chip = 0;
				while (chip + 1 < offsets.size() && offsets[chip + 1] <= high)
					++chip;
				BOOST_TEST(chip == number(*idx));
			} else if (const auto *single = d.if_contains("chip_index");
			           single && !single->is_null()) {
				// The Bitaxe's single chip counts from address 0 << 8 without an
				// offset: within its 2^18-nonce sweep.
				BOOST_TEST(number(*single) == 0.0);
				BOOST_TEST(high < 512u);
			}
		}
		++checked;
	}
	BOOST_TEST(checked == 9u);
}
