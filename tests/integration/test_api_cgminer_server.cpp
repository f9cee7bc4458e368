// SPDX-License-Identifier: MIT
// The cgminer API server over real TCP, read the way fleet tools read it: pyasic reads
// to the close and strips one NUL, asic-rs stops at the first NUL; both get every key
// they look for, in JSON, in plain text and in joined replies. Then privilege by
// source address (127.0.0.2 is a second loopback address), and hostile clients: garbage,
// floods, silence, trickles, half-closed sockets, while others are still served.
#include <hashboardd/api/cgminer_server.hpp>

#include "api_rig.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace hashboardd;
using namespace hashboardd::api;
using namespace std::string_literals;
using namespace apitest;

namespace {

struct Server {
	FakeControl control;
	IoThread io;
	std::unique_ptr<CgminerServer> server;

	explicit Server(std::function<void(CgminerOptions &)> tweak = {})
	{
		CgminerOptions o;
		o.address = "127.0.0.1";
		o.port = 0;
		o.read_timeout = std::chrono::milliseconds(400);
		o.plain_quiet = std::chrono::milliseconds(50);
		if (tweak)
			tweak(o);
		server = std::make_unique<CgminerServer>(io.io, control, o);
	}
	~Server() { server->stop(); }
	std::uint16_t port() const { return server->port(); }

