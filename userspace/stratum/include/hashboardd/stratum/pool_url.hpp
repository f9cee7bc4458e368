// SPDX-License-Identifier: MIT
// stratum+tcp://host:port and stratum+ssl://host:port, as pools publish them and the
// daemon's config and the cgminer API's addpool give them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hashboardd::stratum {

struct PoolUrl {
	bool tls = false;
	std::string host; // a name, an IPv4 address or an IPv6 address without brackets
	std::uint16_t port = 0;

	std::string text() const; // back to stratum+tcp://host:port form
};

// Throws std::invalid_argument saying what is wrong ("pool URL 'x': no port").
// Accepted schemes: stratum+tcp, stratum+ssl, stratum+tls (an alias some pools use).
// A path, user info or query is refused: Stratum has none, and a typo is likelier.
PoolUrl parse_pool_url(std::string_view url);

} // namespace hashboardd::stratum
