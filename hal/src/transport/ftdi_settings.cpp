// SPDX-License-Identifier: MIT
#include "ftdi_settings.hpp"

#include <hashboard/bm13xx/wire.hpp>
#include <hashboard/bytes.hpp>

#include <fmt/format.h>

#include <charconv>
#include <stdexcept>

namespace hashboard::transport {

namespace {

[[noreturn]] void bad_path(const TransportUri &uri, std::string_view why)
{
	throw std::invalid_argument("transport URI '" + uri.text + "': ftdi: " + std::string(why) +
	                            "; expected ftdi:<vid>:<pid>[:<serial>] with hex ids, "
	                            "e.g. ftdi:0403:6015");
}

std::uint16_t hex_id(const TransportUri &uri, std::string_view text, std::string_view what)
{
	const auto value = parse_hex_number(text, 4);
	if (!value)
		bad_path(uri, std::string(what) + " '" + std::string(text) +
		                  "' is not 1 to 4 hex digits");
	return static_cast<std::uint16_t>(*value);
}

std::optional<FtdiLine> line_option(const TransportUri &uri, const UriOptions &options,
                                    std::string_view key, std::string_view active_low_key)
{
	const auto text = options.text(key);
	const auto active_low = options.unsigned_value(active_low_key, 0, 1);
	if (!text) {
		if (active_low)
			throw std::invalid_argument("transport URI '" + uri.text + "': option " +
			                            std::string(active_low_key) + " needs a " +
			                            std::string(key) + "= line");
		return std::nullopt;
	}
	FtdiLine line{FtdiLine::Kind::cbus, 0, active_low.value_or(0) == 1};
	if (*text == "dtr")
		line.kind = FtdiLine::Kind::dtr;
	else if (*text == "rts")
		line.kind = FtdiLine::Kind::rts;
	else if (text->size() == 5 && text->starts_with("cbus") && (*text)[4] >= '0' &&
	         (*text)[4] <= '3')
		line.cbus_bit = static_cast<unsigned>((*text)[4] - '0');
	else
		throw std::invalid_argument("transport URI '" + uri.text + "': option " +
		                            std::string(key) + "=" + *text +
		                            ": expected cbus0, cbus1, cbus2, cbus3, dtr or rts");
	return line;
}

} // namespace

std::string FtdiLine::name() const
{
	switch (kind) {
	case Kind::dtr:
		return "dtr";
	case Kind::rts:
		return "rts";
	case Kind::cbus:
		break;
	}
	return "cbus" + std::to_string(cbus_bit);
}

std::string ftdi_usb_ids(std::uint16_t vid, std::uint16_t pid)
{
	return fmt::format("{:04x}:{:04x}", vid, pid);
}

std::string FtdiSettings::device() const
{
	return ftdi_usb_ids(vid, pid) + (serial ? ":" + *serial : "");
}

FtdiSettings ftdi_settings(const TransportUri &uri)
{
	const UriOptions options(uri, kFtdiOptions);
	const std::string_view path = uri.path;
	const auto first = path.find(':');
	if (path.empty() || first == std::string_view::npos)
		bad_path(uri, "needs a vendor and a product id");
	const auto second = path.find(':', first + 1);

	FtdiSettings s;
	s.vid = hex_id(uri, path.substr(0, first), "vendor id");
	s.pid = hex_id(uri, path.substr(first + 1, second - first - 1), "product id");
	if (second != std::string_view::npos) {
		if (second + 1 == path.size())
			bad_path(uri, "the serial number after the second ':' is empty");
		s.serial = std::string(path.substr(second + 1));
	}
	s.baud = static_cast<std::uint32_t>(
	    options.unsigned_value("baud", 1, kFtdiMaxBaud).value_or(kResetHostBaud));
	s.reset = line_option(uri, options, "reset", "reset_active_low");
	s.power = line_option(uri, options, "power", "power_active_low");
	if (s.reset && s.power && s.reset->same_pin(*s.power))
		throw std::invalid_argument("transport URI '" + uri.text + "': reset and power " +
		                            "are both on " + s.reset->name());
	return s;
}

} // namespace hashboard::transport
