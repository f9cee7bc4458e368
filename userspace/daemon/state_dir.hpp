// SPDX-License-Identifier: MIT
//
// Where the daemon keeps what it writes (the web password, tuning profiles): systemd's
// StateDirectory= when it runs as a service, else the user's XDG state directory, so a
// daemon run by hand never needs root.
#pragma once

#include <filesystem>
#include <string_view>

namespace hashboardd {

// $STATE_DIRECTORY (its first entry), else $XDG_STATE_HOME/<name>, else
// ~/.local/state/<name>, else /var/lib/<name>. Not created here.
std::filesystem::path state_directory(std::string_view name);

} // namespace hashboardd
