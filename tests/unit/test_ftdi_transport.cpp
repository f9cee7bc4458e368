// SPDX-License-Identifier: MIT
// The parts of the ftdi: transport that need no device: its URI, and the rates an FTDI
// divisor makes (checked against FTDI's published rules and the 3 % limit).
#include <boost/test/unit_test.hpp>

#include "uri_expect.hpp"

#include "transport/ftdi_baud.hpp"
#include "transport/ftdi_settings.hpp"
#include "transport/uri.hpp"

#include <hashboard/transport.hpp>

#include <cmath>
#include <cstdint>
#include <string>

using namespace hashboard;
using namespace hashboard::transport;

using hbtest::expect_invalid_uri;

namespace {

FtdiSettings settings(const std::string &uri)
{
	return ftdi_settings(parse_transport_uri(uri));
}

} // namespace

BOOST_AUTO_TEST_CASE(ids_and_serial_come_from_the_path)
{
	const auto s = settings("ftdi:0403:6015");
	BOOST_TEST(s.vid == 0x0403);
	BOOST_TEST(s.pid == 0x6015);
	BOOST_TEST(!s.serial.has_value());
	BOOST_TEST(s.baud == 115200u);
	BOOST_TEST(!s.reset.has_value());
	BOOST_TEST(!s.power.has_value());
	BOOST_TEST(s.device() == "0403:6015");

	// Short and upper-case hex ids are written back canonically; the serial is kept
	// as given, colons included.
	const auto t = settings("ftdi:403:60A1:FT9X:Z1?baud=1000000");
	BOOST_TEST(t.vid == 0x0403);
	BOOST_TEST(t.pid == 0x60a1);
	BOOST_TEST(*t.serial == "FT9X:Z1");
	BOOST_TEST(t.baud == 1'000'000u);
	BOOST_TEST(t.device() == "0403:60a1:FT9X:Z1");
}

BOOST_AUTO_TEST_CASE(reset_and_power_lines)
{
	const auto s = settings("ftdi:0403:6001?reset=cbus2&power=cbus0&reset_active_low=1");
	BOOST_TEST_REQUIRE(s.reset.has_value());
	BOOST_TEST((s.reset->kind == FtdiLine::Kind::cbus));
	BOOST_TEST(s.reset->cbus_bit == 2u);
	BOOST_TEST(s.reset->active_low);
	BOOST_TEST(s.reset->name() == "cbus2");
	BOOST_TEST_REQUIRE(s.power.has_value());
	BOOST_TEST(s.power->cbus_bit == 0u);
	BOOST_TEST(!s.power->active_low);

	const auto m = settings("ftdi:0403:6001?reset=dtr&power=rts&power_active_low=1");
	BOOST_TEST((m.reset->kind == FtdiLine::Kind::dtr));
	BOOST_TEST(m.reset->name() == "dtr");
	BOOST_TEST((m.power->kind == FtdiLine::Kind::rts));
	BOOST_TEST(m.power->active_low);
}

BOOST_AUTO_TEST_CASE(bad_uris_name_the_problem)
{
	const std::string usage = "ftdi:<vid>:<pid>[:<serial>]";
	expect_invalid_uri("ftdi:", {"vendor and a product id", usage});
	expect_invalid_uri("ftdi:0403", {"vendor and a product id"});
	expect_invalid_uri("ftdi:0403:", {"product id ''"});
	expect_invalid_uri("ftdi:04g3:6015", {"vendor id '04g3'", "hex"});
	expect_invalid_uri("ftdi:10403:6015", {"vendor id '10403'"});
	expect_invalid_uri("ftdi:0403:6015:", {"serial", "empty"});
	expect_invalid_uri("ftdi:0403:6015?baud=0", {"baud=0", "integer from 1 to 12000000"});
	expect_invalid_uri("ftdi:0403:6015?baud=fast", {"baud=fast"});
	expect_invalid_uri("ftdi:0403:6015?baud=13000000", {"baud=13000000"});
	expect_invalid_uri("ftdi:0403:6015?reset=cbus4",
	                   {"reset=cbus4", "cbus0, cbus1, cbus2, cbus3, dtr or rts"});
	expect_invalid_uri("ftdi:0403:6015?power=gpio1", {"power=gpio1"});
	expect_invalid_uri("ftdi:0403:6015?reset=CBUS0", {"reset=CBUS0"});
	expect_invalid_uri("ftdi:0403:6015?reset=rts&power=rts", {"both on rts"});
	expect_invalid_uri("ftdi:0403:6015?reset=cbus1&power=cbus1", {"both on cbus1"});
	expect_invalid_uri("ftdi:0403:6015?reset=cbus1&reset_active_low=2", {"reset_active_low=2"});
	expect_invalid_uri("ftdi:0403:6015?power_active_low=1",
	                   {"power_active_low", "power= line"});
	expect_invalid_uri("ftdi:0403:6015?latency=2",
	                   {"'latency'", "ftdi: takes baud, reset, power, reset_active_low, "
	                                 "power_active_low"});
}

