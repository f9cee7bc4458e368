// SPDX-License-Identifier: MIT
#include "sim_transport.hpp"
#include "tty_transport.hpp"
#include "unix_transport.hpp"
#include "uri.hpp"

#include <hashboard/transport.hpp>

#include <array>
#include <stdexcept>

namespace hashboard {

void Transport::set_reset(bool)
{
	throw std::logic_error("transport " + describe() + " has no reset line");
}

namespace transport {
namespace {

struct Scheme {
	std::string_view name;
	bool virtual_time; // runs on a virtual clock; the others need a real one
	std::unique_ptr<Transport> (*open)(const TransportUri &, Clock &);
};

constexpr std::array<Scheme, 3> kSchemes{{
    {"sim", true, open_sim_transport},
    {"tty", false, open_tty_transport},
    {"unix", false, open_unix_transport},
}};

const Scheme &scheme_for(const TransportUri &uri)
{
	for (const auto &s : kSchemes)
		if (s.name == uri.scheme)
			return s;
	std::string valid;
	for (const auto &s : kSchemes)
		valid += (valid.empty() ? "" : ", ") + std::string(s.name) + ":";
	throw std::invalid_argument("transport URI '" + uri.text + "': unknown scheme '" +
	                            uri.scheme + ":'; valid schemes: " + valid);
}

} // namespace
} // namespace transport

std::unique_ptr<Transport> open_transport(std::string_view uri, Clock &clock)
{
	const auto parsed = transport::parse_transport_uri(uri);
	return transport::scheme_for(parsed).open(parsed, clock);
}

std::unique_ptr<Clock> clock_for_transport(std::string_view uri)
{
	const auto parsed = transport::parse_transport_uri(uri);
	if (transport::scheme_for(parsed).virtual_time)
		return std::make_unique<VirtualClock>();
	return std::make_unique<SteadyClock>();
}

} // namespace hashboard
