// SPDX-License-Identifier: MIT
//
// JSON text with numbers as people and fleet tools read them: boost::json's own
// serialiser writes doubles in exponent form (1.2345E2), which is valid but unlike every
// miner's API; this one writes the shortest decimal that reads back the same (fmt's
// "{}"), and null for a non-finite double instead of text no parser takes.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace hashboardd::api {

void write_json(const boost::json::value &v, std::string &out);
std::string json_text(const boost::json::value &v);
// A JSON string literal, quotes included.
void write_json_string(std::string_view s, std::string &out);

} // namespace hashboardd::api