BOOST_AUTO_TEST_CASE(ftdi_needs_real_time)
{
	VirtualClock clock;
	BOOST_CHECK_THROW(open_transport("ftdi:0403:6015", clock), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_missing_device_is_a_transport_error)
{
	// No FTDI device carries this serial (and in a container there may be no USB at all):
	// either way the open fails as a link failure, not a crash or a hang.
	SteadyClock clock;
	BOOST_CHECK_THROW(open_transport("ftdi:0403:6015:hbtest-no-such-serial", clock),
	                  TransportError);
}

BOOST_AUTO_TEST_CASE(divisors_follow_ftdis_rules)
{
	// The special divisors 0 and 1 give 3 MBd and 2 MBd; 2 gives 1.5 MBd.
	auto r = nearest_ftdi_rate(3'000'000, kFtdiClassicClockHz);
	BOOST_TEST(r.actual == 3'000'000.0);
	BOOST_TEST(r.divisor_x8 == 0u);
	r = nearest_ftdi_rate(2'000'000, kFtdiClassicClockHz);
	BOOST_TEST(r.actual == 2'000'000.0);
	BOOST_TEST(r.divisor_x8 == 8u);
	r = nearest_ftdi_rate(1'500'000, kFtdiClassicClockHz);
	BOOST_TEST(r.actual == 1'500'000.0);
	BOOST_TEST(r.divisor_x8 == 16u);
	// Exact integer divisors.
	BOOST_TEST(nearest_ftdi_rate(1'000'000, kFtdiClassicClockHz).divisor_x8 == 24u);
	BOOST_TEST(nearest_ftdi_rate(9600, kFtdiClassicClockHz).actual == 9600.0);
	// AN232B-05's worked example: 490000 Bd needs 6.122, the chip makes 6.125.
	r = nearest_ftdi_rate(490'000, kFtdiClassicClockHz);
	BOOST_TEST(r.divisor_x8 == 49u);
	BOOST_TEST(std::abs(r.actual - 489'795.9) < 0.1);
	// 115200 Bd: 26.04 rounds to 26, 0.16 % fast.
	r = nearest_ftdi_rate(115'200, kFtdiClassicClockHz);
	BOOST_TEST(r.divisor_x8 == 208u);
	BOOST_TEST(std::abs(r.error(115'200) - 0.0016) < 0.0001);
	// The slowest: 16383.875.
	r = nearest_ftdi_rate(100, kFtdiClassicClockHz);
	BOOST_TEST(r.divisor_x8 == 16383u * 8 + 7);
	// The 12 MHz reference of the H series.
	BOOST_TEST(nearest_ftdi_rate(12'000'000, kFtdiHighSpeedClockHz).actual == 12'000'000.0);
	BOOST_TEST(nearest_ftdi_rate(3'000'000, kFtdiHighSpeedClockHz).divisor_x8 == 32u);
}

BOOST_AUTO_TEST_CASE(rates_more_than_3_percent_off_are_refused)
{
	// The chips' 3.125 MBd is 4 % above an FT232R's 3 MBd, within 1 % of an FT232H's
	// 3.097 MBd (12 MHz / 3.875).
	BOOST_TEST(!ftdi_rate_within_tolerance(3'125'000, false).has_value());
	const auto h = ftdi_rate_within_tolerance(3'125'000, true);
	BOOST_TEST_REQUIRE(h.has_value());
	BOOST_TEST(std::abs(h->actual - 12e6 / 3.875) < 1.0);
	// Between the special divisors there is nothing: 2.5 MBd is 20 % from 2 and 3 MBd.
	BOOST_TEST(!ftdi_rate_within_tolerance(2'500'000, false).has_value());
	BOOST_TEST(!ftdi_rate_within_tolerance(100, false).has_value());
	BOOST_TEST(!ftdi_rate_within_tolerance(12'000'000, false).has_value());
	BOOST_TEST(ftdi_rate_within_tolerance(12'000'000, true).has_value());
	BOOST_TEST(ftdi_rate_within_tolerance(184, false).has_value());
	// Just inside and just outside 3 % of 3 MBd.
	BOOST_TEST(ftdi_rate_within_tolerance(2'920'000, false).has_value());
	BOOST_TEST(!ftdi_rate_within_tolerance(2'900'000, false).has_value());
}

BOOST_AUTO_TEST_CASE(libftdi_is_asked_for_what_gives_the_same_divisor)
{
	// Near a special divisor libftdi goes by thresholds (anything from 2 to 3 MBd gets
	// 2 MBd), so it is handed the exact rate; elsewhere it rounds to the nearest eighth
	// as this code does and gets the request.
	auto r = nearest_ftdi_rate(2'950'000, kFtdiClassicClockHz);
	BOOST_TEST(r.actual == 3'000'000.0);
	BOOST_TEST(r.library_request == 3'000'000u);
	r = nearest_ftdi_rate(1'960'000, kFtdiClassicClockHz);
	BOOST_TEST(r.library_request == 2'000'000u);
	BOOST_TEST(nearest_ftdi_rate(115'200, kFtdiClassicClockHz).library_request == 115'200u);

	// libftdi's rounding for ordinary divisors, restated from FTDI's rules: sixteenths
	// truncated, then halves rounded up. It must agree with ours everywhere below the
	// special divisors.
	for (std::uint32_t baud = 190; baud < 1'500'000; baud += baud / 97 + 1) {
		const std::uint32_t sixteenths = 48'000'000 / baud;
		const std::uint32_t library =
		    std::min<std::uint32_t>((sixteenths + 1) / 2, 16383 * 8 + 7);
		BOOST_TEST(nearest_ftdi_rate(baud, kFtdiClassicClockHz).divisor_x8 == library,
		           baud << " Bd");
	}
}

BOOST_AUTO_TEST_CASE(reference_clock_by_chip_class)
{
	BOOST_TEST(ftdi_clock_for(115'200, false) == kFtdiClassicClockHz);
	BOOST_TEST(ftdi_clock_for(3'000'000, false) == kFtdiClassicClockHz);
	BOOST_TEST(ftdi_clock_for(115'200, true) == kFtdiHighSpeedClockHz);
	// Below ~732 Bd the 12 MHz divisor overflows and the H series use 3 MHz.
	BOOST_TEST(ftdi_clock_for(733, true) == kFtdiHighSpeedClockHz);
	BOOST_TEST(ftdi_clock_for(732, true) == kFtdiClassicClockHz);
}
