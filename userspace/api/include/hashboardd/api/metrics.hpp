// SPDX-License-Identifier: MIT
//
// The Prometheus text exposition (format 0.0.4) of a DaemonStatus: what GET /metrics
// serves. docs/api.md lists every metric, its type, unit and labels.
#pragma once

#include <hashboardd/status.hpp>

#include <string>
#include <vector>

namespace hashboardd::api {

inline constexpr const char *kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string render_metrics(const DaemonStatus &status);

// Every metric family name render_metrics can emit (the Grafana dashboard's test checks
// each query against it).
const std::vector<std::string> &metric_names();

} // namespace hashboardd::api
