// SPDX-License-Identifier: MIT
// hashboardd as a process, as systemd or a person runs it: hbpool (also a process) serves
// the real notify, the daemon mines the built-in simulated board on it, a fleet tool
// reads the cgminer API and Prometheus reads /metrics, SIGHUP reloads the pools, SIGTERM
// stops it cleanly. Bad configurations fail before anything starts, with the place.
#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "temp_dir.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <signal.h>

#include <filesystem>
#include <thread>

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::filesystem::path build_dir()
{
	return std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path();
}
std::string hbpool_bin()
{
	return (build_dir() / "tests" / "pool" / "hbpool").string();
}
std::string hashboardd_bin()
{
	return (build_dir() / "userspace" / "daemon" / "hashboardd").string();
}

// A port nobody listens on now (bound and released: the daemon binds it next).
unsigned free_port()
{
	asio::io_context io;
	asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
	return a.local_endpoint().port();
}

// What a fleet tool does: connect, send, read to the close, drop the trailing NUL.
std::optional<std::string> request(unsigned port, const std::string &text)
{
	try {
		asio::io_context io;
		asio::ip::tcp::socket s(io);
		s.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
		asio::write(s, asio::buffer(text));
		std::string reply;
		boost::system::error_code ec;
		asio::read(s, asio::dynamic_buffer(reply), ec);
		if (!reply.empty() && reply.back() == '\0')
			reply.pop_back();
		return reply;
	} catch (const std::exception &) {
		return std::nullopt;
	}
}

std::optional<json::value> command(unsigned port, const std::string &cmd)
{
	const auto reply = request(port, R"({"command":")" + cmd + R"("})");
	if (!reply)
		return std::nullopt;
	boost::system::error_code ec;
	json::value v = json::parse(*reply, ec);
	if (ec)
		return std::nullopt;
	return v;
}

std::optional<std::string> http_get(unsigned port, const std::string &path)
{
	return request(port, "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
}

bool eventually(const std::function<bool()> &done, std::chrono::seconds limit = 60s)
{
	const auto end = std::chrono::steady_clock::now() + limit;
	while (!done()) {
		if (std::chrono::steady_clock::now() > end)
			return false;
		std::this_thread::sleep_for(100ms);
	}
	return true;
}

std::string pool_table(const std::string &url)
{
	return "[[pool]]\nurl = \"" + url + "\"\nuser = \"me.worker\"\n";
}

} // namespace

