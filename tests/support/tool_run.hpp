// SPDX-License-Identifier: MIT
// A built tool (hbctl, hbsim) run to its end, for the integration tests that check what
// it prints and how it exits.
#pragma once

#include "child_process.hpp"
#include "hbtest.hpp"

#include <hashboard/clock.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace hbtest {

struct ToolRun {
	int status = -1; // exit status; -1 when it ran past its limit and was killed
	std::string out; // stdout, and stderr when captured
	bool has(const std::string &text) const { return out.find(text) != std::string::npos; }
};

// Runs tool with args; shows the command, its status and output as a test message.
ToolRun run_tool(const std::string &tool, const std::vector<std::string> &args,
                 Child::Stderr err = Child::Stderr::capture,
                 hashboard::Duration limit = std::chrono::seconds(60));
inline ToolRun run_hbctl(const std::vector<std::string> &args,
                         Child::Stderr err = Child::Stderr::capture,
                         hashboard::Duration limit = std::chrono::seconds(60))
{
	return run_tool(hbctl_bin(), args, err, limit);
}
inline ToolRun run_hbsim(const std::vector<std::string> &args,
                         Child::Stderr err = Child::Stderr::capture,
                         hashboard::Duration limit = std::chrono::seconds(60))
{
	return run_tool(hbsim_bin(), args, err, limit);
}

} // namespace hbtest
