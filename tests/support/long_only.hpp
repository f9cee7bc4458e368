// SPDX-License-Identifier: MIT
//
// A Boost.Test precondition for the long flows (make test-long): the case runs only
// with HB_TEST_LONG=1 in the environment, and reports itself skipped otherwise.
//   BOOST_AUTO_TEST_CASE(name, *boost::unit_test::precondition(hbtest::long_only))
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string_view>

namespace hbtest {

inline boost::test_tools::assertion_result long_only(boost::unit_test::test_unit_id)
{
	const char *v = std::getenv("HB_TEST_LONG");
	if (v && std::string_view(v) == "1")
		return true;
	boost::test_tools::assertion_result r(false);
	r.message() << "a long flow: make test-long runs it (HB_TEST_LONG=1)";
	return r;
}

} // namespace hbtest
