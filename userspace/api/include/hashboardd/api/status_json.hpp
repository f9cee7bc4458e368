// SPDX-License-Identifier: MIT
//
// The whole DaemonStatus as JSON: what GET /status serves (docs/api.md, "HTTP").
// Times are Unix seconds, durations seconds, missing readings null.
#pragma once

#include <hashboardd/status.hpp>

#include <boost/json/value.hpp>

#include <string>

namespace hashboardd::api {

boost::json::value status_to_json(const DaemonStatus &status);
// Serialised with plain decimal numbers (json_writer.hpp).
std::string status_json_text(const DaemonStatus &status);

} // namespace hashboardd::api
