// SPDX-License-Identifier: MIT
#include "request.hpp"

#include "codes.hpp"
#include "params.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>

namespace hashboardd::api {

namespace {

bool is_blank(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// A command name is what cgminer's table holds: letters, digits, '-' (failover-only)
// and '+' between joined names. Anything else is refused before lookup so a message
// never echoes control bytes.
bool valid_command(std::string_view c)
{
	return !c.empty() && c.size() <= 256 && std::all_of(c.begin(), c.end(), [](char ch) {
		return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		       (ch >= '0' && ch <= '9') || ch == '-' || ch == '+' || ch == '_';
	});
}

std::variant<Request, RequestError> parse_json(std::string_view text)
{
	boost::json::error_code ec;
	boost::json::parse_options opt;
	opt.max_depth = 8; // a request is one flat object; deeper nesting is an attack
	const boost::json::value v = boost::json::parse(text, ec, {}, opt);
	if (ec)
		return RequestError{true, code::kInvalidJson,
		                    fmt::format("Invalid JSON: {}", ec.message())};
	if (!v.is_object())
		return RequestError{true, code::kInvalidJson, "Invalid JSON: not an object"};
	const auto &o = v.get_object();
	const auto *cmd = o.if_contains("command");
	if (cmd == nullptr)
		return RequestError{true, code::kMissingJson, "Missing JSON 'command'"};
	if (!cmd->is_string())
		return RequestError{true, code::kInvalidJson,
		                    "Invalid JSON: 'command' must be a string"};
	Request r;
	r.json = true;
	r.command = std::string(cmd->get_string());
	if (const auto *p = o.if_contains("parameter")) {
		switch (p->kind()) {
		case boost::json::kind::null:
			break;
		case boost::json::kind::string:
			r.parameter = std::string(p->get_string());
			break;
		case boost::json::kind::int64:
			r.parameter = fmt::format("{}", p->get_int64());
			break;
		case boost::json::kind::uint64:
			r.parameter = fmt::format("{}", p->get_uint64());
			break;
		case boost::json::kind::double_:
			// Written back as the shortest decimal; an infinity (1e999) reads as
			// "inf", which every number parameter refuses.
			r.parameter = fmt::format("{}", p->get_double());
			break;
		default:
			return RequestError{
			    true, code::kInvalidJson,
			    "Invalid JSON: 'parameter' must be a string or a number"};
		}
	}
	if (!valid_command(r.command))
		return RequestError{true, code::kInvalidCommand,
		                    fmt::format("Invalid command '{}'", shown(r.command))};
	return r;
}

} // namespace

std::string_view trimmed_request(std::string_view text)
{
	while (!text.empty() && is_blank(text.back()))
		text.remove_suffix(1);
	while (!text.empty() && is_blank(text.front()))
		text.remove_prefix(1);
	return text;
}

bool looks_like_json(std::string_view text)
{
	const std::string_view t = trimmed_request(text);
	return !t.empty() && t.front() == '{';
}

std::optional<std::size_t> request_end(std::string_view received)
{
	const std::size_t nul = received.find('\0');
	const std::string_view t = received.substr(0, nul);
	std::size_t start = 0;
	while (start < t.size() && is_blank(t[start]))
		++start;
	if (start < t.size() && t[start] == '{') {
		int depth = 0;
		bool in_string = false;
		bool escaped = false;
		for (std::size_t i = start; i < t.size(); ++i) {
			const char c = t[i];
			if (in_string) {
				if (escaped)
					escaped = false;
				else if (c == '\\')
					escaped = true;
				else if (c == '"')
					in_string = false;
			} else if (c == '"') {
				in_string = true;
			} else if (c == '{' || c == '[') {
				++depth;
			} else if ((c == '}' || c == ']') && --depth == 0) {
				return i + 1;
			}
		}
	} else if (start < t.size()) {
		const std::size_t eol = t.find_first_of("\r\n", start);
		if (eol != std::string_view::npos)
			return eol;
	}
	if (nul != std::string_view::npos)
		return nul;
	return std::nullopt;
}

std::variant<Request, RequestError> parse_request(std::string_view text)
{
	const std::string_view t = trimmed_request(text);
	if (t.empty())
		return RequestError{false, code::kInvalidCommand, "Invalid command: empty request"};
	if (t.front() == '{')
		return parse_json(t);
	Request r;
	const auto bar = t.find('|');
	r.command = std::string(t.substr(0, bar));
	if (bar != std::string_view::npos)
		r.parameter = std::string(t.substr(bar + 1));
	if (!valid_command(r.command))
		return RequestError{false, code::kInvalidCommand,
		                    fmt::format("Invalid command '{}'", shown(r.command))};
	return r;
}

} // namespace hashboardd::api
