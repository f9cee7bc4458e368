// SPDX-License-Identifier: MIT
// The real-time transports against real kernel objects: tty: on a pty pair that the
// test holds the master of, unix: against a socket the test listens on, and the hbsim
// control client against a scripted control socket.
#include <boost/test/unit_test.hpp>

#include "transport_peers.hpp"

#include "transport/termios2.hpp"

#include <hashboard/transport.hpp>

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace hashboard;
using namespace std::chrono_literals;

namespace {

using hbtest::listen_unix;
using hbtest::Pty;
using hbtest::TempDir;
using hbtest::UniqueFd;

// Reads from a plain descriptor until n bytes came or a second passed.
Bytes read_fd(int fd, std::size_t n)
{
	Bytes out;
	while (out.size() < n) {
		pollfd p{fd, POLLIN, 0};
		if (::poll(&p, 1, 1000) <= 0)
			break;
		std::uint8_t buf[256];
		const ssize_t got = ::read(fd, buf, sizeof buf);
		if (got <= 0)
			break;
		out.insert(out.end(), buf, buf + got);
	}
	return out;
}

Bytes read_transport(Transport &t, std::size_t n)
{
	Bytes out;
	std::uint8_t buf[256];
	while (out.size() < n) {
		const std::size_t got = t.read(buf, 1s);
		if (got == 0)
			break;
		out.insert(out.end(), buf, buf + got);
	}
	return out;
}

void write_fd(int fd, const Bytes &data)
{
	BOOST_TEST_REQUIRE(::write(fd, data.data(), data.size()) == ssize_t(data.size()));
}

// Bytes a cooked tty would eat or change: CR, LF, ^C, ^D, XON, XOFF, ^Z, DEL, 0xFF.
const Bytes kTrickyBytes{0x55, 0xAA, 0x0D, 0x0A, 0x03, 0x04, 0x11, 0x13, 0x1A, 0x7F, 0xFF, 0x00};

// A control socket that answers from a script and records what it was asked.
class ScriptedControl {
public:
	ScriptedControl(const std::string &path, std::vector<std::string> answers)
	    : listener_(listen_unix(path)), answers_(std::move(answers)),
	      thread_([this] { serve(); })
	{
	}
	~ScriptedControl()
	{
		stop_ = true;
		thread_.join();
	}
	std::vector<std::string> requests() const { return requests_; }

private:
	void serve()
	{
		std::size_t next = 0;
		while (!stop_ && next < answers_.size()) {
			pollfd p{listener_.get(), POLLIN, 0};
			if (::poll(&p, 1, 20) <= 0)
				continue;
			UniqueFd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
			std::string line;
			char c;
			while (::read(client.get(), &c, 1) == 1 && c != '\n')
				line += c;
			requests_.push_back(line);
			const std::string answer = answers_[next++] + "\n";
			(void)!::write(client.get(), answer.data(), answer.size());
		}
	}

	UniqueFd listener_;
	std::vector<std::string> answers_;
	std::vector<std::string> requests_;
	std::atomic<bool> stop_{false};
	std::thread thread_;
};

} // namespace

BOOST_AUTO_TEST_CASE(tty_moves_raw_bytes_both_ways)
{
	Pty pty;
	SteadyClock clock;
	const auto t = open_transport("tty:" + pty.slave, clock);
	BOOST_TEST(t->describe() == "tty:" + pty.slave + " @115200");
	BOOST_TEST(t->baud() == 115200u);

	t->write(kTrickyBytes);
	BOOST_TEST(read_fd(pty.master.get(), kTrickyBytes.size()) == kTrickyBytes);

	write_fd(pty.master.get(), kTrickyBytes);
	BOOST_TEST(read_transport(*t, kTrickyBytes.size()) == kTrickyBytes);

	std::uint8_t buf[16];
	BOOST_TEST(t->read(buf, 20ms) == 0u);
	BOOST_TEST(t->read(buf, 0ms) == 0u);
}

