// SPDX-License-Identifier: MIT
#include "log.hpp"

#include <cstdio>

namespace hbsim_tool {

void Log::line(const std::string &text) const
{
	std::fprintf(stderr, "[%12.6f] %s%s\n", hashboard::to_seconds(clock_.now()),
	             prefix_.c_str(), text.c_str());
}

void Log::raw(const std::string &text) const
{
	const std::size_t stamp = text.starts_with('[') ? text.find("] ") : std::string::npos;
	const std::size_t at = stamp == std::string::npos ? 0 : stamp + 2;
	std::fprintf(stderr, "%s%s%s\n", text.substr(0, at).c_str(), prefix_.c_str(),
	             text.c_str() + at);
}

} // namespace hbsim_tool
