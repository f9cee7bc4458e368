// SPDX-License-Identifier: MIT
// Decoded frames and register values -> named fields (hbctl frames, hbctl regs).
#include <hashboard/bm13xx/describe.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <string>

namespace hashboard::bm13xx {
namespace {

std::string hex_digits(unsigned v, int digits)
{
	return fmt::format("0x{:0{}x}", v, digits);
}

std::string fixed(double v, int decimals)
{
	return fmt::format("{:.{}f}", v, decimals);
}

Field number(std::string name, std::uint64_t v)
{
	return {std::move(name), v, std::to_string(v)};
}

Field hex8(std::string name, unsigned v)
{
	return {std::move(name), std::uint64_t(v), hex_digits(v & 0xFFu, 2)};
}

// Bit patterns go to JSON as strings: "0x0000f0ff" says more than 61695.
Field hex32(std::string name, std::uint32_t v)
{
	std::string s = hex_digits(v, 8);
	return {std::move(name), s, s};
}

Field hex16(std::string name, std::uint16_t v)
{
	std::string s = hex_digits(v, 4);
	return {std::move(name), s, s};
}

Field hash(std::string name, const Hash256 &h)
{
	std::string s = to_hex(h);
	return {std::move(name), s, s};
}

Field real(std::string name, double v, int decimals)
{
	return {std::move(name), v, fixed(v, decimals)};
}

Field text(std::string name, std::string s)
{
	return {std::move(name), s, s};
}

Field json_only(std::string name, std::string s)
{
	return {std::move(name), std::move(s), ""};
}

// Register as "pll0(0x08)" in text, its number and name separately in JSON.
void add_register(std::vector<Field> &out, const ChipFamily &family, std::uint8_t reg)
{
	const std::string_view name = register_name(family, reg);
	const std::string hex = hex_digits(reg, 2);
	out.push_back(
	    {"reg", std::uint64_t(reg), name.empty() ? hex : std::string(name) + "(" + hex + ")"});
	if (!name.empty())
		out.push_back(json_only("reg_name", std::string(name)));
}

void add_target(std::vector<Field> &out, bool all, std::uint8_t chip)
{
	if (all)
		out.push_back(text("chip", "all"));
	else
		out.push_back(hex8("chip", chip));
}

std::string midstate_hex(const std::array<std::uint32_t, 8> &state)
{
	return fmt::format("{:08x}", fmt::join(state, ""));
}

struct Describer {
	const ChipFamily &family;
	const DescribeState &state;
	FrameMeaning out;

