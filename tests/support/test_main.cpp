// SPDX-License-Identifier: MIT
// The one main() of every test program (Boost.Test, shared library): the master suite
// is named after the program. One main instead of a BOOST_TEST_MODULE per file lets
// every test share one precompiled Boost.Test header (tests/CMakeLists.txt).
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

namespace {

bool init_suite()
{
	auto &suite = boost::unit_test::framework::master_test_suite();
	if (suite.argc > 0)
		suite.p_name.value = std::filesystem::path(suite.argv[0]).filename().string();
	return true;
}

} // namespace

int main(int argc, char *argv[])
{
	return boost::unit_test::unit_test_main(&init_suite, argc, argv);
}
