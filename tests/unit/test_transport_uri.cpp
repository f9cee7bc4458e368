// SPDX-License-Identifier: MIT
// Transport URIs (parsing, errors, clocks) and the in-process simulator transport in
// virtual time.
#include <boost/test/unit_test.hpp>

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/transport.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <initializer_list>
#include <string>
#include <vector>

using namespace hashboard;
using namespace std::chrono_literals;
namespace bm = hashboard::bm13xx;

namespace {

// open_transport must throw std::invalid_argument whose message holds every part. The
// clock is the one the URI asks for unless one is given.
void expect_invalid(const std::string &uri, std::initializer_list<std::string> parts,
                    Clock *given = nullptr)
{
	SteadyClock steady;
	Clock &clock = given ? *given : static_cast<Clock &>(steady);
	try {
		open_transport(uri, clock);
		BOOST_ERROR("no error for '" << uri << "'");
	} catch (const std::invalid_argument &e) {
		const std::string what = e.what();
		for (const auto &p : parts)
			BOOST_TEST(what.find(p) != std::string::npos, "'" << uri << "': message \""
			                                                  << what << "\" lacks \""
			                                                  << p << "\"");
	}
}

int transport_errno(const std::string &uri)
{
	SteadyClock clock;
	try {
		open_transport(uri, clock);
	} catch (const TransportError &e) {
		return e.error_number();
	}
	return 0;
}

// The chips' register replies to what was written, read until `expected` arrive or a
// read times out.
std::vector<bm::RegisterReply> read_replies(Transport &t, std::size_t reply_len,
                                            std::size_t expected, Duration timeout)
{
	bm::ReplyParser parser(reply_len);
	std::vector<bm::RegisterReply> replies;
	std::array<std::uint8_t, 64> buf;
	while (replies.size() < expected) {
		const std::size_t n = t.read(buf, timeout);
		if (n == 0)
			break;
		parser.feed(ByteSpan(buf.data(), n), [&](const bm::ChipFrame &f) {
			if (const auto *r = std::get_if<bm::RegisterReply>(&f))
				replies.push_back(*r);
		});
	}
	return replies;
}

// Enables version rolling (BM1366+ answer in 11 bytes from then on, as the HAL runs
// them) and reads register 0 of every chip.
Bytes enumerate_frames(const ChipFamily &family)
{
	Bytes out = bm::encode_write_register(true, 0, *family.regs.version_rolling,
	                                      hashboard::version_rolling_value(family, 0x1FFFE000));
	const Bytes read = bm::encode_read_register(true, 0, family.regs.chip_id);
	out.insert(out.end(), read.begin(), read.end());
	return out;
}

Duration wire_time(std::size_t bytes, double baud)
{
	// 8N1: ten bits a byte.
	return std::chrono::duration_cast<Duration>(
	    std::chrono::duration<double>(bytes * 10 / baud));
}

} // namespace

BOOST_AUTO_TEST_CASE(malformed_uris_name_the_problem)
{
	expect_invalid("", {"empty"});
	expect_invalid("ttyS0", {"'ttyS0'", "<scheme>:<path>"});
	expect_invalid("Tty:/dev/ttyS0", {"<scheme>:<path>"});
	expect_invalid("bogus:/dev/x", {"'bogus:'", "sim:, tty:, unix:"});
	expect_invalid("sim:bm1366?chips", {"'chips'", "key=value"});
	expect_invalid("sim:bm1366?=4", {"key=value"});
	expect_invalid("sim:bm1366?chips=4&", {"key=value"});
	expect_invalid("sim:bm1366?chips=4&chips=5", {"'chips'", "twice"});
}

BOOST_AUTO_TEST_CASE(unknown_options_list_the_valid_ones)
{
	expect_invalid("sim:bm1366?colour=red",
	               {"'colour'", "chips, zero_bits, seed, dead, mute, ber, flimit"});
	expect_invalid("tty:/dev/ttyS0?baud=9600", {"'baud'", "tty: takes reset"});
	expect_invalid("unix:/run/hbsim.sock?chips=4", {"'chips'", "unix: takes reset"});
}

