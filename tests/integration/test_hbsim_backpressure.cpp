// SPDX-License-Identifier: MIT
// hbsim under a host that misbehaves: one that floods the chain with frames faster than
// the wire carries them (hbsim reads it no faster, so its memory stays bounded and the
// host's writes block), and a second host on a chain already in use (told it is busy).
#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "hbtest.hpp"

#include "transport/hbsim_control.hpp"

#include <hashboard/bm13xx/codec.hpp>
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
#include <string>
#include <vector>

using namespace hashboard;
using namespace std::chrono_literals;
namespace bm = hashboard::bm13xx;
namespace json = boost::json;

namespace {

// hbsim on a unix socket in a fresh directory, removed again at the end.
struct Hbsim {
	std::string dir;
	std::string link;
	std::string control;
	long pid = 0;
	std::optional<hbtest::Child> child;

	Hbsim()
	{
		char tmpl[] = "/tmp/hbtest-XXXXXX";
		BOOST_TEST_REQUIRE(::mkdtemp(tmpl) != nullptr);
		dir = tmpl;
		child.emplace(std::vector<std::string>{
		    hbtest::hbsim_bin(), "--json", "--family", "bm1366", "--chips", "4",
		    "--zero-bits", "8", "--unix", dir + "/chain.sock", "--control", dir + "/ctl.sock"});
		const auto line = child->read_line(10s);
		BOOST_TEST_REQUIRE(line.has_value(), "hbsim printed nothing");
		const auto info = json::parse(*line).as_object();
		link = std::string(info.at("unix").as_string());
		control = std::string(info.at("control").as_string());
		pid = static_cast<long>(info.at("pid").as_int64());
	}
	~Hbsim()
	{
		BOOST_TEST(child->terminate(5s) == 0);
		child.reset();
		::rmdir(dir.c_str());
	}
	std::string uri() const { return "unix:" + link + "?reset=hbsim:" + control; }
};

int connect_unix(const std::string &path)
{
	const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	BOOST_TEST_REQUIRE(fd >= 0);
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	std::memcpy(addr.sun_path, path.data(), path.size());
	BOOST_TEST_REQUIRE(::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) ==
	                   0);
	return fd;
}

// Everything the peer sends until it closes (or the timeout).
std::string read_until_closed(int fd, Duration timeout)
{
	SteadyClock clock;
	std::string out;
	const Duration end = clock.now() + timeout;
	for (;;) {
		const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - clock.now());
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

// As test_pty_hbsim: rolling on (BM1366 replies are 11 bytes then), a broadcast read of
// register 0, and the register replies within a quiet 300 ms.
std::vector<bm::RegisterReply> read_chip_ids(Transport &t, const ChipFamily &family)
{
	t.flush_input();
	t.write(bm::encode_write_register(true, 0, *family.regs.version_rolling,
	                                  hashboard::version_rolling_value(family, 0x1FFFE000)));
	t.write(bm::encode_read_register(true, 0, family.regs.chip_id));
	bm::ReplyParser parser(family.reply_len);
	std::vector<bm::RegisterReply> replies;
	std::array<std::uint8_t, 64> buf;
	while (const std::size_t n = t.read(buf, 300ms))
		parser.feed(ByteSpan(buf.data(), n), [&](const bm::ChipFrame &f) {
			if (const auto *r = std::get_if<bm::RegisterReply>(&f))
				replies.push_back(*r);
		});
	return replies;
}

std::string control_status(const std::string &socket)
{
	SteadyClock clock;
	return transport::HbsimControl(socket, clock).status();
}

bool host_seen(const std::string &socket, bool present)
{
	SteadyClock clock;
	const std::string want = present ? "host=1" : "host=0";
	for (const Duration end = clock.now() + 3s; clock.now() < end; clock.sleep_for(10ms))
		if (control_status(socket).find(want) != std::string::npos)
			return true;
	return false;
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
	const int fd = connect_unix(sim.link);
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
	                             << " KiB");
	// The wire carries 23 kB in 2 s at 115200 Bd; the rest is the kernel's socket buffer.
	// Unbounded, hbsim took hundreds of MB in that time and grew as much.
	BOOST_TEST(sent < 4u << 20);
	BOOST_TEST(peak < 64 * 1024);
	::close(fd);

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

		const int second = connect_unix(sim.link);
		const std::string said = read_until_closed(second, 3s);
		::close(second);
		BOOST_TEST(said.rfind("hbsim: busy: ", 0) == 0, "second host got: " << said);
		BOOST_TEST(said.find(sim.link) != std::string::npos);
		BOOST_TEST((!said.empty() && said.back() == '\n' &&
		            said.find('\n') == said.size() - 1));

		// The host that holds the chain is not disturbed.
		BOOST_TEST(read_chip_ids(*first, family).size() == 4u);
	}
	// Once it has left, the next host is welcome.
	BOOST_TEST(host_seen(sim.control, false));
	const auto next = open_transport(sim.uri(), clock);
	BOOST_TEST(read_chip_ids(*next, family).size() == 4u);
}

BOOST_AUTO_TEST_CASE(control_clients_beyond_the_limit_are_told_busy)
{
	Hbsim sim;
	std::vector<int> held;
	for (int i = 0; i < 16; ++i)
		held.push_back(connect_unix(sim.control));
	// The server takes them in order: once a held one is answered, all 16 are in.
	const std::string status = "status\n";
	BOOST_TEST_REQUIRE(::write(held.back(), status.data(), status.size()) ==
	                   ssize_t(status.size()));
	pollfd p{held.back(), POLLIN, 0};
	BOOST_TEST_REQUIRE(::poll(&p, 1, 3000) == 1);

	const int extra = connect_unix(sim.control);
	const std::string said = read_until_closed(extra, 3s);
	::close(extra);
	BOOST_TEST(said.rfind("err busy: ", 0) == 0, "17th control client got: " << said);

	for (int fd : held)
		::close(fd);
	// Freed, the control socket serves again (the HAL's client connects per request).
	SteadyClock clock;
	std::string answer;
	for (const Duration end = clock.now() + 3s; clock.now() < end; clock.sleep_for(10ms)) {
		try {
			answer = control_status(sim.control);
			break;
		} catch (const std::exception &) {
		}
	}
	BOOST_TEST(answer.find("host=0") != std::string::npos, "status: " << answer);
}
