// SPDX-License-Identifier: MIT
// Command-line values shared by hbctl frames and hbctl regs: registers by name or
// number, chip addresses, register values, hex fields. All throw std::invalid_argument
// naming what was wrong (hbctl exits 2).
#pragma once

#include <hashboard/bm13xx/describe.hpp>
#include <hashboard/chip_family.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace hbctl {

// A number in decimal or 0x-prefixed hex, at most max.
std::uint64_t parse_number(const std::string &text, const std::string &what, std::uint64_t max);
// Hex digits with an optional 0x, at most 8 (Stratum and header fields).
std::uint32_t parse_hex32(const std::string &text, const std::string &what);
// A register name from the family table (pll0, ticket_mask, ...) or a number 0..255.
std::uint8_t parse_register(const hashboard::ChipFamily &family, const std::string &text);
std::uint8_t parse_address(const std::string &text);
// "chip_id(0x00), pll0(0x08), ..." for help and error texts.
std::string register_list(const hashboard::ChipFamily &family);

// Fields as a JSON object (values typed as describe.hpp says) and as "k=v k=v".
boost::json::object fields_to_json(const std::vector<hashboard::bm13xx::Field> &fields);
std::string fields_to_text(const std::vector<hashboard::bm13xx::Field> &fields);

} // namespace hbctl
