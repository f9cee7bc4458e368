// SPDX-License-Identifier: MIT
#pragma once

#include <hashboard/chain.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <string>

namespace hbctl {

boost::json::object scan_to_json(const hashboard::ChipFamily &family,
                                 const hashboard::ScanResult &scan);
void print_scan_table(std::FILE *out, const hashboard::ChipFamily &family,
                      const hashboard::ScanResult &scan);
std::string hex16(unsigned v);

} // namespace hbctl
