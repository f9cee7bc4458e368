// SPDX-License-Identifier: MIT
//
// Capture conformance of the HAL's bring-up: Chain::bring_up() on a single BM1370 emits
// the host traffic of the Bitaxe Gamma capture, and on a 65-chip BM1370 chain that of
// the S21 Pro capture (tests/vectors/bm13xx_captures.json, init_sequences), write for
// write and in order, timing aside. The chips are played by a scripted responder that
// only answers chip-id reads, so what is checked is what the HAL sends, nothing else.
// Addressed reads of register 0 are the HAL's own probes (break localisation) and are
// left out of the comparison; where the capture does not publish the order inside a
// step (the S21 Pro per-chip pass and domain relays) that step is compared as a set.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chain.hpp>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

namespace bm = hashboard::bm13xx;
using hashboard::Bytes;
using hashboard::ByteSpan;
using hashboard::Duration;

namespace {

std::string hex8(unsigned v)
{
	char b[8];
	std::snprintf(b, sizeof b, "0x%02X", v & 0xFF);
	return b;
}
std::string hex32(std::uint32_t v)
{
	char b[16];
	std::snprintf(b, sizeof b, "0x%08X", v);
	return b;
}

std::string write_line(const std::string &target, unsigned reg, std::uint32_t value)
{
	return "write " + target + " " + hex8(reg) + "=" + hex32(value);
}

// Answers what enumeration asks (chip-id reads), records every host frame.
class ScriptedChain final : public hashboard::Transport {
public:
	ScriptedChain(hashboard::VirtualClock &clock, std::uint16_t chip_id, unsigned chips)
	    : clock_(clock), chip_id_(chip_id), chips_(chips)
	{
	}

	void write(ByteSpan data) override
	{
		parser_.feed(data, [&](const bm::HostFrame &f) { on_frame(f); });
	}
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override
	{
		if (rx_.empty()) {
			clock_.sleep_for(timeout);
			return 0;
		}
		std::size_t n = 0;
		while (n < buf.size() && !rx_.empty()) {
			buf[n++] = rx_.front();
			rx_.pop_front();
		}
		return n;
	}
	void set_baud(std::uint32_t baud) override { baud_ = baud; }
	std::uint32_t baud() const override { return baud_; }
	void flush_input() override { rx_.clear(); }
	std::string describe() const override { return "scripted"; }

	// The frames, as comparable lines; addressed reg-0 reads (probes) left out.
	std::vector<std::string> lines;

private:
	void reply(std::uint8_t address)
	{
		const Bytes r = bm::encode_reply(
		    bm::RegisterReply{std::uint32_t(chip_id_) << 16 | address, address, 0x00},
		    rolling_ ? 11 : 9);
		rx_.insert(rx_.end(), r.begin(), r.end());
	}
	void add(std::string line) { lines.push_back(std::move(line)); }
	void on_frame(const bm::HostFrame &f)
	{
		if (const auto *w = std::get_if<bm::WriteRegister>(&f)) {
			add(write_line(w->all ? "all" : hex8(w->chip), w->reg, w->value));
			if (w->reg == 0xA4 && (w->value >> 31))
				rolling_ = true;
		} else if (const auto *r = std::get_if<bm::ReadRegister>(&f)) {
			if (r->reg != 0x00)
				add("read " + hex8(r->reg));
			else if (r->all) {
				add("read all 0x00");
				for (unsigned i = 0; i < chips_; ++i)
					reply(0);
			} else if (std::find(addresses_.begin(), addresses_.end(), r->chip) !=
			           addresses_.end()) {
				reply(r->chip);
			}
		} else if (const auto *a = std::get_if<bm::SetAddress>(&f)) {
			add("set_address " + hex8(a->address));
			if (addresses_.size() < chips_)
				addresses_.push_back(a->address);
		} else if (std::holds_alternative<bm::ChainInactive>(f)) {
			add("chain_inactive");
		} else {
			add("job");
		}
	}

