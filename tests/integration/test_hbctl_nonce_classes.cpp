// SPDX-License-Identifier: MIT
// hbctl mine and board report every nonce class the Chain counts, unknown_job among them.
// A healthy simulated chain never answers a job it was not given, so the test sits
// between hbctl and hbsim on a unix socket, passes every byte through and, once the
// host's first job has gone by, slips in one nonce reply for a job id never sent.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "temp_dir.hpp"
#include "tool_run.hpp"

#include <hashboard/bm13xx/codec.hpp>

#include <boost/json.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
namespace json = boost::json;
namespace bm = hashboard::bm13xx;
using hashboard::Bytes;
using namespace std::chrono_literals;

namespace {

// A descriptor closed with its owner.
class Fd {
public:
	explicit Fd(int fd = -1) : fd_(fd) {}
	~Fd()
	{
		if (fd_ >= 0)
			::close(fd_);
	}
	Fd(const Fd &) = delete;
	Fd &operator=(const Fd &) = delete;
	int get() const { return fd_; }

private:
	int fd_;
};

sockaddr_un unix_address(const std::string &path)
{
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	BOOST_TEST_REQUIRE(path.size() < sizeof addr.sun_path);
	std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
	return addr;
}

int listen_unix(const std::string &path)
{
	const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	const sockaddr_un addr = unix_address(path);
	BOOST_TEST_REQUIRE(::bind(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) == 0);
	BOOST_TEST_REQUIRE(::listen(fd, 1) == 0);
	return fd;
}

int connect_unix(const std::string &path)
{
	const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	const sockaddr_un addr = unix_address(path);
	if (::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0) {
		::close(fd);
		return -1;
	}
	return fd;
}

// A BM1366 nonce reply (11 bytes, version rolling on) from chip 0, core 0, for job id
// 0x78: a run of a few seconds sends jobs 0x00, 0x08, ... and never gets that far.
Bytes foreign_nonce()
{
	return bm::encode_reply(bm::NonceReply{0x00000000, 0, 0x78, 0}, 11);
}

// Relays one connection from listen_path to hbsim at upstream_path on its own thread.
class InjectingRelay {
public:
	InjectingRelay(const std::string &listen_path, std::string upstream)
	    : listen_(listen_unix(listen_path)), upstream_(std::move(upstream)),
	      thread_([this](std::stop_token stop) { run(stop); })
	{
	}
	bool injected() const { return injected_; }

private:
	void run(const std::stop_token &stop)
	{
		pollfd l{listen_.get(), POLLIN, 0};
		while (!stop.stop_requested() && ::poll(&l, 1, 20) <= 0) {
		}
		if (stop.stop_requested())
			return;
		const Fd host(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
		const Fd chips(connect_unix(upstream_));
		if (host.get() < 0 || chips.get() < 0)
			return;
		std::string seen; // the host's bytes so far, for the first job's header
		while (!stop.stop_requested()) {
			pollfd p[2]{{host.get(), POLLIN, 0}, {chips.get(), POLLIN, 0}};
			if (::poll(p, 2, 20) <= 0)
				continue;
			for (int i = 0; i < 2; ++i) {
				if (!p[i].revents)
					continue;
				char buf[4096];
				const ssize_t n = ::read(p[i].fd, buf, sizeof buf);
				if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
					return; // one side has gone
				if (n < 0)
					continue;
				write_all(p[1 - i].fd, buf, std::size_t(n));
				if (i == 0 && !injected_)
					look_for_job(host.get(), seen,
					             std::string_view(buf, std::size_t(n)));
			}
		}
	}

	// The chips are quiet while the first job goes out (bring-up's replies are read,
	// nothing is mined yet), so the reply cannot land inside another.
	void look_for_job(int host, std::string &seen, std::string_view bytes)
	{
		seen.append(bytes);
		if (seen.find("\x55\xAA\x21") == std::string::npos) {
			if (seen.size() > 2)
				seen.erase(0, seen.size() - 2);
			return;
		}
		const Bytes reply = foreign_nonce();
		write_all(host, reinterpret_cast<const char *>(reply.data()), reply.size());
		injected_ = true;
	}

	static void write_all(int fd, const char *p, std::size_t n)
	{
		while (n > 0) {
			const ssize_t w = ::write(fd, p, n);
			if (w < 0 && errno == EAGAIN) {
				pollfd o{fd, POLLOUT, 0};
				::poll(&o, 1, 100);
				continue;
			}
			if (w <= 0)
				return;
			p += w;
			n -= std::size_t(w);
		}
	}

	Fd listen_;
	std::string upstream_;
	std::atomic<bool> injected_{false};
	std::jthread thread_;
};

// hbctl's stdout alone (its JSON is the whole of it), with a generous limit.
hbtest::ToolRun hbctl(const std::vector<std::string> &args)
{
	return hbtest::run_hbctl(args, hbtest::Child::Stderr::inherit, 120s);
}

// hbsim serving what the relay forwards to, stopped with the test; fails the test when
// it does not start.
std::unique_ptr<hbtest::Child> start_hbsim(const std::vector<std::string> &args)
{
	std::vector<std::string> argv{hbtest::hbsim_bin()};
	argv.insert(argv.end(), args.begin(), args.end());
	auto child = std::make_unique<hbtest::Child>(argv);
	BOOST_TEST_REQUIRE(child->read_line(10s).has_value(), "hbsim printed nothing");
	return child;
}

std::uint64_t count(const json::value &v, const char *key)
{
	return v.as_object().at(key).to_number<std::uint64_t>();
}

} // namespace

BOOST_AUTO_TEST_CASE(mine_reports_unknown_job_nonces)
{
	hbtest::TempDir dir;
	const std::string sim_sock = dir.file("sim.sock");
	const auto sim = start_hbsim({"--chips", "2", "--zero-bits", "8", "--unix", sim_sock,
	                              "--control", dir.file("sim.ctl")});
	const std::string mine_sock = dir.file("relay.sock");
	for (const bool json_out : {true, false}) {
		InjectingRelay relay(mine_sock, sim_sock);
		std::vector<std::string> args{"mine",
		                              "-t",
		                              "unix:" + mine_sock,
		                              "-f",
		                              "bm1366",
		                              "-n",
		                              "2",
		                              "--zero-bits",
		                              "8",
		                              "--seconds",
		                              "2",
		                              "--ramp-step",
		                              "50",
		                              "--ramp-interval-ms",
		                              "5"};
		if (json_out)
			args.push_back("--json");
		const hbtest::ToolRun r = hbctl(args);
		fs::remove(mine_sock);
		BOOST_TEST_REQUIRE(r.status == 0);
		BOOST_TEST_REQUIRE(relay.injected());
		if (!json_out) {
			BOOST_TEST(r.out.find(" stale unk_job ") != std::string::npos, r.out);
			BOOST_TEST(r.out.find(" stale, 1 unknown job, ") != std::string::npos,
			           r.out);
			continue;
		}
		const json::value doc = json::parse(r.out);
		const auto &total = doc.at("total");
		BOOST_TEST(count(total, "unknown_job") == 1u);
		BOOST_TEST(count(total, "valid") > 0u);
		const auto &chip0 = doc.at("chips").as_array().at(0);
		BOOST_TEST(count(chip0, "unknown_job") == 1u);
		// Every nonce a chip sent is in one class: the foreign one is counted too.
		BOOST_TEST(count(chip0, "nonces") ==
		           count(chip0, "valid") + count(chip0, "hw_errors") +
		               count(chip0, "duplicates") + count(chip0, "stale") + 1);
		std::uint64_t nonces = 0;
		for (const auto &c : doc.at("chips").as_array())
			nonces += count(c, "nonces");
		BOOST_TEST(count(total, "nonces") == nonces);
	}
}

BOOST_AUTO_TEST_CASE(board_reports_unknown_job_nonces)
{
	hbtest::TempDir dir;
	const std::string board = (hbtest::boards_dir() / "bm1366-12.toml").string();
	const auto sim =
	    start_hbsim({"--board", board, "--unix-dir", dir.path, "--zero-bits", "6"});
	const std::string relay_sock = dir.file("relay.sock");
	const std::string ctl = dir.file("chain0.ctl");
	for (const bool json_out : {true, false}) {
		InjectingRelay relay(relay_sock, dir.file("chain0.sock"));
		std::vector<std::string> args{"board",
		                              "mine",
		                              "--board",
		                              board,
		                              "--sim-devices",
		                              "--chain-transport",
		                              "0=unix:" + relay_sock + "?reset=hbsim:" + ctl,
		                              "--zero-bits",
		                              "6",
		                              "--ramp-step",
		                              "50",
		                              "--ramp-interval-ms",
		                              "5",
		                              "--seconds",
		                              "2"};
		if (json_out)
			args.push_back("--json");
		const hbtest::ToolRun r = hbctl(args);
		fs::remove(relay_sock);
		BOOST_TEST_REQUIRE(r.status == 0);
		BOOST_TEST_REQUIRE(relay.injected());
		if (!json_out) {
			// The chain table and the chip table both have the column.
			const auto chain_head = r.out.find(" stale unk_job   jobs ");
			BOOST_TEST(chain_head != std::string::npos, r.out);
			BOOST_TEST(r.out.find(" stale unk_job      GH/s", chain_head + 1) !=
			               std::string::npos,
			           r.out);
			continue;
		}
		const json::value doc = json::parse(r.out);
		const auto &chain = doc.at("chains").as_array().at(0);
		BOOST_TEST(count(chain, "unknown_job") == 1u);
		BOOST_TEST(count(chain.at("chips").as_array().at(0), "unknown_job") == 1u);
		BOOST_TEST(count(doc.at("total"), "unknown_job") == 1u);
	}
}
