// SPDX-License-Identifier: MIT
//
// A command's parameter text, read strictly: comma-separated fields (a backslash
// escapes a comma or itself, as cgminer's addpool allows), whole unsigned numbers and
// finite decimal numbers. Nothing here throws: a field that does not read is nullopt
// and the command says which.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashboardd::api {

std::vector<std::string> split_params(std::string_view text);
// Digits only, at most 1,000,000 (no sign, no spaces, no hex).
std::optional<unsigned> parse_index(std::string_view text);
// A finite decimal number ("525", "0.5", "-3", "1e3"); never NaN or infinity.
std::optional<double> parse_number(std::string_view text);
// Printable for a message: at most 64 characters, printable ASCII only (anything else
// as '?', so a cut never splits a UTF-8 sequence).
std::string shown(std::string_view text);

} // namespace hashboardd::api
