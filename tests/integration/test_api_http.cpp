// SPDX-License-Identifier: MIT
// The metrics port over real HTTP: /metrics in the Prometheus text format (checked by
// the real promtool, and scraped by a real Prometheus server whose query API must give
// back a per-chip value), /status as JSON, 404/405, size limits, keep-alive; and the
// Grafana dashboard, whose every query must name metrics /metrics exports.
#include <hashboardd/api/http_server.hpp>
#include <hashboardd/api/metrics.hpp>

#include "api_rig.hpp"
#include "api_test_paths.hpp"
#include "child_process.hpp"
#include "temp_dir.hpp"

#include <boost/test/unit_test.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

using namespace hashboardd;
using namespace hashboardd::api;
using namespace apitest;

namespace {

struct Server {
	FakeControl control;
	IoThread io;
	std::unique_ptr<HttpServer> server;

	explicit Server(std::function<void(HttpOptions &)> tweak = {})
	{
		HttpOptions o;
		o.address = "127.0.0.1";
		o.port = 0;
		o.timeout = std::chrono::milliseconds(1500);
		if (tweak)
			tweak(o);
		server = std::make_unique<HttpServer>(io.io, control, o);
	}
	~Server() { server->stop(); }
	std::uint16_t port() const { return server->port(); }
};

struct HttpReply {
	int status = 0;
	std::map<std::string, std::string> headers; // names lower-cased
	std::string body;
};

// Reads one response off the connection: status line, headers, Content-Length bytes.
std::optional<HttpReply> read_reply(Client &c, std::string &pending, bool head = false)
{
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
	std::size_t header_end;
	while ((header_end = pending.find("\r\n\r\n")) == std::string::npos) {
		if (std::chrono::steady_clock::now() > deadline)
			return std::nullopt;
		const auto r = c.read(std::chrono::milliseconds(50));
		pending += r.bytes;
		if (r.closed && pending.find("\r\n\r\n") == std::string::npos)
			return std::nullopt;
	}
	HttpReply out;
	std::istringstream head_lines(pending.substr(0, header_end));
	std::string line;
	std::getline(head_lines, line);
	BOOST_TEST_REQUIRE(line.starts_with("HTTP/1."));
	out.status = std::stoi(line.substr(9, 3));
	while (std::getline(head_lines, line)) {
		if (!line.empty() && line.back() == '\r')
			line.pop_back();
		const auto colon = line.find(':');
		if (colon == std::string::npos)
			continue;
		std::string name = line.substr(0, colon);
		for (char &ch : name)
			ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
		out.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
	}
	pending.erase(0, header_end + 4);
	const std::size_t length = head || !out.headers.count("content-length")
	                               ? 0
	                               : std::stoul(out.headers["content-length"]);
	while (pending.size() < length) {
		if (std::chrono::steady_clock::now() > deadline)
			return std::nullopt;
		const auto r = c.read(std::chrono::milliseconds(50));
		pending += r.bytes;
		if (r.closed && pending.size() < length)
			return std::nullopt;
	}
	out.body = pending.substr(0, length);
	pending.erase(0, length);
	return out;
}

HttpReply get(std::uint16_t port, const std::string &path, const std::string &method = "GET")
{
	Client c(port);
	c.send(method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	std::string pending;
	auto r = read_reply(c, pending, method == "HEAD");
	BOOST_TEST_REQUIRE(r.has_value());
	return *r;
}

std::string scrape(std::uint16_t port)
{
	const auto r = get(port, "/metrics");
	BOOST_TEST_REQUIRE(r.status == 200);
	return r.body;
}

// The metric family names in a text exposition: the names of its samples (before '{'
// or ' '), without the histogram/summary suffixes (none here).
std::set<std::string> sample_names(const std::string &text)
{
	std::set<std::string> names;
	std::istringstream in(text);
	std::string line;
	while (std::getline(in, line)) {
		if (line.empty() || line[0] == '#')
			continue;
		names.insert(line.substr(0, line.find_first_of("{ ")));
	}
	return names;
}

int run_shell(const std::string &command, std::string &output)
{
	hbtest::Child child({"/bin/sh", "-c", command + " 2>&1"});
	output = child.read_all(std::chrono::seconds(60));
	return child.wait(std::chrono::seconds(10));
}

std::uint16_t free_port()
{
	const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	BOOST_TEST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
	socklen_t len = sizeof a;
	::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
	::close(fd);
	return ntohs(a.sin_port);
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(metrics_follow_the_naming_rules_and_carry_the_status)
{
	Server s;
	const auto r = get(s.port(), "/metrics");
	BOOST_TEST(r.status == 200);
	BOOST_TEST(r.headers.at("content-type") == "text/plain; version=0.0.4; charset=utf-8");
	const std::string &t = r.body;
	BOOST_TEST(t.find("hashboard_build_info{version=\"0.1.0\",firmware=\"HASHBOARD\","
	                  "model=\"rig-3x4\"} 1\n") != std::string::npos);
	BOOST_TEST(t.find("hashboard_chip_hashrate_hashes_per_second{chain=\"1\",chip=\"3\"} "
	                  "113000000000\n") != std::string::npos);
	BOOST_TEST(t.find("hashboard_chip_up{chain=\"1\",chip=\"2\"} 0\n") != std::string::npos);
	BOOST_TEST(t.find("hashboard_chain_frequency_hertz{chain=\"0\"} 525000000\n") !=
	           std::string::npos);
	BOOST_TEST(t.find("hashboard_pool_state{pool=\"1\",state=\"dead\"} 1\n") !=
	           std::string::npos);
	BOOST_TEST(t.find("hashboard_pool_shares_accepted_total{pool=\"0\"} 50\n") !=
	           std::string::npos);
	BOOST_TEST(t.find("hashboard_board_state{state=\"mining\"} 1\n") != std::string::npos);
	BOOST_TEST(t.find("hashboard_safety_tripped 0\n") != std::string::npos);
	BOOST_TEST(t.find("hashboard_safety_trip_info") == std::string::npos);
	const std::set<std::string> known(metric_names().begin(), metric_names().end());
	for (const std::string &name : sample_names(t)) {
		BOOST_TEST(known.count(name) == 1U, name);
		BOOST_TEST(name.starts_with("hashboard_"), name);
		// Every family is announced once, right before its samples.
		BOOST_TEST(t.find("# TYPE " + name + " ") != std::string::npos, name);
	}
	for (const std::string &name : known) {
		const auto type_at = t.find("# TYPE " + name + " counter");
		if (type_at != std::string::npos)
			BOOST_TEST(name.ends_with("_total"), name);
	}

	// A trip shows with its reason, label value escaped.
	s.control.edit([](DaemonStatus &d) {
		d.safety.board_state = "tripped";
		d.safety.trip_reason = "over \"temperature\"\nchain 1";
	});
	const std::string tripped = scrape(s.port());
	BOOST_TEST(tripped.find("hashboard_safety_tripped 1\n") != std::string::npos);
	BOOST_TEST(tripped.find(
	               R"(hashboard_safety_trip_info{reason="over \"temperature\"\nchain 1"} 1)") !=
	           std::string::npos);
}

BOOST_AUTO_TEST_CASE(promtool_accepts_the_exposition)
{
	if (std::string(hbtest::api::kPromtoolBin).empty() ||
	    !std::filesystem::exists(hbtest::api::kPromtoolBin)) {
		std::cout << "HB-SKIPPED: promtool not installed" << std::endl;
		return;
	}
	Server s;
	s.control.edit([](DaemonStatus &d) { d.safety.trip_reason = "fan loss"; });
	hbtest::TempDir dir;
	const std::string file = dir.write("metrics.txt", scrape(s.port()));
	std::string out;
	const int rc =
	    run_shell(std::string(hbtest::api::kPromtoolBin) + " check metrics < " + file, out);
	BOOST_TEST(rc == 0, "promtool check metrics: " << out);
	BOOST_TEST(out.empty(), "promtool's lint has no complaint: " << out);
}

BOOST_AUTO_TEST_CASE(a_real_prometheus_scrapes_a_per_chip_value)
{
	if (std::string(hbtest::api::kPrometheusBin).empty() ||
	    !std::filesystem::exists(hbtest::api::kPrometheusBin)) {
		std::cout << "HB-SKIPPED: prometheus not installed" << std::endl;
		return;
	}
	Server s;
	hbtest::TempDir dir;
	const std::uint16_t web = free_port();
	const std::string config = dir.write(
	    "prometheus.yml", "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
	                      "scrape_configs:\n  - job_name: hashboardd\n    scrape_interval: 1s\n"
	                      "    static_configs:\n      - targets: ['127.0.0.1:" +
	                          std::to_string(s.port()) + "']\n");
	hbtest::Child prom({"/bin/sh", "-c",
	                    "exec " + std::string(hbtest::api::kPrometheusBin) + " --config.file=" +
	                        config + " --storage.tsdb.path=" + dir.file("data") +
	                        " --web.listen-address=127.0.0.1:" + std::to_string(web) + " >" +
	                        dir.file("prometheus.log") + " 2>&1"});
	const std::string query =
	    "/api/v1/query?query=hashboard_chip_hashrate_hashes_per_second%7Bchain%3D%221%22%2C"
	    "chip%3D%223%22%7D";
	std::optional<double> value;
	std::string last;
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
	while (!value && std::chrono::steady_clock::now() < deadline) {
		std::this_thread::sleep_for(std::chrono::milliseconds(500));
		// Connect only once it listens.
		const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
		sockaddr_in a{};
		a.sin_family = AF_INET;
		a.sin_port = htons(web);
		::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
		const bool up = ::connect(probe, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
		::close(probe);
		if (!up)
			continue;
		const auto r = get(web, query);
		last = r.body;
		if (r.status != 200)
			continue;
		const auto v = boost::json::parse(r.body).as_object();
		const auto &result = v.at("data").as_object().at("result").as_array();
		if (result.empty())
			continue;
		const auto &obj = result.at(0).as_object();
		BOOST_TEST(std::string(obj.at("metric").as_object().at("job").as_string()) ==
		           "hashboardd");
		value = std::stod(std::string(obj.at("value").as_array().at(1).as_string()));
	}
	std::ifstream log(dir.file("prometheus.log"));
	const std::string log_text((std::istreambuf_iterator<char>(log)), {});
	BOOST_TEST_REQUIRE(value.has_value(), "no sample from Prometheus; last answer "
	                                          << last << "\nlog:\n"
	                                          << log_text);
	BOOST_TEST(*value == 113e9);
	BOOST_TEST(prom.terminate(std::chrono::seconds(10)) >= 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http)

BOOST_AUTO_TEST_CASE(status_is_the_whole_snapshot_as_json)
{
	Server s;
	const auto r = get(s.port(), "/status");
	BOOST_TEST(r.status == 200);
	BOOST_TEST(r.headers.at("content-type") == "application/json");
	const auto v = boost::json::parse(r.body).as_object();
	BOOST_TEST(std::string(v.at("firmware").as_string()) == "HASHBOARD");
	BOOST_TEST(number(v.at("now")) == 1700000100.0);
	const auto &chains = v.at("chains").as_array();
	BOOST_TEST_REQUIRE(chains.size() == 3U);
	BOOST_TEST(
	    chains[1].as_object().at("chips").as_array().at(2).as_object().at("alive").as_bool() ==
	    false);
	BOOST_TEST(v.at("pools").as_array().size() == 2U);
	BOOST_TEST(v.at("fans").as_array().at(1).as_object().at("rpm").is_null());
	BOOST_TEST(
	    std::string(v.at("sensors").as_array().at(1).as_object().at("error").as_string()) ==
	    "nak");
	BOOST_TEST(std::string(v.at("safety").as_object().at("board_state").as_string()) ==
	           "mining");
	BOOST_TEST(number(v.at("summary").as_object().at("efficiency_j_per_th")) == 34.4);
}

BOOST_AUTO_TEST_CASE(other_paths_and_methods)
{
	Server s;
	BOOST_TEST(get(s.port(), "/").status == 404);
	BOOST_TEST(get(s.port(), "/metrics/x").status == 404);
	BOOST_TEST(get(s.port(), "/metrics?x=1").status == 200);
	const auto post = get(s.port(), "/metrics", "POST");
	BOOST_TEST(post.status == 405);
	BOOST_TEST(post.headers.at("allow") == "GET, HEAD");
	BOOST_TEST(get(s.port(), "/status", "DELETE").status == 405);
	const auto head = get(s.port(), "/metrics", "HEAD");
	BOOST_TEST(head.status == 200);
	BOOST_TEST(std::stoul(head.headers.at("content-length")) > 1000U);
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_several_requests_on_one_connection)
{
	Server s;
	Client c(s.port());
	std::string pending;
	for (int i = 0; i < 3; ++i) {
		c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
		const auto r = read_reply(c, pending);
		BOOST_TEST_REQUIRE(r.has_value());
		BOOST_TEST(r->status == 200);
		BOOST_TEST(r->body.find("hashboard_build_info") != std::string::npos);
	}
	// Two pipelined requests, answered in order.
	c.send("GET /status HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
	auto r = read_reply(c, pending);
	BOOST_TEST_REQUIRE(r.has_value());
	BOOST_TEST(r->status == 200);
	r = read_reply(c, pending);
	BOOST_TEST_REQUIRE(r.has_value());
	BOOST_TEST(r->status == 404);
	// Connection: close is honoured.
	c.send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	r = read_reply(c, pending);
	BOOST_TEST_REQUIRE(r.has_value());
	const auto rest = c.read(std::chrono::seconds(3));
	BOOST_TEST(rest.closed);
	// HTTP/1.0 without keep-alive closes after one reply.
	Client old(s.port());
	old.send("GET /metrics HTTP/1.0\r\n\r\n");
	std::string p2;
	BOOST_TEST(read_reply(old, p2).has_value());
	BOOST_TEST(old.read(std::chrono::seconds(3)).closed);
}

BOOST_AUTO_TEST_CASE(limits_and_timeouts)
{
	Server s([](HttpOptions &o) { o.timeout = std::chrono::milliseconds(400); });
	{
		Client c(s.port());
		c.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') +
		       "\r\n\r\n");
		std::string pending;
		const auto r = read_reply(c, pending);
		BOOST_TEST_REQUIRE(r.has_value());
		BOOST_TEST(r->status == 431);
	}
	{
		Client c(s.port());
		c.send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
		std::string pending;
		const auto r = read_reply(c, pending);
		BOOST_TEST_REQUIRE(r.has_value());
		BOOST_TEST(r->status == 413);
	}
	{
		Client c(s.port());
		c.send("\x01\x02garbage\r\n\r\n");
		std::string pending;
		const auto r = read_reply(c, pending);
		BOOST_TEST_REQUIRE(r.has_value());
		BOOST_TEST(r->status == 400);
	}
	{
		// Silent, and half a request: both cut off at the timeout, while others are
		// served.
		Client silent(s.port());
		Client half(s.port());
		half.send("GET /metr");
		BOOST_TEST(get(s.port(), "/metrics").status == 200);
		const auto t0 = std::chrono::steady_clock::now();
		BOOST_TEST(silent.read(std::chrono::seconds(3)).closed);
		BOOST_TEST(half.read(std::chrono::seconds(3)).closed);
		BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2)));
	}
	BOOST_TEST(get(s.port(), "/metrics").status == 200);
}

BOOST_AUTO_TEST_CASE(stop_closes_kept_alive_connections)
{
	Server s([](HttpOptions &o) { o.timeout = std::chrono::seconds(30); });
	Client c(s.port());
	c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	std::string pending;
	BOOST_TEST_REQUIRE(read_reply(c, pending).has_value());
	s.server->stop();
	const auto r = c.read(std::chrono::seconds(2));
	BOOST_TEST(r.closed);
	BOOST_TEST(!r.timed_out);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(grafana)

BOOST_AUTO_TEST_CASE(every_dashboard_query_names_exported_metrics)
{
	std::ifstream in(hbtest::api::kGrafanaDashboard);
	BOOST_TEST_REQUIRE(in.good(), hbtest::api::kGrafanaDashboard);
	const std::string text((std::istreambuf_iterator<char>(in)), {});
	const auto dash = boost::json::parse(text).as_object();
	const std::set<std::string> known(metric_names().begin(), metric_names().end());
	// What a real scrape has, so a name in metric_names() that is never emitted with this
	// status would show too.
	Server s;
	s.control.edit([](DaemonStatus &d) { d.safety.trip_reason = "fan loss"; });
	const auto scraped = sample_names(scrape(s.port()));
	std::size_t exprs = 0;
	std::set<std::string> used;
	for (const auto &p : dash.at("panels").as_array()) {
		for (const auto &t : p.as_object().at("targets").as_array()) {
			const std::string expr(t.as_object().at("expr").as_string());
			++exprs;
			std::size_t names_in_expr = 0;
			// Every hashboard_[a-z0-9_]+ in the expression (no std::regex: gcc 12's
			// -Wmaybe-uninitialized misfires on it in the sanitizer build).
			for (std::size_t at = expr.find("hashboard_"); at != std::string::npos;
			     at = expr.find("hashboard_", at)) {
				std::size_t end = at;
				while (end < expr.size() &&
				       (std::islower(static_cast<unsigned char>(expr[end])) ||
				        std::isdigit(static_cast<unsigned char>(expr[end])) ||
				        expr[end] == '_'))
					++end;
				const std::string name = expr.substr(at, end - at);
				at = end;
				BOOST_TEST(known.count(name) == 1U, name << " in " << expr);
				BOOST_TEST(scraped.count(name) == 1U, name << " is scraped");
				used.insert(name);
				++names_in_expr;
			}
			BOOST_TEST(names_in_expr > 0U, expr);
		}
	}
	BOOST_TEST(exprs >= 10U);
	BOOST_TEST(used.count("hashboard_chip_hashrate_hashes_per_second") == 1U);
	BOOST_TEST(used.count("hashboard_safety_trip_info") == 1U);
}

BOOST_AUTO_TEST_SUITE_END()