BOOST_AUTO_TEST_CASE(bad_option_values_are_rejected)
{
	expect_invalid("sim:bm1366?chips=abc", {"chips=abc", "integer from 1 to 256"});
	expect_invalid("sim:bm1366?chips=0", {"chips=0"});
	expect_invalid("sim:bm1366?chips=4x", {"chips=4x"});
	expect_invalid("sim:bm1366?chips=-1", {"chips=-1"});
	expect_invalid("sim:bm1366?zero_bits=33", {"zero_bits=33"});
	expect_invalid("sim:bm1366?chips=4&dead=4", {"dead=4", "0 to 3"});
	expect_invalid("sim:bm1366?mute=9", {"mute=9"});
	expect_invalid("sim:bm1366?ber=2", {"ber=2", "0 to 1"});
	expect_invalid("sim:bm1366?ber=nan", {"ber=nan"});
	expect_invalid("sim:bm1366?flimit=0", {"flimit=0"});
	expect_invalid("sim:bm9999", {"bm9999"});
	expect_invalid("tty:/dev/ttyS0?reset=/tmp/ctl", {"reset=/tmp/ctl", "hbsim:"});
	expect_invalid("tty:/dev/ttyS0?reset=hbsim:", {"hbsim:<control-socket-path>"});
	expect_invalid("tty:", {"device path"});
	expect_invalid("unix:", {"socket path"});
}

BOOST_AUTO_TEST_CASE(real_devices_refuse_a_virtual_clock)
{
	VirtualClock clock;
	expect_invalid("tty:/dev/ttyS0", {"real time"}, &clock);
	expect_invalid("/dev/ttyS0", {"tty:", "real time"}, &clock);
	expect_invalid("unix:/run/hbsim.sock", {"real time"}, &clock);
}

