// SPDX-License-Identifier: MIT
//
// A Boost.Test precondition for the cases that measure scale or must keep real time:
// in the sanitizer tree (HB_SANITIZED, tests/CMakeLists.txt) they are skipped, because
// a Debug+ASan build is slower for reasons that are the sanitizers', not the code's.
//   BOOST_AUTO_TEST_CASE(name, *boost::unit_test::precondition(hbtest::release_only))
#pragma once

#include <boost/test/unit_test.hpp>

namespace hbtest {

inline boost::test_tools::assertion_result release_only(boost::unit_test::test_unit_id)
{
#ifdef HB_SANITIZED
	boost::test_tools::assertion_result r(false);
	r.message() << "a scale or real-time check: run in the release tree";
	return r;
#else
	return true;
#endif
}

} // namespace hbtest
