// SPDX-License-Identifier: MIT
#include <hashboard/bytes.hpp>

#include <cstdio>
#include <stdexcept>

namespace hashboard {
namespace {

int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

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
	if (hex.size() - i >= 2 && hex[i] == '0' && (hex[i + 1] == 'x' || hex[i + 1] == 'X'))
		i += 2;

	Bytes out;
	out.reserve((hex.size() - i) / 2);
	while (i < hex.size()) {
		if (is_space(hex[i])) {
			++i;
			continue;
		}
		const int hi = nibble(hex[i]);
		if (hi < 0)
			bad_character(hex[i], i);
		// A byte's two digits must be adjacent; whitespace goes only between bytes.
		if (i + 1 == hex.size() || is_space(hex[i + 1]))
			lone_digit(i);
		const int lo = nibble(hex[i + 1]);
		if (lo < 0)
			bad_character(hex[i + 1], i + 1);
		out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
		i += 2;
	}
	return out;
}

} // namespace hashboard
