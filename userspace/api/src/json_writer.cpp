// SPDX-License-Identifier: MIT
#include "json_writer.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <cmath>

namespace hashboardd::api {

void write_json_string(std::string_view s, std::string &out)
{
	out += '"';
	for (const char ch : s) {
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
			// Control characters (a NUL above all: clients stop reading at one) are
			// escaped; bytes >= 0x80 pass as they are (UTF-8 from pool URLs).
			if (c < 0x20)
				out += fmt::format("\\u{:04x}", c);
			else
				out += ch;
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