BOOST_AUTO_TEST_CASE(tty_sets_any_baud)
{
	Pty pty;
	SteadyClock clock;
	// A bare absolute path is a tty.
	const auto t = open_transport(pty.slave, clock);
	std::uint32_t seen = 0;
	BOOST_TEST(transport::termios2::get_baud(pty.master.get(), seen) == 0);
	BOOST_TEST(seen == 115200u);
	for (std::uint32_t baud : {1'000'000u, 3'125'000u, 250'000u}) {
		t->set_baud(baud);
		BOOST_TEST(t->baud() == baud);
		BOOST_TEST(transport::termios2::get_baud(pty.master.get(), seen) == 0);
		BOOST_TEST(seen == baud);
	}
	BOOST_CHECK_THROW(t->set_baud(0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(tty_flush_drops_pending_input)
{
	Pty pty;
	SteadyClock clock;
	const auto t = open_transport("tty:" + pty.slave, clock);
	write_fd(pty.master.get(), {1, 2, 3, 4});
	clock.sleep_for(50ms); // the pty moves the bytes to the slave's queue
	t->flush_input();
	std::uint8_t buf[16];
	BOOST_TEST(t->read(buf, 20ms) == 0u);
	write_fd(pty.master.get(), {5});
	BOOST_TEST(read_transport(*t, 1) == Bytes{5});
}

BOOST_AUTO_TEST_CASE(tty_is_exclusive_while_open)
{
	Pty pty;
	SteadyClock clock;
	{
		const auto t = open_transport("tty:" + pty.slave, clock);
		try {
			open_transport("tty:" + pty.slave, clock);
			BOOST_ERROR("a second open succeeded");
		} catch (const TransportError &e) {
			BOOST_TEST(e.error_number() == EBUSY);
		}
	}
	BOOST_CHECK_NO_THROW(open_transport("tty:" + pty.slave, clock));
}

BOOST_AUTO_TEST_CASE(tty_without_reset_option_has_no_reset_line)
{
	Pty pty;
	SteadyClock clock;
	const auto t = open_transport("tty:" + pty.slave, clock);
	BOOST_TEST(!t->has_reset());
	BOOST_CHECK_THROW(t->set_reset(true), std::logic_error);
}

BOOST_AUTO_TEST_CASE(tty_reports_a_hangup)
{
	Pty pty;
	SteadyClock clock;
	const auto t = open_transport("tty:" + pty.slave, clock);
	write_fd(pty.master.get(), {7});
	pty.master.reset();
	std::uint8_t buf[16];
	// Whatever was queued before the hangup may still be read; after it, an error.
	BOOST_CHECK_THROW(
	    {
		    for (int i = 0; i < 3; ++i)
			    t->read(buf, 200ms);
	    },
	    TransportError);
}

BOOST_AUTO_TEST_CASE(tty_reset_goes_through_the_control_socket)
{
	TempDir dir;
	const std::string ctl = dir.path + "/ctl.sock";
	Pty pty;
	SteadyClock clock;
	{
		ScriptedControl control(ctl,
		                        {"ok family=bm1366", "ok reset 1", "err reset line stuck"});
		const auto t = open_transport("tty:" + pty.slave + "?reset=hbsim:" + ctl, clock);
		BOOST_TEST(t->has_reset());
		BOOST_TEST(t->describe() == "tty:" + pty.slave + " @115200 reset=hbsim:" + ctl);
		t->set_reset(true);
		try {
			t->set_reset(false);
			BOOST_ERROR("an err answer was taken for ok");
		} catch (const TransportError &e) {
			BOOST_TEST(std::string(e.what()).find("reset line stuck") !=
			           std::string::npos);
		}
		BOOST_TEST(control.requests() ==
		               (std::vector<std::string>{"status", "reset 1", "reset 0"}),
		           boost::test_tools::per_element());
	}
	::unlink(ctl.c_str());
	// No control socket: the open fails, not the first reset.
	try {
		open_transport("tty:" + pty.slave + "?reset=hbsim:" + ctl, clock);
		BOOST_ERROR("opened with a missing control socket");
	} catch (const TransportError &e) {
		BOOST_TEST(e.error_number() == ENOENT);
	}
}

BOOST_AUTO_TEST_CASE(unix_socket_link)
{
	TempDir dir;
	const std::string path = dir.path + "/chain.sock";
	SteadyClock clock;
	{
		UniqueFd listener = listen_unix(path);
		const auto t = open_transport("unix:" + path, clock);
		UniqueFd peer(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
		BOOST_TEST_REQUIRE(peer.get() >= 0);
		BOOST_TEST(!t->has_reset());
		BOOST_CHECK_THROW(t->set_reset(true), std::logic_error);

		t->write(kTrickyBytes);
		BOOST_TEST(read_fd(peer.get(), kTrickyBytes.size()) == kTrickyBytes);
		write_fd(peer.get(), kTrickyBytes);
		BOOST_TEST(read_transport(*t, kTrickyBytes.size()) == kTrickyBytes);

		t->set_baud(1'000'000);
		BOOST_TEST(t->describe() == "unix:" + path + " @1000000");

		write_fd(peer.get(), {1, 2, 3});
		clock.sleep_for(20ms);
		t->flush_input();
		std::uint8_t buf[16];
		BOOST_TEST(t->read(buf, 20ms) == 0u);

		peer.reset();
		BOOST_CHECK_THROW(t->read(buf, 200ms), TransportError);
		BOOST_CHECK_THROW(t->write(kTrickyBytes), TransportError);
	}
	::unlink(path.c_str());
}
