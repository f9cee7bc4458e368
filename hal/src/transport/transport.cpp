// SPDX-License-Identifier: MIT
#include "ftdi_transport.hpp"
#include "kdev_transport.hpp"
#include "sim_transport.hpp"
#include "spidev_transport.hpp"
#include "tty_transport.hpp"
#include "unix_transport.hpp"
#include "uri.hpp"

#include <hashboard/transport.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <span>
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
	std::span<const std::string_view> options;
	std::unique_ptr<Transport> (*open)(const TransportUri &, Clock &);
};

constexpr std::array<Scheme, 6> kSchemes{{
    {"sim", true, kSimOptions, open_sim_transport},
    {"tty", false, kStreamOptions, open_tty_transport},
    {"unix", false, kStreamOptions, open_unix_transport},
    {"ftdi", false, kFtdiOptions, open_ftdi_transport},
    {"spidev", false, kSpidevOptions, open_spidev_transport},
    {"kdev", false, kKdevOptions, open_kdev_transport},
}};

const Scheme &scheme_for(const TransportUri &uri)
{
	for (const auto &s : kSchemes)
		if (s.name == uri.scheme)
			return s;
	std::vector<std::string> valid;
	std::string takes;
	for (const auto &s : kSchemes) {
		valid.push_back(std::string(s.name) + ":");
		takes += fmt::format("; {}: takes", s.name);
		if (!s.options.empty())
			takes += fmt::format(" {}", fmt::join(s.options, ", "));
	}
	throw std::invalid_argument(fmt::format("transport URI '{}': unknown scheme '{}:'; valid "
	                                        "schemes: {}{}",
	                                        uri.text, uri.scheme, fmt::join(valid, ", "),
	                                        takes));
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
