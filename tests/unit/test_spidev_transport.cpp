// SPDX-License-Identifier: MIT
// The spidev: transport without a device: its URI, and its clocking model (write keeps
// what comes back, read polls with filler bytes on the injected clock, idle gaps are
// dropped) against a simulated chain behind the SpiBus interface, in virtual time.
#include <boost/test/unit_test.hpp>

#include "uri_expect.hpp"

#include "transport/spidev_transport.hpp"
#include "transport/uri.hpp"

#include <hashboard/transport.hpp>

#include <cerrno>
#include <chrono>
#include <deque>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

using namespace hashboard;
using namespace hashboard::transport;
using namespace std::chrono_literals;

using hbtest::expect_invalid_uri;

namespace {

// A chain on the far side of the SPI bus: shifts out what it has queued (once its time
// has come on the clock), its idle byte otherwise, and records every transfer.
struct ChainState {
	std::deque<std::uint8_t> queued;
	Duration ready_at{0};
	std::uint8_t idle = 0x00;
	bool broken = false;
	std::vector<Bytes> transfers; // what the host clocked out, one entry per transfer
	std::vector<std::uint32_t> speeds;
};

class FakeChain final : public SpiBus {
public:
	FakeChain(ChainState &state, const Clock &clock) : state_(state), clock_(clock) {}
	void transfer(ByteSpan tx, std::span<std::uint8_t> rx) override
	{
		BOOST_TEST_REQUIRE(tx.size() == rx.size());
		BOOST_TEST_REQUIRE(tx.size() <= kSpidevMaxTransfer);
		if (state_.broken)
			throw TransportError("spidev fake: transfer: No such device", ENODEV);
		state_.transfers.emplace_back(tx.begin(), tx.end());
		for (auto &b : rx) {
			const bool ready =
			    clock_.now() >= state_.ready_at && !state_.queued.empty();
			b = ready ? state_.queued.front() : state_.idle;
			if (ready)
				state_.queued.pop_front();
		}
	}
	void set_speed(std::uint32_t hz) override { state_.speeds.push_back(hz); }

private:
	ChainState &state_;
	const Clock &clock_;
};

struct Rig {
	VirtualClock clock;
	ChainState chain;
	std::unique_ptr<SpidevTransport> t;
	explicit Rig(const std::string &options = "")
	{
		const auto settings =
		    spidev_settings(parse_transport_uri("spidev:/dev/fake" + options));
		t = std::make_unique<SpidevTransport>(
		    "/dev/fake", std::make_unique<FakeChain>(chain, clock), settings, clock);
	}
	void queue(std::initializer_list<std::uint8_t> bytes)
	{
		chain.queued.insert(chain.queued.end(), bytes);
	}
	Bytes read(std::size_t max, Duration timeout)
	{
		Bytes buf(max);
		buf.resize(t->read(buf, timeout));
		return buf;
	}
};

} // namespace

