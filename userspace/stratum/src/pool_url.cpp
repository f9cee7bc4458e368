// SPDX-License-Identifier: MIT
#include <hashboardd/stratum/pool_url.hpp>

#include <hashboard/bytes.hpp>

#include <stdexcept>

namespace hashboardd::stratum {
namespace {

[[noreturn]] void fail(std::string_view url, const std::string &why)
{
	throw std::invalid_argument("pool URL '" + std::string(url) + "': " + why);
}

bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

} // namespace

std::string PoolUrl::text() const
{
	const bool v6 = host.find(':') != std::string::npos;
	return std::string(tls ? "stratum+ssl://" : "stratum+tcp://") + (v6 ? "[" : "") + host +
	       (v6 ? "]" : "") + ":" + std::to_string(port);
}

PoolUrl parse_pool_url(std::string_view url)
{
	PoolUrl out;
	const auto sep = url.find("://");
	if (sep == std::string_view::npos)
		fail(url, "no scheme (expected stratum+tcp:// or stratum+ssl://)");
	const std::string_view scheme = url.substr(0, sep);
	if (scheme == "stratum+tcp")
		out.tls = false;
	else if (scheme == "stratum+ssl" || scheme == "stratum+tls")
		out.tls = true;
	else
		fail(url, "scheme '" + std::string(scheme) + "' is not stratum+tcp or stratum+ssl");
	std::string_view rest = url.substr(sep + 3);
	// One trailing slash is what people paste from pool pages; anything after it is not.
	if (!rest.empty() && rest.back() == '/')
		rest.remove_suffix(1);
	if (rest.find_first_of("/?#@") != std::string_view::npos)
		fail(url, "a path, query or user part is not part of a Stratum URL");
	std::string_view host;
	std::string_view port;
	if (!rest.empty() && rest.front() == '[') {
		const auto close = rest.find(']');
		if (close == std::string_view::npos)
			fail(url, "'[' without ']'");
		host = rest.substr(1, close - 1);
		for (char c : host)
			if (hashboard::hex_digit_value(c) < 0 && c != ':' && c != '.')
				fail(url, "'" + std::string(host) + "' is not an IPv6 address");
		rest.remove_prefix(close + 1);
		if (rest.empty() || rest.front() != ':')
			fail(url, "no port");
		port = rest.substr(1);
	} else {
		const auto colon = rest.rfind(':');
		if (colon == std::string_view::npos)
			fail(url, "no port");
		host = rest.substr(0, colon);
		port = rest.substr(colon + 1);
		for (char c : host)
			if (!host_char(c))
				fail(url, "host '" + std::string(host) + "' has a character that " +
				              "no host name has");
	}
	if (host.empty())
		fail(url, "no host");
	if (host.size() > 253)
		fail(url, "host name longer than 253 characters");
	if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos)
		fail(url, "port '" + std::string(port) + "' is not a number");
	const unsigned long p = std::stoul(std::string(port));
	if (p == 0 || p > 65535)
		fail(url, "port " + std::string(port) + " is not in 1..65535");
	out.host = std::string(host);
	out.port = std::uint16_t(p);
	return out;
}

} // namespace hashboardd::stratum
