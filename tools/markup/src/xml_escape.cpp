// SPDX-License-Identifier: MIT
#include <markup/xml_escape.hpp>

namespace markup {

std::string xml_escape(std::string_view text)
{
	std::string out;
	out.reserve(text.size());
	for (const char c : text) {
		switch (c) {
		case '&':
			out += "&amp;";
			break;
		case '<':
			out += "&lt;";
			break;
		case '>':
			out += "&gt;";
			break;
		case '"':
			out += "&quot;";
			break;
		case '\'':
			out += "&apos;";
			break;
		default:
			// A visible mark: a dropped byte would hide that the text had one.
			if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n')
				out += '?';
			else
				out += c;
		}
	}
	return out;
}

} // namespace markup