BOOST_AUTO_TEST_CASE(mines_reports_reloads_and_stops)
{
	hbtest::TempDir dir;
	const std::string vector = std::string(HB_VECTORS_DIR) + "/stratum_example_b.json";
	// 2^-22: the built-in board's chips report nonces of 6 + ticket-log2 zero bits.
	hbtest::Child pool({hbpool_bin(), "--port", "0", "--notify-file", vector, "--difficulty",
	                    "0.0000002384185791015625"});
	const auto first = pool.read_line(10s);
	BOOST_TEST_REQUIRE(first.has_value());
	const std::string url = first->substr(first->find("stratum+tcp://"));
	const unsigned api = free_port(), metrics = free_port();
	const std::string ports =
	    "[api]\nport = " + std::to_string(api) +
	    "\n[metrics]\nlisten = \"127.0.0.1\"\nport = " + std::to_string(metrics) + "\n";
	const auto config = dir.write("hashboardd.toml", pool_table(url) + ports);
	hbtest::Child daemon({hashboardd_bin(), "--config", config},
	                     hbtest::Child::Stderr::capture);

	// Shares the pool accepted, as a fleet tool reads them.
	std::uint64_t accepted = 0;
	BOOST_TEST_REQUIRE(eventually([&] {
		const auto v = command(api, "summary");
		if (!v || !v->is_object() || !v->as_object().contains("SUMMARY"))
			return false;
		accepted = v->at("SUMMARY").at(0).at("Accepted").to_number<std::uint64_t>();
		return accepted >= 3;
	}));
	// The bmminer-style per-chain keys fleet tools read, from the real board: three
	// chains of four chips, every chip alive.
	const auto stats = command(api, "stats");
	BOOST_TEST_REQUIRE(stats.has_value());
	const auto &m = stats->at("STATS").at(1).as_object();
	for (int i = 1; i <= 3; ++i) {
		BOOST_TEST(m.at("chain_acn" + std::to_string(i)).to_number<int>() == 4);
		BOOST_TEST(m.at("chain_acs" + std::to_string(i)).as_string() == "oooo");
		BOOST_TEST(m.contains("chain_rate" + std::to_string(i)));
	}
	const auto version = command(api, "version");
	BOOST_TEST_REQUIRE(version.has_value());
	BOOST_TEST(json::serialize(*version).find("HASHBOARD") != std::string::npos);
	const auto page = http_get(metrics, "/metrics");
	BOOST_TEST_REQUIRE(page.has_value());
	BOOST_TEST(page->find("200 OK") != std::string::npos);
	BOOST_TEST(page->find("hashboard_shares_accepted_total") != std::string::npos);

	// SIGHUP: a second pool from the edited file, without stopping the board.
	dir.write("hashboardd.toml",
	          pool_table(url) + pool_table("stratum+tcp://127.0.0.1:1") + ports);
	BOOST_TEST_REQUIRE(::kill(daemon.pid(), SIGHUP) == 0);
	BOOST_TEST(eventually([&] {
		const auto v = command(api, "pools");
		return v && v->is_object() && v->as_object().contains("POOLS") &&
		       v->at("POOLS").as_array().size() == 2;
	}));
	const auto summary = command(api, "summary");
	BOOST_TEST_REQUIRE(summary.has_value());
	BOOST_TEST(summary->at("SUMMARY").at(0).at("Accepted").to_number<std::uint64_t>() >=
	           accepted); // the counts went on: nothing restarted

	BOOST_TEST(daemon.terminate(30s) == 0);
	const std::string log = daemon.read_all(1s);
	// journald priority prefixes, no colour (stderr is a pipe here, as under systemd).
	BOOST_TEST(log.find("<5>SIGTERM: stopping") != std::string::npos, log);
	BOOST_TEST(log.find("\033[") == std::string::npos);
	BOOST_TEST(log.find("SIGHUP: configuration read again: 2 pools") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_configurations_fail_before_anything_starts)
{
	hbtest::TempDir dir;
	const auto bad = dir.write("bad.toml", "[[pool]]\nurl = \"stratum+tcp://h:1\"\nuser = 5\n");
	hbtest::Child a({hashboardd_bin(), "--config", bad}, hbtest::Child::Stderr::capture);
	const std::string out = a.read_all(10s);
	BOOST_TEST(a.wait(10s) == 2);
	BOOST_TEST(out.find(bad + ":3") != std::string::npos, out);
	BOOST_TEST(out.find("pool[0].user") != std::string::npos, out);

	hbtest::Child b({hashboardd_bin()}, hbtest::Child::Stderr::capture);
	BOOST_TEST(b.read_all(10s).find("no pool") != std::string::npos);
	BOOST_TEST(b.wait(10s) == 2);

	hbtest::Child c({hashboardd_bin(), "--pool", "stratum+tcp://h:1", "--user", "u", "--board",
	                 dir.file("missing.toml")},
	                hbtest::Child::Stderr::capture);
	BOOST_TEST(c.read_all(10s).find("missing.toml") != std::string::npos);
	BOOST_TEST(c.wait(10s) == 2);

	hbtest::Child d(
	    {hashboardd_bin(), "--pool", "stratum+tcp://h:1", "--user", "u", "--check-config"});
	BOOST_TEST(d.read_all(10s).find("configuration ok: 1 pool") != std::string::npos);
	BOOST_TEST(d.wait(10s) == 0);

	hbtest::Child e({hashboardd_bin(), "--api-port", "99999"}, hbtest::Child::Stderr::capture);
	BOOST_TEST(e.wait(10s) != 0);
}
