// SPDX-License-Identifier: MIT
//
// What an ftdi: URI asks for, checked before any USB device is touched:
//   ftdi:<vid>:<pid>[:<serial>][?baud=B&reset=LINE&power=LINE
//                               &reset_active_low=0|1&power_active_low=0|1]
// vid and pid are hex as lsusb prints them (0403:6015). LINE is cbus0..cbus3 (CBUS
// bit-bang) or dtr or rts (the modem-control outputs).
#pragma once

#include "uri.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hashboard::transport {

struct FtdiLine {
	enum class Kind { cbus, dtr, rts };
	Kind kind;
	unsigned cbus_bit = 0; // 0..3, for Kind::cbus
	// Levels are electrical: active_low means "asserted" drives the pin low.
	bool active_low = false;

	std::string name() const;
	bool same_pin(const FtdiLine &other) const
	{
		return kind == other.kind && (kind != Kind::cbus || cbus_bit == other.cbus_bit);
	}
};

struct FtdiSettings {
	std::uint16_t vid = 0;
	std::uint16_t pid = 0;
	std::optional<std::string> serial;
	std::uint32_t baud = 0;
	std::optional<FtdiLine> reset;
	std::optional<FtdiLine> power;

	// "0403:6015[:serial]", the URI's path in canonical form.
	std::string device() const;
};

inline constexpr std::array<std::string_view, 5> kFtdiOptions{
    "baud", "reset", "power", "reset_active_low", "power_active_low"};
// The FT232H's 12 MHz reference tops out at 12 MBd; the chip check comes at open.
inline constexpr std::uint32_t kFtdiMaxBaud = 12'000'000;

// Throws std::invalid_argument naming the part of the URI that is wrong.
FtdiSettings ftdi_settings(const TransportUri &uri);

// "0403:6015", as lsusb and the URI write USB ids.
std::string ftdi_usb_ids(std::uint16_t vid, std::uint16_t pid);

} // namespace hashboard::transport
