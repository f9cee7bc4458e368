// SPDX-License-Identifier: MIT
// hbsim under a host that misbehaves: one that floods the chain with frames faster than
// the wire carries them (hbsim reads it no faster, so its memory stays bounded and the
// host's writes block), and a second host on a chain already in use (told it is busy,
// and the HAL's unix: transport says so).
#include <boost/test/unit_test.hpp>

#include "hbsim_rig.hpp"
#include "temp_dir.hpp"

#include "transport/unix_socket.hpp"

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chain.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/transport.hpp>

#include <boost/json.hpp>

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

using namespace hashboard;
using namespace std::chrono_literals;
namespace bm = hashboard::bm13xx;
namespace json = boost::json;

namespace {

using hbtest::host_seen;
using hbtest::read_chip_ids;

// hbsim on a unix socket in a fresh directory, removed again at the end.
struct Hbsim {
	hbtest::TempDir dir;
	hbtest::HbsimProcess process{{"--control", dir.file("ctl.sock")}, dir.file("chain.sock")};
	const std::string &link = process.link;
	const std::string &control = process.control;
	const long pid = process.pid;

	~Hbsim() { BOOST_TEST(process.child.terminate(5s) == 0); }
	std::string uri() const { return process.uri(); }
};

// Everything the peer sends until it closes (or the timeout).
std::string read_until_closed(int fd, Duration timeout)
{
	SteadyClock clock;
	std::string out;
	const Duration end = clock.now() + timeout;
	for (;;) {
		const auto left =
		    std::chrono::duration_cast<std::chrono::milliseconds>(end - clock.now());
		pollfd p{fd, POLLIN, 0};
		if (left.count() <= 0 || ::poll(&p, 1, int(left.count())) <= 0)
			return out + "<timeout>";
		std::array<char, 256> buf;
		const ssize_t n = ::read(fd, buf.data(), buf.size());
		// A socket closed with our bytes unread reports ECONNRESET after the data.
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return out;
		if (n < 0)
			return out + "<error>";
		out.append(buf.data(), std::size_t(n));
	}
}

// Peak resident memory of a process (VmHWM), in KiB.
long peak_rss_kib(long pid)
{
	std::ifstream status("/proc/" + std::to_string(pid) + "/status");
	std::string key;
	while (status >> key) {
		if (key == "VmHWM:") {
			long kib = 0;
			status >> kib;
			return kib;
		}
		status.ignore(1 << 12, '\n');
	}
	BOOST_FAIL("no VmHWM for pid " << pid);
	return 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_flood_of_frames_is_read_at_wire_speed)
{
	Hbsim sim;
	const auto &family = family_by_name("bm1366");
	// Valid broadcast register writes (no replies), as fast as the socket takes them.
	std::vector<std::uint8_t> chunk;
	const auto frame = bm::encode_write_register(true, 0, 0xA4, 0x90000000);
	for (int i = 0; i < 4096; ++i)
		chunk.insert(chunk.end(), frame.begin(), frame.end());

	SteadyClock clock;
	transport::UniqueFd sock = transport::connect_unix_stream(sim.link);
	const int fd = sock.get();
	// hbsim's own footprint before the flood: about 5 MB in the release tree, about 61 MB
	// under ASan (its shadow memory, and the Verilated chip linked into hbsim).
	const long base = peak_rss_kib(sim.pid);
	std::size_t sent = 0;
	for (const Duration end = clock.now() + 2s; clock.now() < end;) {
		pollfd p{fd, POLLOUT, 0};
		if (::poll(&p, 1, 20) <= 0)
			continue;
		const ssize_t n =
		    ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
		BOOST_TEST_REQUIRE((n >= 0 || errno == EAGAIN || errno == EINTR));
		if (n > 0)
			sent += std::size_t(n);
	}
	const long peak = peak_rss_kib(sim.pid);
	BOOST_TEST_MESSAGE("flood: " << sent << " bytes taken in 2 s, hbsim VmHWM " << peak
	                             << " KiB (" << base << " KiB before)");
	// The wire carries 23 kB in 2 s at 115200 Bd; the rest is the kernel's socket buffer.
	// Unbounded, hbsim took hundreds of MB in that time and grew as much.
	BOOST_TEST(sent < 4u << 20);
	BOOST_TEST(peak - base < 32 * 1024);
	sock.reset();

	// The flooding host is gone at once, its unread bytes with it; the next host finds a
	// chain that answers.
	BOOST_TEST(host_seen(sim.control, false));
	const auto t = open_transport(sim.uri(), clock);
	const auto replies = read_chip_ids(*t, family);
	BOOST_TEST(replies.size() == 4u);
	for (const auto &r : replies)
		BOOST_TEST((r.value >> 16) == family.chip_id);
}

BOOST_AUTO_TEST_CASE(a_second_host_is_told_the_chain_is_busy)
{
	Hbsim sim;
	const auto &family = family_by_name("bm1366");
	SteadyClock clock;
	{
		const auto first = open_transport(sim.uri(), clock);
		BOOST_TEST(host_seen(sim.control, true));

		const std::string said =
		    read_until_closed(transport::connect_unix_stream(sim.link).get(), 3s);
		BOOST_TEST(said.rfind("hbsim: busy: ", 0) == 0, "second host got: " << said);
		BOOST_TEST(said.find(sim.link) != std::string::npos);
		BOOST_TEST(
		    (!said.empty() && said.back() == '\n' && said.find('\n') == said.size() - 1));

		// The host that holds the chain is not disturbed.
		BOOST_TEST(read_chip_ids(*first, family).size() == 4u);
	}
	// Once it has left, the next host is welcome.
	BOOST_TEST(host_seen(sim.control, false));
	const auto next = open_transport(sim.uri(), clock);
	BOOST_TEST(read_chip_ids(*next, family).size() == 4u);
}

// The HAL's side of the same: a host on the unix: transport learns that the chain is in
// use, in hbsim's words, whatever it does first; not that the link broke.
BOOST_AUTO_TEST_CASE(the_unix_transport_reports_a_busy_chain)
{
	Hbsim sim;
	const auto &family = family_by_name("bm1366");
	SteadyClock clock;
	const auto first = open_transport(sim.uri(), clock);
	BOOST_TEST(host_seen(sim.control, true));

	auto busy = [&](const std::function<void(Transport &)> &op, const char *what) {
		const auto second = open_transport("unix:" + sim.link, clock);
		try {
			op(*second);
			BOOST_ERROR(what << ": a busy chain went unreported");
		} catch (const TransportError &e) {
			const std::string msg = e.what();
			BOOST_TEST(e.error_number() == EBUSY, what << ": " << msg);
			BOOST_TEST(msg.starts_with("unix socket " + sim.link + ": hbsim: busy: "),
			           what << ": " << msg);
			BOOST_TEST(msg.find("another host holds the chain") != std::string::npos,
			           msg);
			// Said once, the link stays busy: no later call reads as a cut chain.
			std::array<std::uint8_t, 16> buf;
			BOOST_CHECK_EXCEPTION(second->read(buf, 10ms), TransportError,
			                      [](const TransportError &again) {
				                      return again.error_number() == EBUSY;
			                      });
		}
	};
	std::array<std::uint8_t, 64> buf;
	busy([&](Transport &t) { t.read(buf, 2s); }, "read");
	busy(
	    [&](Transport &t) {
		    clock.sleep_for(100ms); // hbsim has turned it away by now
		    t.flush_input();
	    },
	    "flush_input");
	busy(
	    [&](Transport &t) {
		    clock.sleep_for(100ms); // closed: the write fails, or the read after it
		    t.write(bm::encode_read_register(true, 0, family.regs.chip_id));
		    t.read(buf, 2s);
	    },
	    "write");
	// What a Chain makes of it: the same error from its first step.
	{
		const auto second = open_transport("unix:" + sim.link, clock);
		ChainConfig cfg;
		cfg.family = &family;
		cfg.expected_chips = 4;
		Chain chain(*second, clock, cfg);
		BOOST_CHECK_EXCEPTION(
		    chain.enumerate(), TransportError,
		    [](const TransportError &e) { return e.error_number() == EBUSY; });
	}
	// The host that holds the chain is not disturbed.
	BOOST_TEST(read_chip_ids(*first, family).size() == 4u);
}

BOOST_AUTO_TEST_CASE(control_clients_beyond_the_limit_are_told_busy)
{
	Hbsim sim;
	std::vector<transport::UniqueFd> held;
	for (int i = 0; i < 16; ++i)
		held.push_back(transport::connect_unix_stream(sim.control));
	// The server takes them in order: once a held one is answered, all 16 are in.
	const std::string status = "status\n";
	BOOST_TEST_REQUIRE(::write(held.back().get(), status.data(), status.size()) ==
	                   ssize_t(status.size()));
	pollfd p{held.back().get(), POLLIN, 0};
	BOOST_TEST_REQUIRE(::poll(&p, 1, 3000) == 1);

	const std::string said =
	    read_until_closed(transport::connect_unix_stream(sim.control).get(), 3s);
	BOOST_TEST(said.rfind("err busy: ", 0) == 0, "17th control client got: " << said);

	held.clear();
	// Freed, the control socket serves again (the HAL's client connects per request).
	SteadyClock clock;
	std::string answer;
	for (const Duration end = clock.now() + 3s; clock.now() < end; clock.sleep_for(10ms)) {
		try {
			answer = hbtest::hbsim_status(sim.control);
			break;
		} catch (const std::exception &) {
		}
	}
	BOOST_TEST(answer.find("host=0") != std::string::npos, "status: " << answer);
}
