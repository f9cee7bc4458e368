// SPDX-License-Identifier: MIT
#include "capture_text.hpp"

#include <hashboard/bytes.hpp>

#include <algorithm>
#include <stdexcept>

namespace hashboard::bm13xx::detail {

std::string lower(std::string_view s)
{
	std::string out(s);
	std::transform(out.begin(), out.end(), out.begin(),
	               [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
	return out;
}

std::string_view trim(std::string_view s)
{
	const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
	while (!s.empty() && space(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && space(s.back()))
		s.remove_suffix(1);
	return s;
}

std::string printable(std::string_view s)
{
	constexpr std::size_t kMax = 24;
	std::string out;
	for (char c : s.substr(0, kMax))
		out += (c >= 0x20 && c < 0x7F) ? c : '?';
	return s.size() > kMax ? out + "..." : out;
}

int digit_value(char c, int base)
{
	const int v = hex_digit_value(c);
	return v < base ? v : -1;
}

void fail(std::size_t line, const std::string &what)
{
	throw std::invalid_argument("capture line " + std::to_string(line) + ": " + what);
}

void ReadOut::push(std::size_t s, std::uint8_t b, std::optional<double> t)
{
	if (s != stream)
		flush();
	stream = s;
	bytes.push_back(b);
	if (t)
		times.push_back(*t);
}

void ReadOut::flush()
{
	if (!bytes.empty())
		sink(stream, bytes, times);
	bytes.clear();
	times.clear();
}

} // namespace hashboard::bm13xx::detail
