// SPDX-License-Identifier: MIT
#include "tool_run.hpp"

#include "hbtest.hpp"

#include <boost/test/unit_test.hpp>

namespace hbtest {

using namespace std::chrono_literals;

ToolRun run_tool(const std::string &tool, const std::vector<std::string> &args, Child::Stderr err,
                 hashboard::Duration limit)
{
	std::vector<std::string> full{tool};
	full.insert(full.end(), args.begin(), args.end());
	Child child(full, err);
	ToolRun r;
	r.out = child.read_all(limit);
	// Output ends when the tool exits, so this wait is short unless it hangs.
	r.status = child.wait(10s);
	std::string cmd = tool.substr(tool.rfind('/') + 1);
	for (const auto &a : args)
		cmd += " " + a;
	BOOST_TEST_MESSAGE(cmd << " -> " << r.status << "\n" << r.out);
	return r;
}

} // namespace hbtest