	void operator()(const SetAddress &f)
	{
		out.kind = "set_address";
		out.fields.push_back(hex8("addr", f.address));
	}
	void operator()(const WriteRegister &f)
	{
		out.kind = "write_register";
		add_target(out.fields, f.all, f.chip);
		add_register(out.fields, family, f.reg);
		out.fields.push_back(hex32("value", f.value));
		for (auto &field : describe_register_value(family, f.reg, f.value, state))
			out.fields.push_back(std::move(field));
	}
	void operator()(const ReadRegister &f)
	{
		out.kind = "read_register";
		add_target(out.fields, f.all, f.chip);
		add_register(out.fields, family, f.reg);
	}
	void operator()(const ChainInactive &) { out.kind = "chain_inactive"; }
	void operator()(const MidstateJob &j)
	{
		out.kind = "midstate_job";
		out.fields.push_back(number("job_id", j.job_id));
		out.fields.push_back(number("midstates", j.midstates.size()));
		out.fields.push_back(hex32("starting_nonce", j.starting_nonce));
		out.fields.push_back(hex32("nbits", j.nbits));
		out.fields.push_back(hex32("ntime", j.ntime));
		out.fields.push_back(hex32("merkle_tail", j.merkle_tail));
		for (std::size_t i = 0; i < j.midstates.size(); ++i)
			out.fields.push_back(
			    text("midstate" + std::to_string(i), midstate_hex(j.midstates[i])));
	}
	void operator()(const HeaderJob &j)
	{
		out.kind = "header_job";
		out.fields.push_back(number("job_id", j.job_id));
		out.fields.push_back(hex32("starting_nonce", j.starting_nonce));
		out.fields.push_back(hex32("nbits", j.nbits));
		out.fields.push_back(hex32("ntime", j.ntime));
		out.fields.push_back(hash("merkle_root", j.merkle_root));
		out.fields.push_back(hash("prev_hash", j.prev_hash));
		out.fields.push_back(hex32("version", j.version));
	}
	void operator()(const RegisterReply &r)
	{
		out.kind = "register_reply";
		out.fields.push_back(hex8("chip", r.chip));
		add_register(out.fields, family, r.reg);
		out.fields.push_back(hex32("value", r.value));
		for (auto &field : describe_register_value(family, r.reg, r.value, state))
			out.fields.push_back(std::move(field));
	}
	void operator()(const NonceReply &n)
	{
		out.kind = "nonce";
		out.fields.push_back(hex32("nonce", n.nonce));
		// Byte 5 packs the job id the host sent and which midstate (BM1397) or small
		// core (BM1366+) found the nonce, per family.
		const ReplyFields rf = decode_nonce_reply(family, n);
		out.fields.push_back(number("job_id", rf.job_id));
		out.fields.push_back(
		    number(family.job_format == JobFormat::midstates ? "midstate" : "small_core",
		           rf.sub_id));
		out.fields.push_back(hex8("excess_diff", n.excess_difficulty));
		if (n.version_bits) {
			out.fields.push_back(hex16("version_bits", *n.version_bits));
			out.fields.push_back(
			    hex32("rolled_bits", std::uint32_t(*n.version_bits) << 13));
		}
		out.fields.push_back(number("core", rf.core));
		if (rf.address)
			out.fields.push_back(hex8("chip", *rf.address));
		else
			// BM1370/68: the chip is the one whose CHIP_NONCE_OFFSET range holds this.
			out.fields.push_back(hex16("nonce_counter", rf.range_value));
		if (family.nonce.small_core_bits)
			out.fields.push_back(number("small_core", rf.small_core));
	}
};

} // namespace

std::string_view direction_name(Direction d)
{
	return d == Direction::tx ? "tx" : "rx";
}

std::vector<Field> describe_register_value(const ChipFamily &family, std::uint8_t reg,
                                           std::uint32_t value,
                                           [[maybe_unused]] const DescribeState &state)
{
	const RegisterMap &r = family.regs;
	std::vector<Field> out;
	if (reg == r.chip_id) {
		const auto id = std::uint16_t(value >> 16);
		const ChipFamily *f = family_by_chip_id(id);
		out.push_back(hex16("chip_id", id));
		if (f)
			out.push_back(text("family", std::string(f->name)));
		out.push_back(hex8("core_byte", (value >> 8) & 0xFF));
		out.push_back(hex8("addr", value & 0xFF));
	} else if (reg == r.pll0) {
		if (const auto pll = pll_from_register(family, value)) {
			out.push_back(real("freq_mhz", pll->freq_mhz(family.pll.ref_mhz), 2));
			out.push_back(real("vco_mhz", pll->vco_mhz(family.pll.ref_mhz), 1));
			out.push_back(number("fbdiv", pll->fbdiv));
			out.push_back(number("refdiv", pll->refdiv));
			out.push_back(number("postdiv1", pll->postdiv1));
			out.push_back(number("postdiv2", pll->postdiv2));
		} else {
			out.push_back(text("pll", "invalid"));
		}
	} else if (reg == r.ticket_mask) {
		if (const auto k = ticket_mask_difficulty_log2(value)) {
			const double difficulty = std::ldexp(1.0, int(*k));
			out.push_back({"difficulty", difficulty,
			               fixed(difficulty, 0) + "(2^" + std::to_string(*k) + ")"});
			out.push_back({"difficulty_log2", std::uint64_t(*k), ""});
		} else {
			out.push_back(text("difficulty", "invalid"));
		}
	} else if (reg == family.baud.reg) {
		out.push_back(real("baud", baud_from_register(family, value), 0));
	} else if (reg == r.misc_control) {
		// BM1366+: bits 31..28 enable nonce reports (a fresh chip reports nothing).
		out.push_back(hex8("report_enable", value >> 28));
	} else if (r.chip_nonce_offset && reg == *r.chip_nonce_offset) {
		out.push_back({"enabled", bool(value >> 31), value >> 31 ? "on" : "off"});
		out.push_back(hex16("counter_start", value & 0xFFFF));
	} else if (reg == r.hash_counting) {
		out.push_back(number("ticks", value));
	} else if (r.version_rolling && reg == *r.version_rolling) {
		out.push_back({"rolling", bool(value >> 31), value >> 31 ? "on" : "off"});
		out.push_back(hex32("mask", (value & 0xFFFFu) << 13));
	} else if (r.hash_counter_total && reg == *r.hash_counter_total) {
		// One count is 2^32 hashes.
		out.push_back(real("hashes", std::ldexp(double(value), 32), 0));
	}
	return out;
}

FrameMeaning describe_host_frame(const ChipFamily &family, const HostFrame &frame,
                                 DescribeState &state)
{
	Describer d{family, state, {}};
	std::visit(d, frame);
	if (const auto *w = std::get_if<WriteRegister>(&frame);
	    w && family.regs.version_rolling && w->reg == *family.regs.version_rolling)
		state.version_rolling = w->value >> 31;
	return std::move(d.out);
}

FrameMeaning describe_chip_frame(const ChipFamily &family, const ChipFrame &frame,
                                 const DescribeState &state)
{
	Describer d{family, state, {}};
	std::visit(d, frame);
	return std::move(d.out);
}

} // namespace hashboard::bm13xx
