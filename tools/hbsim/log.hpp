// SPDX-License-Identifier: MIT
#pragma once

#include <hashboard/clock.hpp>

#include <string>

namespace hbsim_tool {

// hbsim's own log on stderr, stamped like the simulator's lines ("[   12.345678] ...",
// seconds on the simulator's clock) so the two interleave readably.
class Log {
public:
	explicit Log(const hashboard::Clock &clock) : clock_(clock) {}
	void line(const std::string &text) const;
	// The simulator stamps its own lines.
	static void raw(const std::string &text);

private:
	const hashboard::Clock &clock_;
};

} // namespace hbsim_tool
