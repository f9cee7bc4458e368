// SPDX-License-Identifier: MIT
#include "reg_args.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>
#include <vector>

namespace hbctl {

std::uint64_t parse_number(const std::string &text, const std::string &what, std::uint64_t max)
{
	const auto v = hashboard::parse_unsigned(text);
	if (!v)
		throw std::invalid_argument(what + ": '" + text + "' is not a number");
	if (*v > max)
		throw std::invalid_argument(what + ": " + text + " is above " +
		                            std::to_string(max));
	return *v;
}

std::uint32_t parse_hex32(const std::string &text, const std::string &what)
{
	const auto v = hashboard::parse_hex_number(hashboard::without_hex_prefix(text), 8);
	if (!v)
		throw std::invalid_argument(what + ": '" + text + "' is not up to 8 hex digits");
	return std::uint32_t(*v);
}

std::string register_list(const hashboard::ChipFamily &family)
{
	std::vector<std::string> names;
	for (const auto &[name, reg] : hashboard::register_names(family))
		names.push_back(fmt::format("{}(0x{:02x})", name, reg));
	return fmt::format("{}", fmt::join(names, ", "));
}

std::uint8_t parse_register(const hashboard::ChipFamily &family, const std::string &text)
{
	if (const auto reg = hashboard::register_by_name(family, text))
		return *reg;
	if (!text.empty() && text[0] >= '0' && text[0] <= '9')
		return std::uint8_t(parse_number(text, "register", 0xFF));
	throw std::invalid_argument("register '" + text + "' is not a " + std::string(family.name) +
	                            " register name (" + register_list(family) + ") or a number");
}

std::uint8_t parse_address(const std::string &text)
{
	return std::uint8_t(parse_number(text, "chip address", 0xFF));
}

boost::json::object fields_to_json(const std::vector<hashboard::bm13xx::Field> &fields)
{
	boost::json::object o;
	for (const auto &f : fields)
		std::visit([&](const auto &v) { o[f.name] = v; }, f.value);
	return o;
}

std::string fields_to_text(const std::vector<hashboard::bm13xx::Field> &fields)
{
	std::string s;
	for (const auto &f : fields)
		if (!f.text.empty())
			s += (s.empty() ? "" : " ") + f.name + "=" + f.text;
	return s;
}

} // namespace hbctl
