// SPDX-License-Identifier: MIT
#include "terminal_text.hpp"

#include <fmt/format.h>

namespace hbctl {

std::string terminal_safe(std::string_view s)
{
	std::string out;
	out.reserve(s.size());
	for (const char c : s) {
		const auto u = static_cast<unsigned char>(c);
		if (c == '\n' || (u >= 0x20 && u != 0x7F))
			out += c;
		else
			fmt::format_to(std::back_inserter(out), "\\x{:02x}", u);
	}
	return out;
}

} // namespace hbctl
