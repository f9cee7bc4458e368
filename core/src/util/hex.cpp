// SPDX-License-Identifier: MIT
#include <hashboard/bytes.hpp>

#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace hashboard {
namespace {

bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

[[noreturn]] void bad_character(char c, std::size_t offset)
{
	char shown[16];
	const auto u = static_cast<unsigned char>(c);
	if (u >= 0x20 && u < 0x7f)
		std::snprintf(shown, sizeof shown, "'%c'", c);
	else
		std::snprintf(shown, sizeof shown, "0x%02x", unsigned(u));
	throw std::invalid_argument("from_hex: invalid character " + std::string(shown) +
	                            " at offset " + std::to_string(offset));
}

[[noreturn]] void lone_digit(std::size_t offset)
{
	throw std::invalid_argument("from_hex: odd number of hex digits, lone digit at offset " +
	                            std::to_string(offset));
}

} // namespace

std::optional<std::uint64_t> parse_hex_number(std::string_view digits, std::size_t max_digits)
{
	if (digits.empty() || digits.size() > max_digits)
		return std::nullopt;
	std::uint64_t v = 0;
	for (const char c : digits) {
		const int d = hex_digit_value(c);
		if (d < 0 || v >> 60 != 0)
			return std::nullopt;
		v = v << 4 | std::uint64_t(d);
	}
	return v;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text)
{
	if (const std::string_view digits = without_hex_prefix(text); digits.size() != text.size())
		return parse_hex_number(digits, digits.size());
	std::uint64_t v = 0;
	const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
	if (text.empty() || ec != std::errc() || end != text.data() + text.size())
		return std::nullopt;
	return v;
}

std::string to_hex(ByteSpan bytes)
{
	static constexpr char digits[] = "0123456789abcdef";
	std::string out(bytes.size() * 2, '\0');
	for (std::size_t i = 0; i < bytes.size(); ++i) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0x0f];
	}
	return out;
}

Bytes from_hex(std::string_view hex)
{
	std::size_t i = 0;
	while (i < hex.size() && is_space(hex[i]))
		++i;
	i = hex.size() - without_hex_prefix(hex.substr(i)).size();

	Bytes out;
	out.reserve((hex.size() - i) / 2);
	while (i < hex.size()) {
		if (is_space(hex[i])) {
			++i;
			continue;
		}
		const int hi = hex_digit_value(hex[i]);
		if (hi < 0)
			bad_character(hex[i], i);
		// A byte's two digits must be adjacent; whitespace goes only between bytes.
		if (i + 1 == hex.size() || is_space(hex[i + 1]))
			lone_digit(i);
		const int lo = hex_digit_value(hex[i + 1]);
		if (lo < 0)
			bad_character(hex[i + 1], i + 1);
		out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
		i += 2;
	}
	return out;
}

} // namespace hashboard
