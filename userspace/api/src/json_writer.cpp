// SPDX-License-Identifier: MIT
#include "json_writer.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <cmath>

namespace hashboardd::api {

namespace {

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, no
// surrogates, nothing past U+10FFFF), or 0 when the bytes there are not one.
std::size_t utf8_sequence(std::string_view s, std::size_t i)
{
	const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
	const unsigned char c = b(0);
	std::size_t n = 0;
	unsigned char lo = 0x80, hi = 0xbf; // the allowed range of the second byte
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (i + n > s.size() || b(1) < lo || b(1) > hi)
		return 0;
	for (std::size_t k = 2; k < n; ++k)
		if (b(k) < 0x80 || b(k) > 0xbf)
			return 0;
	return n;
}

} // namespace

void write_json_string(std::string_view s, std::string &out)
{
	out += '"';
	for (std::size_t i = 0; i < s.size(); ++i) {
		const char ch = s[i];
		const auto c = static_cast<unsigned char>(ch);
		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\r':
			out += "\\r";
			break;
		case '\t':
			out += "\\t";
			break;
		default:
			if (c < 0x20) {
				// Control characters (a NUL above all: clients stop reading at
				// one) are escaped.
				out += fmt::format("\\u{:04x}", c);
			} else if (c < 0x80) {
				out += ch;
			} else if (const std::size_t n = utf8_sequence(s, i)) {
				out.append(s.substr(i, n));
				i += n - 1;
			} else {
				// Not UTF-8 (a cut sequence, a Latin-1 byte from a pool URL): JSON
				// must be, so it becomes U+FFFD.
				out += "\\ufffd";
			}
		}
	}
	out += '"';
}

void write_json(const boost::json::value &v, std::string &out)
{
	switch (v.kind()) {
	case boost::json::kind::null:
		out += "null";
		break;
	case boost::json::kind::bool_:
		out += v.get_bool() ? "true" : "false";
		break;
	case boost::json::kind::int64:
		out += fmt::format("{}", v.get_int64());
		break;
	case boost::json::kind::uint64:
		out += fmt::format("{}", v.get_uint64());
		break;
	case boost::json::kind::double_: {
		const double d = v.get_double();
		if (std::isfinite(d))
			out += fmt::format("{}", d);
		else
			out += "null";
		break;
	}
	case boost::json::kind::string:
		write_json_string(v.get_string(), out);
		break;
	case boost::json::kind::array: {
		out += '[';
		bool first = true;
		for (const auto &e : v.get_array()) {
			if (!first)
				out += ',';
			first = false;
			write_json(e, out);
		}
		out += ']';
		break;
	}
	case boost::json::kind::object: {
		out += '{';
		bool first = true;
		for (const auto &kv : v.get_object()) {
			if (!first)
				out += ',';
			first = false;
			write_json_string(kv.key(), out);
			out += ':';
			write_json(kv.value(), out);
		}
		out += '}';
		break;
	}
	}
}

std::string json_text(const boost::json::value &v)
{
	std::string out;
	write_json(v, out);
	return out;
}

} // namespace hashboardd::api
