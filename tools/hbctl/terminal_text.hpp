// SPDX-License-Identifier: MIT
// Text that came from the user or the input (paths, names, pool data), made safe to show:
// control characters are escaped, so they cannot drive the terminal.
#pragma once

#include <string>
#include <string_view>

namespace hbctl {

// Control characters (and DEL) as \xNN; newlines kept, so messages keep their lines.
std::string terminal_safe(std::string_view s);

} // namespace hbctl
