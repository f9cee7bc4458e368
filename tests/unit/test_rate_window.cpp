// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include <hashboard/rate_window.hpp>

using namespace hashboard;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(steady_rate_reads_back)
{
	RateWindow w(10s, 10);
	for (int ms = 0; ms < 30000; ms += 100)
		w.add(Duration(std::chrono::milliseconds(ms)), 100.0); // 1000 per second
	BOOST_TEST(w.rate(Duration(std::chrono::milliseconds(29999))) == 1000.0,
	           boost::test_tools::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(old_samples_leave_the_window)
{
	RateWindow w(5s, 5);
	w.add(Duration(1s), 5000.0);
	BOOST_TEST(w.rate(Duration(3s)) > 0.0);
	BOOST_TEST(w.rate(Duration(20s)) == 0.0);
	w.add(Duration(20s), 500.0);
	BOOST_TEST(w.rate(Duration(std::chrono::milliseconds(24999))) == 100.0,
	           boost::test_tools::tolerance(0.001));
}

BOOST_AUTO_TEST_CASE(start_up_is_not_diluted)
{
	RateWindow w(300s, 60);
	w.add(Duration(0s), 0.0);
	w.add(Duration(std::chrono::milliseconds(9999)), 10000.0);
	BOOST_TEST(w.rate(Duration(std::chrono::milliseconds(9999))) == 1000.0,
	           boost::test_tools::tolerance(0.01));
}

BOOST_AUTO_TEST_CASE(rejects_empty_window)
{
	BOOST_CHECK_THROW(RateWindow(Duration(0), 4), std::invalid_argument);
}
