// SPDX-License-Identifier: MIT
#include "log.hpp"

#include <cstdio>

namespace hbsim_tool {

void Log::line(const std::string &text) const
{
	std::fprintf(stderr, "[%12.6f] %s\n", hashboard::to_seconds(clock_.now()), text.c_str());
}

void Log::raw(const std::string &text)
{
	std::fprintf(stderr, "%s\n", text.c_str());
}

} // namespace hbsim_tool
