// SPDX-License-Identifier: MIT
// hbctl run with --json: its exit status and its one JSON document, for the integration
// tests that read what it reports.
#pragma once

#include "tool_run.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace hbtest {

struct JsonRun {
	int status;
	boost::json::object out;
};

// Fails the test when hbctl prints no JSON object.
inline JsonRun run_hbctl_json(const std::vector<std::string> &args, hashboard::Duration limit)
{
	const auto r = run_hbctl(args, Child::Stderr::inherit, limit);
	boost::json::value doc;
	try {
		doc = boost::json::parse(r.out);
	} catch (const std::exception &e) {
		BOOST_FAIL("hbctl " << args[0] << " printed no JSON (" << e.what()
		                    << "): " << r.out);
	}
	BOOST_TEST_REQUIRE(doc.is_object());
	return {r.status, doc.as_object()};
}

} // namespace hbtest