BOOST_AUTO_TEST_CASE(each_scheme_gets_its_clock)
{
	BOOST_TEST(clock_for_transport("sim:bm1366")->is_virtual());
	BOOST_TEST(clock_for_transport("sim:")->is_virtual());
	BOOST_TEST(!clock_for_transport("tty:/dev/ttyS1")->is_virtual());
	BOOST_TEST(!clock_for_transport("/dev/ttyUSB0")->is_virtual());
	BOOST_TEST(!clock_for_transport("unix:/run/hbsim.sock")->is_virtual());
	BOOST_CHECK_THROW(clock_for_transport("serial:/dev/ttyS1"), std::invalid_argument);
	BOOST_CHECK_THROW(clock_for_transport(""), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(open_failures_keep_errno)
{
	BOOST_TEST(transport_errno("/nonexistent/ttyS9") == ENOENT);
	BOOST_TEST(transport_errno("tty:/nonexistent/ttyS9?reset=hbsim:/x") == ENOENT);
	BOOST_TEST(transport_errno("tty:/dev/null") == ENOTTY);
	BOOST_TEST(transport_errno("unix:/nonexistent/hbsim.sock") == ENOENT);
}

BOOST_AUTO_TEST_CASE(sim_uri_configures_the_chain)
{
	VirtualClock clock;
	const auto t =
	    open_transport("sim:bm1397?chips=3&zero_bits=10&seed=7&dead=2&ber=0.001", clock);
	BOOST_TEST(t->describe() ==
	           "sim:bm1397?chips=3&zero_bits=10&seed=7&dead=2&ber=0.001 @115200");
	BOOST_TEST(t->baud() == 115200u);
	BOOST_TEST(t->has_reset());
	t->set_baud(1'000'000);
	BOOST_TEST(t->baud() == 1'000'000u);

	// No family: the default board.
	const auto d = open_transport("sim:", clock);
	BOOST_TEST(d->describe() == "sim:bm1366?chips=4&zero_bits=12&seed=1 @115200");
}

BOOST_AUTO_TEST_CASE(sim_chips_answer_in_virtual_wire_time)
{
	VirtualClock clock;
	const auto t = open_transport("sim:bm1366?chips=5", clock);
	const auto &family = family_by_name("bm1366");

	t->set_reset(true);
	clock.sleep_for(100ms);
	t->set_reset(false);
	clock.sleep_for(100ms);

	const Bytes out = enumerate_frames(family);
	const Duration start = clock.now();
	t->write(out);
	const auto replies = read_replies(*t, family.reply_len, 5, 500ms);
	const Duration elapsed = clock.now() - start;

	BOOST_TEST_REQUIRE(replies.size() == 5u);
	for (const auto &r : replies) {
		BOOST_TEST((r.value >> 16) == family.chip_id);
		BOOST_TEST(r.reg == family.regs.chip_id);
	}
	// Time moved by the bytes on the wire (both ways, at the reset baud) plus the chips'
	// relay delays, never by the read timeout; and reads jump to each byte's arrival
	// rather than stepping a millisecond at a time past it.
	const Duration wire = wire_time(out.size() + 5 * family.reply_len, hashboard::kResetBaud);
	BOOST_TEST_MESSAGE("virtual time for the exchange: " << elapsed.count() << " ns, wire "
	                                                     << wire.count() << " ns");
	BOOST_TEST(elapsed.count() >= wire.count());
	BOOST_TEST(elapsed.count() <= (wire + 500us).count());

	// Nothing more comes: the read waits out its timeout exactly, in virtual time.
	std::array<std::uint8_t, 16> buf;
	const Duration before = clock.now();
	BOOST_TEST(t->read(buf, 250ms) == 0u);
	BOOST_TEST((clock.now() - before).count() == Duration(250ms).count());
}

BOOST_AUTO_TEST_CASE(sim_dead_chip_cuts_the_chain)
{
	VirtualClock clock;
	const auto t = open_transport("sim:bm1366?chips=6&dead=2", clock);
	const auto &family = family_by_name("bm1366");
	t->write(enumerate_frames(family));
	BOOST_TEST(read_replies(*t, family.reply_len, 6, 200ms).size() == 2u);
}

BOOST_AUTO_TEST_CASE(sim_flush_drops_what_was_received)
{
	VirtualClock clock;
	const auto t = open_transport("sim:bm1366?chips=3", clock);
	const auto &family = family_by_name("bm1366");
	t->write(enumerate_frames(family));
	clock.sleep_for(50ms); // every reply has arrived
	t->flush_input();
	BOOST_TEST(read_replies(*t, family.reply_len, 3, 50ms).empty());

	// The chain still answers afterwards.
	t->write(bm::encode_read_register(true, 0, family.regs.chip_id));
	BOOST_TEST(read_replies(*t, family.reply_len, 3, 200ms).size() == 3u);
}

BOOST_AUTO_TEST_CASE(held_reset_silences_the_sim_chain)
{
	VirtualClock clock;
	const auto t = open_transport("sim:bm1366?chips=3", clock);
	const auto &family = family_by_name("bm1366");
	t->set_reset(true);
	t->write(enumerate_frames(family));
	BOOST_TEST(read_replies(*t, family.reply_len, 3, 100ms).empty());
	t->set_reset(false);
	t->write(enumerate_frames(family));
	BOOST_TEST(read_replies(*t, family.reply_len, 3, 100ms).size() == 3u);
}

BOOST_AUTO_TEST_CASE(default_reset_line_is_a_logic_error)
{
	struct NoReset final : Transport {
		void write(ByteSpan) override {}
		std::size_t read(std::span<std::uint8_t>, Duration) override { return 0; }
		void set_baud(std::uint32_t) override {}
		std::uint32_t baud() const override { return 0; }
		void flush_input() override {}
		std::string describe() const override { return "test:link"; }
	} t;
	BOOST_TEST(!t.has_reset());
	try {
		t.set_reset(true);
		BOOST_ERROR("set_reset did not throw");
	} catch (const std::logic_error &e) {
		BOOST_TEST(std::string(e.what()) == "transport test:link has no reset line");
	}
}
