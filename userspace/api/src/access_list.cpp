// SPDX-License-Identifier: MIT
#include <hashboardd/api/access_list.hpp>

#include <arpa/inet.h>

#include <charconv>
#include <stdexcept>

namespace hashboardd::api {

namespace {

constexpr std::array<std::uint8_t, 12> kV4Prefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

} // namespace

IpAddress IpAddress::parse(std::string_view text)
{
	// inet_pton wants a NUL-terminated string; an embedded NUL would cut it short and
	// let "127.0.0.1\0junk" pass, so refuse it first.
	const std::string s(text);
	if (s.find('\0') != std::string::npos || s.empty())
		throw std::invalid_argument("not an IP address: '" + s + "'");
	IpAddress a;
	std::array<std::uint8_t, 4> v4{};
	if (::inet_pton(AF_INET, s.c_str(), v4.data()) == 1) {
		std::copy(kV4Prefix.begin(), kV4Prefix.end(), a.bytes.begin());
		std::copy(v4.begin(), v4.end(), a.bytes.begin() + 12);
		return a;
	}
	if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1)
		return a;
	throw std::invalid_argument("not an IP address: '" + s + "'");
}

bool IpAddress::is_v4() const
{
	return std::equal(kV4Prefix.begin(), kV4Prefix.end(), bytes.begin());
}

bool IpAddress::is_loopback() const
{
	if (is_v4())
		return bytes[12] == 127;
	for (std::size_t i = 0; i < 15; ++i)
		if (bytes[i] != 0)
			return false;
	return bytes[15] == 1;
}

std::string IpAddress::to_string() const
{
	std::array<char, INET6_ADDRSTRLEN> buf{};
	if (is_v4())
		::inet_ntop(AF_INET, bytes.data() + 12, buf.data(), buf.size());
	else
		::inet_ntop(AF_INET6, bytes.data(), buf.data(), buf.size());
	return buf.data();
}

Cidr Cidr::parse(std::string_view text)
{
	const auto slash = text.find('/');
	Cidr c;
	c.network = IpAddress::parse(text.substr(0, slash));
	const unsigned max = c.network.is_v4() ? 32 : 128;
	unsigned prefix = max;
	if (slash != std::string_view::npos) {
		const std::string_view p = text.substr(slash + 1);
		const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
		if (p.empty() || ec != std::errc() || end != p.data() + p.size() || prefix > max)
			throw std::invalid_argument("bad network '" + std::string(text) +
			                            "': the prefix length must be 0.." +
			                            std::to_string(max));
	}
	c.prefix = c.network.is_v4() ? prefix + 96 : prefix;
	return c;
}

bool Cidr::contains(const IpAddress &a) const
{
	unsigned bits = prefix;
	for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
		const unsigned n = bits >= 8 ? 8 : bits;
		const auto mask = static_cast<std::uint8_t>(0xff00U >> n);
		if ((a.bytes[i] & mask) != (network.bytes[i] & mask))
			return false;
		bits -= n;
	}
	return true;
}

AccessList::AccessList(const std::vector<std::string> &entries)
{
	nets_.reserve(entries.size());
	for (const std::string &e : entries)
		nets_.push_back(Cidr::parse(e));
}

bool AccessList::contains(const IpAddress &a) const
{
	for (const Cidr &c : nets_)
		if (c.contains(a))
			return true;
	return false;
}

std::vector<std::string> loopback_networks()
{
	return {"127.0.0.0/8", "::1/128"};
}

} // namespace hashboardd::api
