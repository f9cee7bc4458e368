// SPDX-License-Identifier: MIT
//
// The cgminer API's report commands, each rendered from one DaemonStatus snapshot with
// the keys cgminer and bmminer use and fleet tools read (docs/api.md lists each key,
// its meaning and unit).
#pragma once

#include "reply.hpp"

#include <hashboardd/status.hpp>

#include <cstdint>
#include <string>

namespace hashboardd::api {

// "HASHBOARD 0.1.0": the STATUS Description and the VERSION "Miner" value.
std::string firmware_description(const DaemonStatus &s);
std::int64_t unix_seconds(std::chrono::system_clock::time_point t);

Reply version_report(const DaemonStatus &s);
Reply summary_report(const DaemonStatus &s);
Reply devs_report(const DaemonStatus &s, bool enabled_only);
Reply pools_report(const DaemonStatus &s);
Reply stats_report(const DaemonStatus &s);
Reply config_report(const DaemonStatus &s);
Reply devdetails_report(const DaemonStatus &s);
Reply coin_report(const DaemonStatus &s);
Reply lcd_report(const DaemonStatus &s);

const char *pool_status_name(PoolState state);

} // namespace hashboardd::api
