// SPDX-License-Identifier: MIT
//
// The cgminer API's privileged commands: each reads its parameter strictly, asks
// DaemonControl, and answers with cgminer's code for the outcome; a ControlError's
// message goes to the client as it is (docs/api.md has the syntax of each).
#pragma once

#include "reply.hpp"

#include <hashboardd/control.hpp>

#include <string>
#include <vector>

namespace hashboardd::api {

Reply addpool_command(DaemonControl &c, const DaemonStatus &s, const std::vector<std::string> &p);
Reply switchpool_command(DaemonControl &c, const DaemonStatus &s,
                         const std::vector<std::string> &p);
Reply enablepool_command(DaemonControl &c, const DaemonStatus &s,
                         const std::vector<std::string> &p);
Reply disablepool_command(DaemonControl &c, const DaemonStatus &s,
                          const std::vector<std::string> &p);
Reply removepool_command(DaemonControl &c, const DaemonStatus &s,
                         const std::vector<std::string> &p);
// ascset|<asc>,<option>,<value>[,chip=<position>]: options freq/frequency (MHz, per
// chain or per chip), volt/voltage (mV, per chain), tune-mode (a mode name) and
// tune-target (the mode's number), which set the whole board's tuning goal and start an
// online tune, help.
Reply ascset_command(DaemonControl &c, const DaemonStatus &s, const std::vector<std::string> &p);

// Limits the API itself puts on ascset values before DaemonControl checks the board's:
// anything beyond them is a typo or an attack, never a setting.
inline constexpr double kMaxFrequencyMhz = 5000;
inline constexpr double kMaxVoltageMv = 50000;
inline constexpr double kMaxTuneTarget = 1e6; // W, TH/s or MHz

} // namespace hashboardd::api
