// SPDX-License-Identifier: MIT
//
// A run's reports: JSON for machines, JUnit XML for line-side systems (one testcase per
// step), and one self-contained HTML page (inline CSS and SVG, nothing fetched) with a
// per-chip map of each chain.
#pragma once

#include <station/result.hpp>

#include <boost/json/value.hpp>

#include <string>

namespace station {

boost::json::value report_json(const RunResult &run);
std::string report_junit(const RunResult &run);
std::string report_html(const RunResult &run);

} // namespace station
