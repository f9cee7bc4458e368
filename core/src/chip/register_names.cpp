// SPDX-License-Identifier: MIT
// Register names, derived from each family's RegisterMap so the offsets live only there.
#include <hashboard/chip_family.hpp>

#include <algorithm>
#include <array>

namespace hashboard {
namespace {

struct NamedRegister {
	std::string_view name;
	std::optional<std::uint8_t> reg;
};

constexpr std::size_t kNamed = 13;

// The names are RegisterMap's member names, so code, docs and hbctl say the same thing.
std::array<NamedRegister, kNamed> named_registers(const RegisterMap &r)
{
	return {{
	    {"chip_id", r.chip_id},
	    {"pll0", r.pll0},
	    {"chip_nonce_offset", r.chip_nonce_offset},
	    {"hash_counting", r.hash_counting},
	    {"ticket_mask", r.ticket_mask},
	    {"misc_control", r.misc_control},
	    {"uart_baud", r.uart_baud},
	    {"core_control", r.core_control},
	    {"nonce_error_counter", r.nonce_error_counter},
	    {"pll0_divider", r.pll0_divider},
	    {"hash_counter_total", r.hash_counter_total},
	    {"version_rolling", r.version_rolling},
	    {"soft_reset", r.soft_reset},
	}};
}

char fold(char c)
{
	if (c == '-')
		return '_';
	return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

bool same_name(std::string_view canonical, std::string_view given)
{
	return canonical.size() == given.size() &&
	       std::equal(canonical.begin(), canonical.end(), given.begin(),
	                  [](char a, char b) { return a == fold(b); });
}

} // namespace

std::optional<std::uint8_t> register_by_name(const ChipFamily &family, std::string_view name)
{
	for (const auto &n : named_registers(family.regs))
		if (n.reg && same_name(n.name, name))
			return n.reg;
	return std::nullopt;
}

std::string_view register_name(const ChipFamily &family, std::uint8_t reg)
{
	for (const auto &n : named_registers(family.regs))
		if (n.reg == reg)
			return n.name;
	return {};
}

std::vector<std::pair<std::string_view, std::uint8_t>> register_names(const ChipFamily &family)
{
	std::vector<std::pair<std::string_view, std::uint8_t>> out;
	for (const auto &n : named_registers(family.regs))
		if (n.reg)
			out.emplace_back(n.name, *n.reg);
	std::sort(out.begin(), out.end(),
	          [](const auto &a, const auto &b) { return a.second < b.second; });
	return out;
}

} // namespace hashboard
