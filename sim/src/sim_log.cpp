// SPDX-License-Identifier: MIT
#include "sim_log.hpp"

#include <cstdarg>
#include <cstdio>

namespace hbsim::detail {

void SimLog::line(hashboard::Duration t, const char *fmt, ...) const
{
	if (!sink_)
		return;
	char text[320];
	const int head = std::snprintf(text, sizeof text, "[%12.6f] ", hashboard::to_seconds(t));
	std::va_list args;
	va_start(args, fmt);
	std::vsnprintf(text + head, sizeof text - std::size_t(head), fmt, args);
	va_end(args);
	sink_(text);
}

} // namespace hbsim::detail