	hashboard::VirtualClock &clock_;
	std::uint16_t chip_id_;
	unsigned chips_;
	std::uint32_t baud_ = hashboard::kResetHostBaud;
	bool rolling_ = false;
	bm::HostParser parser_;
	std::deque<std::uint8_t> rx_;
	std::vector<std::uint8_t> addresses_;
};

std::uint32_t num(const boost::json::value &v)
{
	return std::uint32_t(std::stoul(std::string(v.as_string()), nullptr, 16));
}

const boost::json::object &sequence(const char *name)
{
	return hbtest::captures().at("init_sequences").at(name).as_object();
}

using hbtest::captures;

// One expected segment: lines in order, or (ordered = false) as a set.
struct Segment {
	std::vector<std::string> lines;
	bool ordered = true;
};

void append_write(std::vector<Segment> &out, const boost::json::object &st)
{
	const std::string target =
	    std::string(st.at("target").as_string()) == "broadcast" ? "all" : "0x00";
	const unsigned repeat = st.contains("repeat") ? unsigned(st.at("repeat").as_int64()) : 1;
	for (unsigned i = 0; i < repeat; ++i)
		out.push_back({{write_line(target, num(st.at("reg")), num(st.at("value")))}});
}

struct Traffic {
	std::vector<std::string> lines;
	std::uint32_t final_host_baud;
};

// Runs bring_up on a scripted chain and returns what the HAL sent.
Traffic run(hashboard::VirtualClock &clock, hashboard::ChainConfig cfg, double mhz)
{
	ScriptedChain chain(clock, cfg.family->chip_id, cfg.expected_chips);
	hashboard::Chain hal(chain, clock, cfg);
	const auto scan = hal.bring_up(std::vector<double>(cfg.expected_chips, mhz));
	BOOST_TEST_REQUIRE(scan.ok());
	return {chain.lines, chain.baud()};
}

// Compares lines against segments; reports the first difference.
void compare(const std::vector<std::string> &got, const std::vector<Segment> &want)
{
	std::size_t at = 0;
	for (std::size_t s = 0; s < want.size(); ++s) {
		const auto &seg = want[s];
		BOOST_TEST_REQUIRE(at + seg.lines.size() <= got.size(),
		                   "HAL traffic ended before expected segment "
		                       << s << " (" << seg.lines.front() << ")");
		std::vector<std::string> g(got.begin() + long(at),
		                           got.begin() + long(at + seg.lines.size()));
		std::vector<std::string> w = seg.lines;
		if (!seg.ordered) {
			std::sort(g.begin(), g.end());
			std::sort(w.begin(), w.end());
		}
		for (std::size_t i = 0; i < w.size(); ++i)
			BOOST_TEST_REQUIRE(
			    g[i] == w[i], "frame " << at + i << " (segment " << s << "): HAL sent '"
			                           << g[i] << "', capture has '" << w[i] << "'");
		at += seg.lines.size();
	}
	BOOST_TEST(at == got.size(), "HAL sent " << got.size() - at << " frame(s) more");
}

} // namespace

BOOST_AUTO_TEST_CASE(single_bm1370_follows_the_bitaxe_gamma_capture)
{
	const auto &seq = sequence("BM1370_bitaxe_gamma_single_chip");
	BOOST_TEST(std::string(seq.at("kind").as_string()) == "capture");
	std::vector<Segment> want;
	for (const auto &v : seq.at("steps").as_array()) {
		const auto &st = v.as_object();
		const std::string op(st.at("op").as_string());
		if (op == "write") {
			append_write(want, st);
		} else if (op == "read") {
			want.push_back({{"read all 0x00"}});
		} else if (op == "chain_inactive") {
			want.push_back({{"chain_inactive"}});
		} else if (op == "set_address") {
			for (const auto &a : st.at("addresses").as_array())
				want.push_back({{"set_address " + hex8(num(a))}});
		} else if (op == "pll_ramp") {
			// Captured: the first and last words; the steps between are the capture-era
			// solver's (derived, and checked to reproduce both endpoints).
			const auto &words = captures()
			                        .at("pll_words")
			                        .at("BM1370_derived_capture_era_ramp")
			                        .at("words")
			                        .as_array();
			BOOST_TEST(num(words.front().at("word")) == num(st.at("first_word")));
			BOOST_TEST(num(words.back().at("word")) == num(st.at("last_word")));
			for (const auto &w : words)
				want.push_back({{write_line("all", 0x08, num(w.at("word")))}});
		} else {
			BOOST_FAIL("unexpected step " << op);
		}
	}

	hashboard::VirtualClock clock;
	hashboard::ChainConfig cfg;
	cfg.family = &hashboard::family_by_name("bm1370");
	cfg.expected_chips = 1;
	cfg.style = hashboard::BringupStyle::open_firmware;
	cfg.baud = 1000000;
	cfg.hash_counting = 0x1EB5; // what ESP-Miner wrote at the time of the capture
	const Traffic t = run(clock, cfg, 525);
	compare(t.lines, want);
	// The host follows the chips to their 1,041,667 Bd after the 0x28 write.
	BOOST_TEST(t.final_host_baud == 1041667u);
}