BOOST_AUTO_TEST_CASE(options_and_defaults)
{
	const auto d = spidev_settings(parse_transport_uri("spidev:/dev/spidev0.0"));
	BOOST_TEST(d.bus.speed_hz == 1'000'000u);
	BOOST_TEST(d.bus.mode == 0u);
	BOOST_TEST(d.bus.bits_per_word == 8u);
	BOOST_TEST(d.filler == 0x00);
	BOOST_TEST(d.idle == 0x00);
	BOOST_TEST(d.poll_chunk == 64u);
	BOOST_TEST(!d.follow_baud);

	const auto s = spidev_settings(parse_transport_uri("spidev:/dev/spidev1.2?speed=8000000"
	                                                   "&mode=3&bits=8&filler=0xff&idle=0xFF"
	                                                   "&poll_chunk=16"));
	BOOST_TEST(s.bus.speed_hz == 8'000'000u);
	BOOST_TEST(s.bus.mode == 3u);
	BOOST_TEST(s.filler == 0xff);
	BOOST_TEST(s.idle == 0xff);
	BOOST_TEST(s.poll_chunk == 16u);

	// Following the baud, the SPI clock starts at the link's opening rate.
	const auto f = spidev_settings(parse_transport_uri("spidev:/dev/spidev0.0?follow_baud=1"));
	BOOST_TEST(f.follow_baud);
	BOOST_TEST(f.bus.speed_hz == 115'200u);
}

BOOST_AUTO_TEST_CASE(bad_uris_name_the_problem)
{
	expect_invalid_uri("spidev:", {"needs a device path"});
	expect_invalid_uri("spidev:/dev/spidev0.0?mode=4", {"mode=4", "integer from 0 to 3"});
	expect_invalid_uri("spidev:/dev/spidev0.0?bits=9", {"bits=9", "from 1 to 8"});
	expect_invalid_uri("spidev:/dev/spidev0.0?speed=0", {"speed=0"});
	expect_invalid_uri("spidev:/dev/spidev0.0?filler=0x100", {"filler=0x100"});
	expect_invalid_uri("spidev:/dev/spidev0.0?idle=0xg1", {"idle=0xg1"});
	expect_invalid_uri("spidev:/dev/spidev0.0?poll_chunk=0", {"poll_chunk=0"});
	expect_invalid_uri("spidev:/dev/spidev0.0?poll_chunk=4097", {"poll_chunk=4097", "to 4096"});
	expect_invalid_uri("spidev:/dev/spidev0.0?follow_baud=yes", {"follow_baud=yes"});
	expect_invalid_uri("spidev:/dev/spidev0.0?speed=1000000&follow_baud=1", {"give one"});
	expect_invalid_uri("spidev:/dev/spidev0.0?baud=9600",
	                   {"'baud'", "spidev: takes speed, mode, bits, filler, idle, poll_chunk, "
	                              "follow_baud"});
	VirtualClock virtual_clock;
	BOOST_CHECK_THROW(open_transport("spidev:/dev/spidev0.0", virtual_clock),
	                  std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_missing_device_is_a_transport_error)
{
	SteadyClock clock;
	try {
		open_transport("spidev:/dev/hbtest-no-such-spidev", clock);
		BOOST_ERROR("opened a missing device");
	} catch (const TransportError &e) {
		BOOST_TEST(e.error_number() == ENOENT);
	}
}

BOOST_AUTO_TEST_CASE(write_clocks_out_and_keeps_what_came_back)
{
	Rig rig;
	rig.queue({0xAA, 0x55, 0x01, 0x02});
	const Bytes frame{0x55, 0xAA, 0x52, 0x05, 0x00, 0x00, 0x0A, 0x0B};
	rig.t->write(frame);
	BOOST_TEST_REQUIRE(rig.chain.transfers.size() == 1u);
	BOOST_TEST(rig.chain.transfers[0] == frame, boost::test_tools::per_element());
	// The reply and the idle bytes after it, as they came: no poll was needed.
	const Bytes got = rig.read(64, 0ms);
	BOOST_TEST(got == (Bytes{0xAA, 0x55, 0x01, 0x02, 0, 0, 0, 0}),
	           boost::test_tools::per_element());
	BOOST_TEST(rig.chain.transfers.size() == 1u);
}

BOOST_AUTO_TEST_CASE(read_polls_with_filler_at_most_poll_chunk_bytes)
{
	Rig rig("?poll_chunk=16&filler=0xff");
	for (int i = 1; i <= 40; ++i)
		rig.chain.queued.push_back(std::uint8_t(i));
	Bytes got;
	while (got.size() < 40) {
		const Bytes part = rig.read(64, 10ms);
		BOOST_TEST_REQUIRE(!part.empty());
		got.insert(got.end(), part.begin(), part.end());
	}
	BOOST_TEST_REQUIRE(got.size() >= 40u);
	for (int i = 0; i < 40; ++i)
		BOOST_TEST(got[std::size_t(i)] == i + 1);
	BOOST_TEST(rig.chain.transfers.size() == 3u);
	for (const auto &tx : rig.chain.transfers)
		BOOST_TEST(tx == Bytes(16, 0xff), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_idle_chain_times_out_on_the_clock)
{
	Rig rig("?poll_chunk=8");
	BOOST_TEST(rig.read(64, 10ms).empty());
	// Polled every millisecond from 0 to 10 ms: eleven transfers, the last at the deadline.
	BOOST_TEST(rig.clock.now() == Duration(10ms));
	BOOST_TEST(rig.chain.transfers.size() == 11u);
	for (const auto &tx : rig.chain.transfers)
		BOOST_TEST(tx.size() == 8u);
	// A zero timeout polls once.
	BOOST_TEST(rig.read(64, 0ms).empty());
	BOOST_TEST(rig.chain.transfers.size() == 12u);
	BOOST_TEST(rig.clock.now() == Duration(10ms));
}

BOOST_AUTO_TEST_CASE(a_reply_during_the_wait_ends_it)
{
	Rig rig;
	rig.queue({0xAA, 0x55, 0x13, 0x66});
	rig.chain.ready_at = 5ms;
	const Bytes got = rig.read(4, 100ms);
	BOOST_TEST(got == (Bytes{0xAA, 0x55, 0x13, 0x66}), boost::test_tools::per_element());
	BOOST_TEST(rig.clock.now() == Duration(5ms));
}

BOOST_AUTO_TEST_CASE(idle_gaps_are_dropped_idle_bytes_inside_replies_are_not)
{
	Rig rig("?poll_chunk=64");
	// A run of idle bytes as long as kIdleHold inside the stream arrives whole...
	Bytes frame{0xAA};
	frame.insert(frame.end(), SpidevTransport::kIdleHold, 0x00);
	frame.push_back(0x55);
	rig.chain.queued.assign(frame.begin(), frame.end());
	Bytes want = frame;
	// ...and so do the first kIdleHold idle bytes after it (they could be a reply's
	// tail); the rest of the gap is dropped.
	want.insert(want.end(), SpidevTransport::kIdleHold, 0x00);
	Bytes got;
	for (Bytes part; !(part = rig.read(256, 5ms)).empty();)
		got.insert(got.end(), part.begin(), part.end());
	BOOST_TEST(got == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(small_reads_take_from_what_one_transfer_brought)
{
	Rig rig("?poll_chunk=10");
	rig.queue({1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
	Bytes got;
	for (Bytes part; got.size() < 10 && !(part = rig.read(3, 0ms)).empty();)
		got.insert(got.end(), part.begin(), part.end());
	BOOST_TEST(got == (Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), boost::test_tools::per_element());
	BOOST_TEST(rig.chain.transfers.size() == 1u);
}

BOOST_AUTO_TEST_CASE(flush_input_drops_what_was_clocked_in)
{
	Rig rig;
	rig.queue({0xAA, 0x55, 1, 2, 3});
	rig.t->write(Bytes{9, 9, 9, 9, 9});
	rig.t->flush_input();
	// Flushed, the link is in a gap: the idle bytes that follow are not delivered.
	BOOST_TEST(rig.read(64, 3ms).empty());
	rig.queue({0x42});
	BOOST_TEST(rig.read(1, 3ms) == Bytes{0x42});
}

BOOST_AUTO_TEST_CASE(long_writes_are_split_into_transfers)
{
	Rig rig;
	Bytes data(10'000);
	for (std::size_t i = 0; i < data.size(); ++i)
		data[i] = std::uint8_t(i * 7);
	rig.t->write(data);
	BOOST_TEST_REQUIRE(rig.chain.transfers.size() == 3u);
	BOOST_TEST(rig.chain.transfers[0].size() == 4096u);
	BOOST_TEST(rig.chain.transfers[1].size() == 4096u);
	BOOST_TEST(rig.chain.transfers[2].size() == 10'000u - 8192u);
	Bytes sent;
	for (const auto &tx : rig.chain.transfers)
		sent.insert(sent.end(), tx.begin(), tx.end());
	BOOST_TEST((sent == data));
}

BOOST_AUTO_TEST_CASE(baud_sets_the_clock_only_when_asked)
{
	Rig plain;
	plain.t->set_baud(1'000'000);
	BOOST_TEST(plain.t->baud() == 1'000'000u);
	BOOST_TEST(plain.chain.speeds.empty());
	BOOST_TEST(plain.t->describe() == "spidev:/dev/fake @1000000 spi=1000000Hz mode=0");

	Rig follow("?follow_baud=1&mode=1&filler=0xff");
	BOOST_TEST(follow.t->describe() ==
	           "spidev:/dev/fake @115200 spi=115200Hz mode=1 follow_baud filler=0xff");
	follow.t->set_baud(3'125'000);
	BOOST_TEST(follow.chain.speeds == std::vector<std::uint32_t>{3'125'000u},
	           boost::test_tools::per_element());
	BOOST_TEST(follow.t->baud() == 3'125'000u);
	BOOST_TEST(follow.t->describe().find("spi=3125000Hz") != std::string::npos);
	BOOST_CHECK_THROW(follow.t->set_baud(0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(no_reset_line)
{
	Rig rig;
	BOOST_TEST(!rig.t->has_reset());
	BOOST_CHECK_THROW(rig.t->set_reset(true), std::logic_error);
}

BOOST_AUTO_TEST_CASE(bus_failures_surface_as_transport_errors)
{
	Rig rig;
	rig.chain.broken = true;
	BOOST_CHECK_THROW(rig.t->write(Bytes{1, 2, 3}), TransportError);
	BOOST_CHECK_THROW(rig.read(8, 5ms), TransportError);
}