	boost::json::object json(const std::string &command, const std::string &param = "",
	                         const char *source = nullptr)
	{
		boost::json::object req{{"command", command}};
		if (!param.empty())
			req["parameter"] = param;
		return fleet_json(ask(port(), boost::json::serialize(req), source));
	}
};

const boost::json::object &first(const boost::json::object &reply, const char *section,
                                 std::size_t i = 0)
{
	return reply.at(section).as_array().at(i).as_object();
}

std::string str(const boost::json::object &o, const char *key)
{
	BOOST_TEST_REQUIRE(o.contains(key), "missing key " << key);
	return std::string(o.at(key).as_string());
}

double num(const boost::json::object &o, const std::string &key)
{
	BOOST_TEST_REQUIRE(o.contains(key), "missing key " << key);
	return number(o.at(key));
}

std::int64_t code_of(const boost::json::object &reply)
{
	return status_of(reply).at("Code").as_int64();
}

// Every key the brief's fleet tools read, checked against sample_status().
void check_summary(const boost::json::object &s)
{
	BOOST_TEST(num(s, "GHS 5s") == 1234.5);
	BOOST_TEST(num(s, "GHS av") == 1150.25);
	BOOST_TEST(num(s, "MHS 5s") == 1234500);
	BOOST_TEST(num(s, "MHS av") == 1150250);
	BOOST_TEST(num(s, "Accepted") == 50);
	BOOST_TEST(num(s, "Rejected") == 2);
	BOOST_TEST(num(s, "Hardware Errors") == 3);
	BOOST_TEST(num(s, "Elapsed") == 100);
	// hw / (hw + valid nonces): 3 / (3 + 1000 + 1001 + 1002)
	BOOST_TEST(num(s, "Device Hardware%") == 100.0 * 3 / 3006,
	           boost::test_tools::tolerance(1e-9));
	BOOST_TEST(num(s, "Difficulty Accepted") == 51200);
	BOOST_TEST(num(s, "Best Share") == 987654);
	for (const char *k : {"MHS 1m", "MHS 5m", "MHS 15m", "Found Blocks", "Getworks", "Utility",
	                      "Discarded", "Stale", "Get Failures", "Local Work", "Remote Failures",
	                      "Total MH", "Work Utility", "Difficulty Rejected", "Difficulty Stale",
	                      "Device Rejected%", "Pool Rejected%", "Pool Stale%", "Last getwork"})
		BOOST_TEST(s.contains(k), k);
}

void check_stats(const boost::json::array &stats)
{
	BOOST_TEST_REQUIRE(stats.size() == 2U);
	BOOST_TEST(str(stats[0].as_object(), "Type") == "rig-3x4");
	const auto &m = stats[1].as_object();
	BOOST_TEST(num(m, "Elapsed") == 100);
	BOOST_TEST(num(m, "miner_count") == 3);
	BOOST_TEST(num(m, "fan_num") == 2);
	BOOST_TEST(num(m, "fan1") == 4200);
	BOOST_TEST(num(m, "fan2") == 0, "a fan without a tachometer reads 0, as bmminer");
	BOOST_TEST(str(m, "rate_unit") == "GH");
	BOOST_TEST(num(m, "total_rateideal") == 1290);
	BOOST_TEST(num(m, "total_rate") == 1203);
	for (int i = 1; i <= 3; ++i) {
		const std::string n = std::to_string(i);
		BOOST_TEST(num(m, "chain_acn" + n) == (i == 2 ? 3 : 4));
		BOOST_TEST(str(m, ("chain_acs" + n).c_str()) == (i == 2 ? "ooxo" : "oooo"));
		BOOST_TEST(num(m, "chain_rate" + n) == 400 + (i - 1));
		BOOST_TEST(num(m, "temp" + n) == 60 + (i - 1));
		BOOST_TEST(num(m, "temp2_" + n) == 50 + (i - 1));
		BOOST_TEST(num(m, "chain_hw" + n) == i - 1);
		BOOST_TEST(num(m, "freq_avg" + n) == 525);
	}
	BOOST_TEST(!m.contains("chain_acn0"), "chains are numbered from 1");
	BOOST_TEST(!m.contains("chain_acn4"));
}

void check_pools(const boost::json::array &pools)
{
	BOOST_TEST_REQUIRE(pools.size() == 2U);
	const auto &p0 = pools[0].as_object();
	const auto &p1 = pools[1].as_object();
	BOOST_TEST(num(p0, "POOL") == 0);
	BOOST_TEST(str(p0, "URL") == "stratum+tcp://pool.example:3333");
	BOOST_TEST(str(p0, "User") == "worker.1");
	BOOST_TEST(str(p0, "Status") == "Alive");
	BOOST_TEST(str(p1, "Status") == "Dead");
	BOOST_TEST(num(p1, "Priority") == 1);
	BOOST_TEST(num(p0, "Accepted") == 50);
	BOOST_TEST(num(p0, "Rejected") == 2);
	BOOST_TEST(p0.at("Stratum Active").as_bool());
	BOOST_TEST(!p1.at("Stratum Active").as_bool());
	BOOST_TEST(num(p1, "Get Failures") == 4);
	BOOST_TEST(num(p1, "Remote Failures") == 2);
	BOOST_TEST(num(p0, "Difficulty Accepted") == 51200);
	BOOST_TEST(num(p0, "Last Share Time") == 1'700'000'090);
	BOOST_TEST(p0.at("Has Vmask").as_bool());
}

} // namespace

BOOST_AUTO_TEST_SUITE(fleet_tools)

BOOST_AUTO_TEST_CASE(json_replies_carry_every_key_fleet_tools_read)
{
	Server s;
	const auto version = s.json("version");
	BOOST_TEST(str(first(version, "VERSION"), "Type") == "rig-3x4");
	BOOST_TEST(str(first(version, "VERSION"), "Miner") == "HASHBOARD 0.1.0");
	BOOST_TEST(str(first(version, "VERSION"), "API") == "3.7");
	BOOST_TEST(str(status_of(version), "Description") == "HASHBOARD 0.1.0");
	const auto details = s.json("devdetails");
	BOOST_TEST(details.at("DEVDETAILS").as_array().size() == 3U);
	BOOST_TEST(str(first(details, "DEVDETAILS"), "Firmware") == "HASHBOARD");
	check_summary(first(s.json("summary"), "SUMMARY"));
	check_stats(s.json("stats").at("STATS").as_array());
	check_stats(s.json("estats").at("STATS").as_array());
	check_pools(s.json("pools").at("POOLS").as_array());
	const auto devs = s.json("devs").at("DEVS").as_array();
	BOOST_TEST_REQUIRE(devs.size() == 3U);
	BOOST_TEST(str(devs[1].as_object(), "Status") == "Sick");
	BOOST_TEST(num(devs[1].as_object(), "MHS 5s") == 401000);
	BOOST_TEST(num(devs[0].as_object(), "Temperature") == 60);
	BOOST_TEST(s.json("edevs").at("DEVS").as_array().size() == 3U);
	const auto cfg = first(s.json("config"), "CONFIG");
	BOOST_TEST(num(cfg, "ASC Count") == 3);
	BOOST_TEST(num(cfg, "Pool Count") == 2);
	const auto lcd = first(s.json("lcd"), "LCD");
	BOOST_TEST(str(lcd, "Current Pool") == "stratum+tcp://pool.example:3333");
	BOOST_TEST(num(lcd, "Temperature") == 62);
	BOOST_TEST(str(first(s.json("coin"), "COIN"), "Hash Method") == "sha256");
	const auto bad = s.json("nosuchcommand");
	BOOST_TEST(str(status_of(bad), "STATUS") == "E");
	BOOST_TEST(code_of(bad) == 14);
}

BOOST_AUTO_TEST_CASE(asic_rs_style_reader_stops_at_the_nul)
{
	Server s;
	Client c(s.port());
	BOOST_TEST_REQUIRE(c.send(R"({"command":"summary"})"));
	auto r = c.read(std::chrono::seconds(5), true);
	BOOST_TEST_REQUIRE(!r.timed_out);
	const auto nul = r.bytes.find('\0');
	BOOST_TEST_REQUIRE(nul != std::string::npos);
	check_summary(first(fleet_json(r.bytes.substr(0, nul + 1)), "SUMMARY"));
	// And then the close: nothing after the NUL.
	const auto rest = c.read(std::chrono::seconds(5));
	BOOST_TEST(rest.closed);
	BOOST_TEST(rest.bytes.empty());
}

BOOST_AUTO_TEST_CASE(joined_commands_as_pyasic_sends_them)
{
	Server s;
	const auto r = fleet_json(ask(s.port(), R"({"command":"summary+pools+stats+version"})"));
	for (const char *k : {"summary", "pools", "stats", "version"}) {
		BOOST_TEST_REQUIRE(r.contains(k), k);
		// pyasic's check: data[cmd][0]["STATUS"][0]["STATUS"]
		BOOST_TEST(str(status_of(r.at(k).as_array().at(0).as_object()), "STATUS") == "S");
	}
	check_summary(first(r.at("summary").as_array()[0].as_object(), "SUMMARY"));
	check_pools(r.at("pools").as_array()[0].as_object().at("POOLS").as_array());
	check_stats(r.at("stats").as_array()[0].as_object().at("STATS").as_array());
}

BOOST_AUTO_TEST_CASE(plain_requests_get_plain_replies_with_the_same_keys)
{
	Server s;
	auto recs = parse_plain(ask(s.port(), "summary"));
	BOOST_TEST_REQUIRE(recs.size() == 2U);
	BOOST_TEST(recs[0]["STATUS"] == "S");
	BOOST_TEST(recs[0]["Code"] == "11");
	BOOST_TEST(recs[0]["Description"] == "HASHBOARD 0.1.0");
	BOOST_TEST(recs[1][""] == "SUMMARY");
	BOOST_TEST(std::stod(recs[1]["GHS 5s"]) == 1234.5);
	BOOST_TEST(std::stod(recs[1]["MHS av"]) == 1150250);
	BOOST_TEST(recs[1]["Accepted"] == "50");
	BOOST_TEST(recs[1]["Hardware Errors"] == "3");
	BOOST_TEST(recs[1]["Elapsed"] == "100");
	BOOST_TEST(recs[1].count("Device Hardware%") == 1U);

	recs = parse_plain(ask(s.port(), "stats|\n"));
	BOOST_TEST_REQUIRE(recs.size() == 3U);
	BOOST_TEST(recs[1]["Type"] == "rig-3x4");
	BOOST_TEST(recs[2]["chain_acn2"] == "3");
	BOOST_TEST(recs[2]["chain_acs2"] == "ooxo");
	BOOST_TEST(recs[2]["rate_unit"] == "GH");
	BOOST_TEST(recs[2]["fan1"] == "4200");

	recs = parse_plain(ask(s.port(), "pools"));
	BOOST_TEST_REQUIRE(recs.size() == 3U);
	BOOST_TEST(recs[1]["POOL"] == "0");
	BOOST_TEST(recs[1]["URL"] == "stratum+tcp://pool.example:3333");
	BOOST_TEST(recs[1]["Status"] == "Alive");
	BOOST_TEST(recs[1]["Stratum Active"] == "true");
	BOOST_TEST(recs[2]["Status"] == "Dead");

	recs = parse_plain(ask(s.port(), "version"));
	BOOST_TEST(recs.at(1)["Miner"] == "HASHBOARD 0.1.0");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(privilege)

BOOST_AUTO_TEST_CASE(addpool_from_loopback_works)
{
	Server s;
	const auto r = s.json("addpool", "stratum+tcp://new.example:3333,w,x");
	BOOST_TEST(code_of(r) == 55);
	const auto pools = s.json("pools").at("POOLS").as_array();
	BOOST_TEST_REQUIRE(pools.size() == 3U);
	BOOST_TEST(str(pools[2].as_object(), "URL") == "stratum+tcp://new.example:3333");
	// Nor does the password ever show.
	BOOST_TEST(ask(s.port(), R"({"command":"pools"})").find("\"x\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_peer_outside_the_allow_list_is_refused)
{
	// 127.0.0.2 is loopback too, but not in this list.
	Server s([](CgminerOptions &o) {
		o.privilege.allow = {"127.0.0.1/32"};
		o.privilege.token_free = {"127.0.0.1/32"};
	});
	auto r = s.json("addpool", "stratum+tcp://evil.example:1,w,x", "127.0.0.2");
	BOOST_TEST(code_of(r) == 45);
	BOOST_TEST(str(status_of(r), "STATUS") == "E");
	BOOST_TEST(code_of(s.json("logon", "", "127.0.0.2")) == 45);
	BOOST_TEST(code_of(s.json("switchpool", "1", "127.0.0.2")) == 45);
	BOOST_TEST(code_of(s.json("privileged", "", "127.0.0.2")) == 45);
	BOOST_TEST(s.control.status().pools.size() == 2U);
	BOOST_TEST(!s.control.status().pools[1].active);
	// Reads are still served to it.
	BOOST_TEST(code_of(s.json("summary", "", "127.0.0.2")) == 11);
	// And an allow list without 127.0.0.1 refuses loopback too.
	Server t([](CgminerOptions &o) { o.privilege.allow = {"10.0.0.0/8"}; });
	BOOST_TEST(code_of(t.json("addpool", "stratum+tcp://x.example:1,w,x")) == 45);
	BOOST_TEST(code_of(t.json("restart")) == 45);
	BOOST_TEST(t.control.restarts == 0);
}

BOOST_AUTO_TEST_CASE(logon_then_token_works_and_bad_tokens_do_not)
{
	Server s([](CgminerOptions &o) {
		o.privilege.allow = {"127.0.0.0/8"};
		o.privilege.token_free = {"127.0.0.1/32"};
		o.privilege.session_idle = std::chrono::milliseconds(1000);
	});
	BOOST_TEST(code_of(s.json("addpool", "stratum+tcp://a.example:1,w,x", "127.0.0.2")) == 45);
	const auto logon = s.json("logon", "", "127.0.0.2");
	BOOST_TEST(code_of(logon) == 300);
	const std::string token = str(first(logon, "SESSION"), "SessionID");
	auto r = s.json("addpool", token + ",stratum+tcp://a.example:1,w,x", "127.0.0.2");
	BOOST_TEST(code_of(r) == 55);
	// Plain text takes the token the same way.
	auto recs = parse_plain(ask(s.port(), "switchpool|" + token + ",2", "127.0.0.2"));
	BOOST_TEST(recs.at(0)["Code"] == "27");
	BOOST_TEST(s.control.status().pools[2].active);
	r = s.json("switchpool", "0123456789abcdef0123456789abcdef,0", "127.0.0.2");
	BOOST_TEST(code_of(r) == 45);
	r = s.json("switchpool", "not-a-token,0", "127.0.0.2");
	BOOST_TEST(code_of(r) == 45);
	// Expired: a second without use.
	std::this_thread::sleep_for(std::chrono::milliseconds(1500));
	r = s.json("switchpool", token + ",0", "127.0.0.2");
	BOOST_TEST(code_of(r) == 45);
	BOOST_TEST(s.control.status().pools[2].active);
}

BOOST_AUTO_TEST_CASE(restart_answers_then_restarts)
{
	Server s;
	const std::string raw = ask(s.port(), R"({"command":"restart"})");
	BOOST_TEST(raw == "{\"STATUS\":\"RESTART\"}\0"s);
	for (int i = 0; i < 100 && s.control.restarts == 0; ++i)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	BOOST_TEST(s.control.restarts == 1);
	BOOST_TEST(ask(s.port(), "quit") == "BYE|\0"s);
	for (int i = 0; i < 100 && s.control.quits == 0; ++i)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	BOOST_TEST(s.control.quits == 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hostile)

BOOST_AUTO_TEST_CASE(garbage_and_bad_json_get_errors_and_the_server_keeps_serving)
{
	Server s;
	std::string garbage;
	for (int i = 0; i < 300; ++i)
		garbage += static_cast<char>((i * 37 + 11) % 256);
	garbage += '\n';
	const std::string raw = ask(s.port(), garbage);
	BOOST_TEST(raw.starts_with("STATUS=E,"));
	BOOST_TEST(raw.back() == '\0');
	for (const char *bad : {R"({"command":})", R"({"command":"summary","parameter":true})",
	                        R"({"command":["summary"]})", R"({"command":"summary",})",
	                        "{\"command\":\"summary\"\x01}"}) {
		const auto r = fleet_json(ask(s.port(), bad));
		BOOST_TEST(str(status_of(r), "STATUS") == "E", bad);
		BOOST_TEST(code_of(r) == 23, bad);
	}
	check_summary(first(s.json("summary"), "SUMMARY"));
}

BOOST_AUTO_TEST_CASE(a_huge_request_is_refused_and_cut_off)
{
	Server s;
	Client c(s.port());
	// Endless bytes: the server answers at its limit and closes, the client's sends
	// start failing or the reply arrives.
	const std::string chunk(64 * 1024, 'a');
	c.send("{\"command\":\"" + chunk);
	const auto r = c.read(std::chrono::seconds(5));
	BOOST_TEST(r.closed);
	BOOST_TEST(!r.timed_out);
	const auto reply = fleet_json(r.bytes);
	BOOST_TEST(code_of(reply) == 303);
	BOOST_TEST(str(status_of(reply), "Msg").find("too long") != std::string::npos);
	check_summary(first(s.json("summary"), "SUMMARY"));
}

BOOST_AUTO_TEST_CASE(silent_and_slow_clients_are_cut_off_while_others_are_served)
{
	Server s([](CgminerOptions &o) { o.read_timeout = std::chrono::milliseconds(1500); });
	Client silent(s.port());
	Client trickle(s.port());
	const auto t0 = std::chrono::steady_clock::now();
	// A third client is answered while both hold their connections, long before their
	// timeout.
	check_summary(first(s.json("summary"), "SUMMARY"));
	BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1000)));
	// The trickle sends a JSON request one byte at a time, never finishing in time.
	const std::string req = R"({"command":"summary"})";
	for (std::size_t i = 0; i + 1 < req.size() && i < 6; ++i) {
		trickle.send(req.substr(i, 1));
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
	const auto tr = trickle.read(std::chrono::seconds(3));
	BOOST_TEST(tr.closed);
	BOOST_TEST(code_of(fleet_json(tr.bytes)) == 303);
	const auto sr = silent.read(std::chrono::seconds(3));
	BOOST_TEST(sr.closed, "a client that sends nothing is cut off");
	BOOST_TEST(!sr.timed_out);
	BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4)));
}

BOOST_AUTO_TEST_CASE(half_closed_sockets)
{
	Server s;
	{
		// A plain request ended by shutting our side: the request is what was sent.
		Client c(s.port());
		c.send("summary");
		c.shutdown_write();
		const auto r = c.read(std::chrono::seconds(3));
		BOOST_TEST(r.closed);
		BOOST_TEST(parse_plain(r.bytes).at(0)["Code"] == "11");
	}
	{
		// Shut down before sending anything: closed without a reply.
		Client c(s.port());
		c.shutdown_write();
		const auto r = c.read(std::chrono::seconds(3));
		BOOST_TEST(r.closed);
		BOOST_TEST(r.bytes.empty());
	}
	{
		// A JSON request cut short by a shutdown: an error, not a hang.
		Client c(s.port());
		c.send(R"({"command":"sum)");
		c.shutdown_write();
		const auto r = c.read(std::chrono::seconds(3));
		BOOST_TEST(r.closed);
		BOOST_TEST(code_of(fleet_json(r.bytes)) == 23);
	}
	{
		// Gone before the reply: the server survives the reset.
		auto c = std::make_unique<Client>(s.port());
		c->send(R"({"command":"stats"})");
		c.reset();
	}
	check_summary(first(s.json("summary"), "SUMMARY"));
}

BOOST_AUTO_TEST_CASE(a_plain_request_without_an_end_is_whole_after_a_pause)
{
	Server s;
	Client c(s.port());
	c.send("pools");
	const auto r = c.read(std::chrono::seconds(3));
	BOOST_TEST(r.closed);
	BOOST_TEST(parse_plain(r.bytes).at(0)["Code"] == "7");
}

BOOST_AUTO_TEST_CASE(connections_beyond_the_cap_are_closed)
{
	Server s([](CgminerOptions &o) {
		o.max_connections = 2;
		o.read_timeout = std::chrono::milliseconds(1500);
	});
	Client a(s.port());
	Client b(s.port());
	std::this_thread::sleep_for(std::chrono::milliseconds(100));
	Client c(s.port());
	const auto r = c.read(std::chrono::seconds(1));
	BOOST_TEST(r.closed, "the third connection is closed at once");
	BOOST_TEST(!r.timed_out);
}

BOOST_AUTO_TEST_CASE(stop_closes_open_connections)
{
	Server s([](CgminerOptions &o) { o.read_timeout = std::chrono::seconds(30); });
	Client c(s.port());
	std::this_thread::sleep_for(std::chrono::milliseconds(100));
	s.server->stop();
	const auto r = c.read(std::chrono::seconds(2));
	BOOST_TEST(r.closed);
	BOOST_TEST(!r.timed_out);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(concurrency)

BOOST_AUTO_TEST_CASE(many_clients_at_once_on_a_two_thread_io_context)
{
	// A second thread runs the same io_context: connections move between threads, the
	// dispatcher still sees one request at a time.
	Server s([](CgminerOptions &o) { o.max_connections = 64; });
	std::thread second([&] { s.io.io.run(); });
	std::atomic<int> good{0};
	std::vector<std::thread> clients;
	clients.reserve(8);
	for (int t = 0; t < 8; ++t)
		clients.emplace_back([&, t] {
			for (int i = 0; i < 10; ++i) {
				Client c(s.port());
				c.send(t % 2 ? R"({"command":"summary+pools"})" : "stats");
				const auto r = c.read(std::chrono::seconds(5));
				if (r.closed && !r.bytes.empty() && r.bytes.back() == '\0' &&
				    r.bytes.find("\"STATUS\":\"E\"") == std::string::npos &&
				    r.bytes.find("STATUS=E") == std::string::npos)
					++good;
			}
		});
	for (auto &c : clients)
		c.join();
	BOOST_TEST(good == 80);
	s.server->stop();
	s.io.io.stop();
	second.join();
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(the_size_cap_holds_to_the_byte)
{
	Server s([](CgminerOptions &o) { o.max_request_bytes = 64; });
	// 64 bytes exactly: served.
	std::string ok = R"({"command":"summary","parameter":")";
	ok += std::string(64 - ok.size() - 2, 'x') + "\"}";
	BOOST_TEST_REQUIRE(ok.size() == 64U);
	BOOST_TEST(code_of(fleet_json(ask(s.port(), ok))) == 11);
	// One more, complete in a single read: refused all the same.
	std::string over = R"({"command":"summary","parameter":")";
	over += std::string(65 - over.size() - 2, 'x') + "\"}";
	BOOST_TEST(code_of(fleet_json(ask(s.port(), over))) == 303);
}

BOOST_AUTO_TEST_SUITE_END()