BOOST_AUTO_TEST_CASE(bm1370_chain_of_65_follows_the_s21_pro_capture)
{
	const auto &seq = sequence("BM1370_s21pro_multi_chip");
	BOOST_TEST(std::string(seq.at("kind").as_string()) == "capture");
	constexpr unsigned kChips = 65, kPerDomain = 5;
	std::vector<Segment> want;
	Segment chip_pass{{}, false};
	auto flush_pass = [&] {
		if (chip_pass.lines.empty())
			return;
		// Each chip's writes in the step order; chip by chip (ESP-Miner's order: the
		// capture does not say).
		want.push_back(chip_pass);
		chip_pass.lines.clear();
	};
	for (const auto &v : seq.at("steps").as_array()) {
		const auto &st = v.as_object();
		const std::string op(st.at("op").as_string());
		const std::string target =
		    st.contains("target") ? std::string(st.at("target").as_string()) : "";
		if (op == "write" && target == "each_chip") {
			for (unsigned i = 0; i < kChips; ++i)
				chip_pass.lines.push_back(write_line(hex8(2 * i), num(st.at("reg")),
				                                     num(st.at("value"))));
			continue;
		}
		flush_pass();
		if (op == "write") {
			append_write(want, st);
		} else if (op == "read") {
			want.push_back({{"read all 0x00"}});
		} else if (op == "chain_inactive") {
			want.push_back({{"chain_inactive"}});
		} else if (op == "set_address") {
			// 128 commands at interval 2, whatever the chain's length.
			for (unsigned a = 0; a < 256; a += 2)
				want.push_back({{"set_address " + hex8(a)}});
		} else if (op == "domain_config") {
			Segment dom{{}, false};
			const auto &writes = st.at("writes").as_array();
			for (const auto &d : writes.back().at("per_domain").as_array()) {
				dom.lines.push_back(
				    write_line(std::string(d.at("last_chip_addr").as_string()),
				               0x58, num(d.at("reg_0x58_last_chip"))));
				dom.lines.push_back(
				    write_line(std::string(d.at("first_chip_addr").as_string()),
				               0x2C, num(d.at("reg_0x2C_value"))));
				dom.lines.push_back(
				    write_line(std::string(d.at("last_chip_addr").as_string()),
				               0x2C, num(d.at("reg_0x2C_value"))));
			}
			dom.lines.push_back(write_line("all", 0x68, num(writes[1].at("value"))));
			want.push_back(dom);
		} else if (op == "pll_ramp") {
			// Captured endpoints; every step of 6.25 MHz between them is one write.
			const double first = st.at("first_mhz").as_double();
			const double last = st.at("last_mhz").as_double();
			const auto &fam = hashboard::family_by_name("bm1370");
			for (double f = first; f <= last + 1e-9; f += 6.25)
				want.push_back({{write_line(
				    "all", 0x08,
				    hashboard::pll_register_value(
				        fam, *hashboard::pll_for_frequency(fam, f)))}});
			BOOST_TEST(
			    want[want.size() - std::size_t((last - first) / 6.25) - 1].lines[0] ==
			    write_line("all", 0x08, num(st.at("first_word"))));
			BOOST_TEST(want.back().lines[0] ==
			           write_line("all", 0x08, num(st.at("last_word"))));
		} else if (op == "job") {
			// The capture shows one job before the offsets; bring-up sends none (work
			// comes from the pool after it). Not compared.
		} else if (op == "chip_nonce_offset") {
			for (const auto &c : st.at("all_values").as_array())
				want.push_back(
				    {{write_line(std::string(c.at("chip_addr").as_string()), 0x0C,
				                 num(c.at("value")))}});
		} else {
			BOOST_FAIL("unexpected step " << op);
		}
	}
	flush_pass();

	hashboard::VirtualClock clock;
	hashboard::ChainConfig cfg;
	cfg.family = &hashboard::family_by_name("bm1370");
	cfg.expected_chips = kChips;
	cfg.style = hashboard::BringupStyle::factory;
	cfg.baud = 3125000;
	cfg.hash_counting = 0x1EB5; // the board's factory value (capture)
	cfg.chips_per_domain = kPerDomain;
	const Traffic t = run(clock, cfg, 600);
	compare(t.lines, want);
	BOOST_TEST(t.final_host_baud == 3125000u);
}

BOOST_AUTO_TEST_CASE(computed_hash_counting_number_matches_open_firmware)
{
	// ESP-Miner's formula examples (derived in the vectors from its source).
	const auto &examples = captures()
	                           .at("factory_values")
	                           .at("hash_counting_number_formula")
	                           .at("examples_derived");
	unsigned checked = 0;
	for (const auto &e : examples.as_array()) {
		if (!e.as_object().contains("mhz"))
			continue;
		const std::string family = "bm" + std::string(e.at("family").as_string()).substr(2);
		const auto &fam = hashboard::family_by_name(family);
		BOOST_TEST(hashboard::hash_counting_number(fam, unsigned(e.at("chips").as_int64()),
		                                           double(e.at("mhz").as_int64())) ==
		               num(e.at("value")),
		           family << " x" << e.at("chips").as_int64());
		++checked;
	}
	BOOST_TEST(checked == 6u);
}

BOOST_AUTO_TEST_CASE(factory_hash_counting_numbers_give_the_published_epochs)
{
	for (const auto &e :
	     captures().at("factory_values").at("hash_counting_number_0x10").as_array()) {
		const auto &o = e.as_object();
		if (!o.contains("epoch_s"))
			continue;
		const std::string chip(o.at("chip").as_string());
		// BM1362 has BM1366's 8 small cores a core.
		const auto &fam =
		    hashboard::family_by_name(chip == "BM1362" ? "bm1366" : "bm" + chip.substr(2));
		const double epoch =
		    hashboard::to_seconds(hashboard::hash_counting_epoch(fam, num(o.at("value"))));
		BOOST_TEST(std::abs(epoch - o.at("epoch_s").as_double()) < 0.01,
		           o.at("machine").as_string() << ": " << epoch);
	}
}
