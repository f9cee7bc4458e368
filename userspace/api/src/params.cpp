// SPDX-License-Identifier: MIT
#include "params.hpp"

#include <charconv>
#include <cmath>

namespace hashboardd::api {

std::vector<std::string> split_params(std::string_view text)
{
	std::vector<std::string> out(1);
	for (std::size_t i = 0; i < text.size(); ++i) {
		const char c = text[i];
		if (c == '\\' && i + 1 < text.size()) {
			out.back() += text[++i];
		} else if (c == ',') {
			out.emplace_back();
		} else {
			out.back() += c;
		}
	}
	return out;
}

std::optional<unsigned> parse_index(std::string_view text)
{
	if (text.empty() || text.size() > 7)
		return std::nullopt;
	unsigned v = 0;
	const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
	if (ec != std::errc() || end != text.data() + text.size() || v > 1000000)
		return std::nullopt;
	return v;
}

std::optional<double> parse_number(std::string_view text)
{
	if (text.empty() || text.size() > 64)
		return std::nullopt;
	double v = 0;
	// from_chars also reads "nan" and "inf": both are refused below.
	const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
	if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
		return std::nullopt;
	return v;
}

std::string shown(std::string_view text)
{
	std::string out;
	for (const char c : text.substr(0, 64))
		out += static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f
		           ? '?'
		           : c;
	if (text.size() > 64)
		out += "...";
	return out;
}

} // namespace hashboardd::api
