// SPDX-License-Identifier: MIT
//
// Who may run the cgminer API's privileged commands: addresses and CIDR networks
// (docs/api.md, "Privilege"). IPv4 is kept as an IPv4-mapped IPv6 address so one list
// matches a peer that the kernel hands over either way (127.0.0.1 or ::ffff:127.0.0.1).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hashboardd::api {

struct IpAddress {
	std::array<std::uint8_t, 16> bytes{}; // IPv6 order; IPv4 as ::ffff:a.b.c.d

	// "127.0.0.1", "::1", "::ffff:10.0.0.1"; std::invalid_argument otherwise.
	static IpAddress parse(std::string_view text);
	bool is_v4() const;
	bool is_loopback() const; // 127.0.0.0/8 or ::1
	std::string to_string() const;
	bool operator==(const IpAddress &) const = default;
};

struct Cidr {
	IpAddress network;
	unsigned prefix = 128; // in IPv6 bits: an IPv4 /8 is stored as /104

	// "10.0.0.0/8", "192.168.1.7" (a /32), "fd00::/8", "::1"; std::invalid_argument on
	// anything else, naming the text.
	static Cidr parse(std::string_view text);
	bool contains(const IpAddress &a) const;
};

class AccessList {
public:
	AccessList() = default;
	// Each entry as Cidr::parse reads it; the first bad one throws.
	explicit AccessList(const std::vector<std::string> &entries);
	bool contains(const IpAddress &a) const;
	bool empty() const { return nets_.empty(); }

private:
	std::vector<Cidr> nets_;
};

// 127.0.0.0/8 and ::1: the default of both lists in CgminerOptions.
std::vector<std::string> loopback_networks();

} // namespace hashboardd::api
