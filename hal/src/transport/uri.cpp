// SPDX-License-Identifier: MIT
#include "uri.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hashboard/bytes.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace hashboard::transport {

namespace {

bool is_scheme(std::string_view s)
{
	if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	return std::all_of(s.begin(), s.end(), [](char c) {
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		       c == '.';
	});
}

std::string quoted(std::string_view s)
{
	return "'" + std::string(s) + "'";
}

std::string number(double x)
{
	return fmt::format("{:g}", x);
}

std::string joined(std::span<const std::string_view> names)
{
	return fmt::format("{}", fmt::join(names, ", "));
}

} // namespace

TransportUri parse_transport_uri(std::string_view uri)
{
	TransportUri out;
	out.text = std::string(uri);
	if (uri.empty())
		throw std::invalid_argument(
		    "empty transport URI: expected <scheme>:<path>[?key=value&...] "
		    "or an absolute device path");

	std::string_view rest;
	if (uri.front() == '/') {
		out.scheme = "tty";
		rest = uri;
	} else {
		const auto colon = uri.find(':');
		if (colon == std::string_view::npos || !is_scheme(uri.substr(0, colon)))
			throw std::invalid_argument("transport URI " + quoted(uri) +
			                            ": expected <scheme>:<path>[?key=value&...] or "
			                            "an absolute device path");
		out.scheme = std::string(uri.substr(0, colon));
		rest = uri.substr(colon + 1);
	}

	const auto question = rest.find('?');
	out.path = std::string(rest.substr(0, question));
	if (question == std::string_view::npos)
		return out;

	std::string_view query = rest.substr(question + 1);
	for (;;) {
		const auto amp = query.find('&');
		const std::string_view item = query.substr(0, amp);
		const auto eq = item.find('=');
		if (eq == std::string_view::npos || eq == 0 || eq + 1 == item.size())
			throw std::invalid_argument("transport URI " + quoted(uri) + ": option " +
			                            quoted(item) + " is not key=value");
		std::string key(item.substr(0, eq));
		if (std::any_of(out.options.begin(), out.options.end(),
		                [&](const auto &kv) { return kv.first == key; }))
			throw std::invalid_argument("transport URI " + quoted(uri) + ": option " +
			                            quoted(key) + " is given twice");
		out.options.emplace_back(std::move(key), std::string(item.substr(eq + 1)));
		if (amp == std::string_view::npos)
			break;
		query = query.substr(amp + 1);
	}
	return out;
}

void require_real_time(const TransportUri &uri, const Clock &clock)
{
	if (clock.is_virtual())
		throw std::invalid_argument("transport URI " + quoted(uri.text) + ": " +
		                            uri.scheme +
		                            ": runs in real time and cannot use a virtual clock");
}

UriOptions::UriOptions(const TransportUri &uri, std::span<const std::string_view> valid) : uri_(uri)
{
	for (const auto &[key, value] : uri.options) {
		if (std::find(valid.begin(), valid.end(), key) != valid.end())
			continue;
		const std::string takes =
		    valid.empty() ? "takes no options" : "takes " + joined(valid);
		throw std::invalid_argument("transport URI " + quoted(uri.text) +
		                            ": unknown option " + quoted(key) + "; " + uri.scheme +
		                            ": " + takes);
	}
}

const std::string *UriOptions::find(std::string_view key) const
{
	for (const auto &[k, v] : uri_.options)
		if (k == key)
			return &v;
	return nullptr;
}

void UriOptions::bad_value(std::string_view key, const std::string &value,
                           std::string_view expected) const
{
	throw std::invalid_argument("transport URI " + quoted(uri_.text) + ": option " +
	                            std::string(key) + "=" + value + ": expected " +
	                            std::string(expected));
}

std::optional<std::string> UriOptions::text(std::string_view key) const
{
	if (const auto *v = find(key))
		return *v;
	return std::nullopt;
}

std::optional<std::uint64_t> UriOptions::unsigned_value(std::string_view key, std::uint64_t min,
                                                        std::uint64_t max) const
{
	const auto *v = find(key);
	if (!v)
		return std::nullopt;
	const std::string expected =
	    "an integer from " + std::to_string(min) + " to " + std::to_string(max);
	// Byte-valued options (fill patterns) read best in hex, so 0x-prefixed hex is taken too.
	const auto n = parse_unsigned(*v);
	if (!n || *n < min || *n > max)
		bad_value(key, *v, expected);
	return n;
}

std::optional<double> UriOptions::real_value(std::string_view key, double min, double max) const
{
	const auto *v = find(key);
	if (!v)
		return std::nullopt;
	const std::string expected = "a number from " + number(min) + " to " + number(max);
	double x = 0;
	const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
	if (ec != std::errc() || end != v->data() + v->size() || !std::isfinite(x) || x < min ||
	    x > max)
		bad_value(key, *v, expected);
	return x;
}

std::optional<std::string> UriOptions::hbsim_reset_socket() const
{
	constexpr std::string_view prefix = "hbsim:";
	const auto *v = find("reset");
	if (!v)
		return std::nullopt;
	if (v->size() <= prefix.size() || v->compare(0, prefix.size(), prefix) != 0)
		bad_value("reset", *v, "hbsim:<control-socket-path>");
	return v->substr(prefix.size());
}

} // namespace hashboard::transport
