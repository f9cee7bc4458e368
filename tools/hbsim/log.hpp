// SPDX-License-Identifier: MIT
#pragma once

#include <hashboard/clock.hpp>

#include <string>
#include <utility>

namespace hbsim_tool {

// hbsim's own log on stderr, stamped like the simulator's lines ("[   12.345678] ...",
// seconds on the simulator's clock) so the two interleave readably.
class Log {
public:
	// prefix starts every line ("chain 1: " when one process serves several chains).
	explicit Log(const hashboard::Clock &clock, std::string prefix = {})
	    : clock_(clock), prefix_(std::move(prefix))
	{
	}
	void line(const std::string &text) const;
	// A line the simulator stamped itself; the prefix goes after its stamp.
	void raw(const std::string &text) const;

private:
	const hashboard::Clock &clock_;
	std::string prefix_;
};

} // namespace hbsim_tool
