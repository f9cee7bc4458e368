// SPDX-License-Identifier: MIT
#include "reply.hpp"

#include "json_writer.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <cmath>
#include <utility>

namespace hashboardd::api {

Reply error_reply(int code, std::string msg)
{
	Reply r;
	r.severity = 'E';
	r.code = code;
	r.msg = std::move(msg);
	return r;
}

Reply ok_reply(int code, std::string msg)
{
	Reply r;
	r.code = code;
	r.msg = std::move(msg);
	return r;
}

boost::json::object reply_object(const Reply &r, const Stamp &s)
{
	boost::json::object o;
	if (r.bare) {
		o["STATUS"] = *r.bare;
		return o;
	}
	boost::json::object st;
	st["STATUS"] = std::string(1, r.severity);
	st["When"] = s.when;
	st["Code"] = r.code;
	st["Msg"] = r.msg;
	st["Description"] = s.description;
	o["STATUS"] = boost::json::array{std::move(st)};
	for (const Section &sec : r.sections)
		o[sec.name] = sec.records;
	o["id"] = 1;
	return o;
}

std::string render_json(const Reply &r, const Stamp &s)
{
	return json_text(reply_object(r, s));
}

namespace {

// cgminer's plain text escapes its separators with a backslash.
void plain_escaped(std::string_view text, std::string &out)
{
	for (const char c : text) {
		if (c == ',' || c == '=' || c == '|' || c == '\\')
			out += '\\';
		// A NUL inside would end the reply for readers that stop at one.
		out += c == '\0' ? ' ' : c;
	}
}

void plain_value(const boost::json::value &v, std::string &out)
{
	switch (v.kind()) {
	case boost::json::kind::string:
		plain_escaped(v.get_string(), out);
		break;
	case boost::json::kind::bool_:
		out += v.get_bool() ? "true" : "false";
		break;
	case boost::json::kind::double_:
		// Fixed decimals, as cgminer prints its plain text.
		if (std::isfinite(v.get_double()))
			out += fmt::format("{:.2f}", v.get_double());
		else
			out += '0';
		break;
	default: {
		std::string text;
		write_json(v, text);
		plain_escaped(text, out);
	}
	}
}

} // namespace

std::string render_plain(const Reply &r, const Stamp &s)
{
	std::string out;
	if (r.bare) {
		out = *r.bare + "|";
		return out;
	}
	out += fmt::format("STATUS={},When={},Code={},Msg=", r.severity, s.when, r.code);
	plain_escaped(r.msg, out);
	out += ",Description=";
	plain_escaped(s.description, out);
	out += '|';
	for (const Section &sec : r.sections) {
		for (const auto &rec : sec.records) {
			bool first = true;
			if (sec.plain_named) {
				out += sec.name;
				first = false;
			}
			if (rec.is_object()) {
				for (const auto &kv : rec.get_object()) {
					if (!first)
						out += ',';
					first = false;
					plain_escaped(kv.key(), out);
					out += '=';
					plain_value(kv.value(), out);
				}
			}
			out += '|';
		}
	}
	return out;
}

} // namespace hashboardd::api
