// SPDX-License-Identifier: MIT
//
// The transport URI shared by every scheme:
//   <scheme>:<path>[?<key>=<value>[&<key>=<value>...]]
// A bare path that starts with '/' is tty:<path>. There is no escaping: a path cannot
// hold '?', and option values cannot hold '&'. Every error is std::invalid_argument
// naming the part that is wrong.
#pragma once

#include <hashboard/clock.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashboard::transport {

struct TransportUri {
	std::string text; // as given, for messages
	std::string scheme;
	std::string path;
	std::vector<std::pair<std::string, std::string>> options; // keys unique, in order
};

TransportUri parse_transport_uri(std::string_view uri);

// Real devices time out in real time: on a virtual clock the caller's sleeps would take
// no time while every read waited for real. Throws std::invalid_argument for that.
void require_real_time(const TransportUri &uri, const Clock &clock);

// Typed, range-checked access to a URI's options. The constructor rejects any key that
// is not in valid, listing the valid ones.
class UriOptions {
public:
	UriOptions(const TransportUri &uri, std::span<const std::string_view> valid);

	std::optional<std::string> text(std::string_view key) const;
	// Decimal, or hex with a 0x prefix.
	std::optional<std::uint64_t> unsigned_value(std::string_view key, std::uint64_t min,
	                                            std::uint64_t max) const;
	std::optional<double> real_value(std::string_view key, double min, double max) const;
	// reset=hbsim:<socket>: the hbsim control socket that drives the reset line.
	std::optional<std::string> hbsim_reset_socket() const;

private:
	const std::string *find(std::string_view key) const;
	[[noreturn]] void bad_value(std::string_view key, const std::string &value,
	                            std::string_view expected) const;

	const TransportUri &uri_;
};

} // namespace hashboard::transport
