// SPDX-License-Identifier: MIT
#include "state_dir.hpp"

#include <cstdlib>
#include <string>

namespace hashboardd {

std::filesystem::path state_directory(std::string_view name)
{
	if (const char *state = std::getenv("STATE_DIRECTORY"); state && *state) {
		// StateDirectory= may name several, colon-separated: the first is ours.
		const std::string_view all(state);
		return std::string(all.substr(0, all.find(':')));
	}
	if (const char *xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg)
		return std::filesystem::path(xdg) / name;
	if (const char *home = std::getenv("HOME"); home && *home)
		return std::filesystem::path(home) / ".local/state" / name;
	return std::filesystem::path("/var/lib") / name;
}

} // namespace hashboardd
