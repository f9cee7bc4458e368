// SPDX-License-Identifier: MIT
// The web dashboard without a socket (hashboardd/web/web_app.hpp): pages and assets, the
// first-start password, login and its throttle, sessions, the CSRF token and Origin on
// every change, and what bad input gets.
#include <boost/test/unit_test.hpp>

#include <hashboardd/web/web_app.hpp>

#include "password.hpp"
#include "temp_dir.hpp"

#include <boost/json.hpp>

#include <limits>
#include <string>
#include <vector>

using namespace hashboardd;
using hashboardd::api::HttpRequest;
using hashboardd::api::HttpResponse;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// What the dashboard asked the daemon to do.
struct FakeControl final : DaemonControl {
	DaemonStatus s;
	std::vector<std::string> calls;

	FakeControl()
	{
		s.board_model = "test-board";
		ChainStatus c;
		c.id = 0;
		c.family = "BM1366";
		c.state = "running";
		c.chips_expected = 4;
		c.chips_found = 2;
		for (unsigned i = 0; i < 2; ++i) {
			ChipStatus chip;
			chip.position = i;
			chip.alive = i == 0;
			chip.freq_mhz = 485;
			c.chips.push_back(chip);
		}
		s.chains.push_back(c);
		PoolStatus p;
		p.url = "stratum+tcp://pool.example:3333";
		p.user = "me";
		s.pools.push_back(p);
	}
	DaemonStatus status() const override { return s; }
	std::vector<LogLine> recent_log() const override { return {{"notice", "hello"}}; }
	std::vector<SettingEntry> settings() const override
	{
		return {{"limits", "freq_max_mhz", "650"}};
	}
	unsigned add_pool(const NewPool &p) override
	{
		if (p.url.rfind("stratum+", 0) != 0)
			throw ControlError("not a stratum URL: " + p.url);
		calls.push_back("add " + p.url + " " + p.user);
		return 1;
	}
	void remove_pool(unsigned i) override { calls.push_back("remove " + std::to_string(i)); }
	void switch_pool(unsigned i) override { calls.push_back("switch " + std::to_string(i)); }
	void enable_pool(unsigned i) override { calls.push_back("enable " + std::to_string(i)); }
	void disable_pool(unsigned i) override { calls.push_back("disable " + std::to_string(i)); }
	void set_chain_frequency(unsigned c, double mhz) override
	{
		if (mhz > 650)
			throw ControlError("frequency above the board's limit");
		calls.push_back("freq " + std::to_string(c) + " " + std::to_string(int(mhz)));
	}
	void set_chip_frequency(unsigned c, unsigned p, double mhz) override
	{
		calls.push_back("chip " + std::to_string(c) + "/" + std::to_string(p) + " " +
		                std::to_string(int(mhz)));
	}
	void set_chain_voltage(unsigned c, double mv) override
	{
		calls.push_back("volt " + std::to_string(c) + " " + std::to_string(int(mv)));
	}
	// As the daemon: a fixed tune needs its frequency.
	void tune(const std::string &mode, std::optional<double> target) override
	{
		if (mode == "fixed" && !target)
			throw ControlError("tuning goal: fixed mode needs a frequency");
		s.tuning.mode = mode;
		s.tuning.target = target;
		s.tuning.state = "tuning";
		++tunes;
	}
	int tunes = 0;
	void restart() override {}
	void quit() override {}
};

struct Rig {
	hbtest::TempDir dir;
	FakeControl control;
	hashboard::VirtualClock clock;
	web::WebApp app;
	std::string cookie, csrf;

	explicit Rig(bool public_status = true) : app(control, clock, options(dir, public_status))
	{
	}

	static web::WebOptions options(const hbtest::TempDir &dir, bool public_status)
	{
		web::WebOptions o;
		o.password_file = dir.file("web-password");
		o.public_status = public_status;
		o.password_rounds = 1000; // the test's logins need not be slow
		return o;
	}

	HttpResponse send(const std::string &method, const std::string &target,
	                  const std::string &body = "", bool with_session = true,
	                  bool with_csrf = true)
	{
		HttpRequest r;
		r.method = method;
		r.target = target;
		r.body = body;
		r.headers.emplace_back("host", "miner.local:8080");
		if (!body.empty())
			r.headers.emplace_back("content-type", "application/json");
		if (with_session && !cookie.empty())
			r.headers.emplace_back("cookie", "theme=dark; hb_session=" + cookie);
		if (with_csrf && !csrf.empty())
			r.headers.emplace_back("x-csrf-token", csrf);
		return app.handle(r);
	}
	// Keeps the session a login or setup opens.
	HttpResponse login(const std::string &path, const std::string &password)
	{
		auto r = send("POST", path, json::serialize(json::object{{"password", password}}),
		              false, false);
		for (const auto &[name, value] : r.headers)
			if (name == "Set-Cookie" && value.rfind("hb_session=", 0) == 0) {
				cookie = value.substr(11, value.find(';') - 11);
				BOOST_TEST(value.find("HttpOnly") != std::string::npos);
				BOOST_TEST(value.find("SameSite=Strict") != std::string::npos);
			}
		if (r.status < 300)
			csrf = std::string(json::parse(r.body).at("csrf").as_string());
		return r;
	}
};

json::value body(const HttpResponse &r)
{
	return json::parse(r.body);
}

} // namespace

BOOST_AUTO_TEST_CASE(pages_and_assets_are_served_from_the_binary)
{
	Rig rig;
	for (const char *page : {"/", "/board", "/pools", "/tuning", "/settings", "/logs"}) {
		const auto r = rig.send("GET", page);
		BOOST_TEST(r.status == 200u, page);
		BOOST_TEST(r.content_type.rfind("text/html", 0) == 0);
		BOOST_TEST(r.body.find("<script src=\"/app.js\"") != std::string::npos);
	}
	const auto js = rig.send("GET", "/app.js");
	BOOST_TEST(js.status == 200u);
	BOOST_TEST(js.content_type.rfind("text/javascript", 0) == 0);
	BOOST_TEST(rig.send("GET", "/style.css").status == 200u);
	BOOST_TEST(rig.send("GET", "/nothing-here").status == 404u);
	BOOST_TEST(rig.send("POST", "/", "{}").status == 405u);
	// Nothing the page loads comes from elsewhere, and the policy says so.
	bool policy = false;
	for (const auto &[name, value] : js.headers)
		if (name == "Content-Security-Policy")
			policy = value.find("default-src 'self'") != std::string::npos;
	BOOST_TEST(policy);
	// No request leaves the board: the only "http" in the files is the SVG namespace.
	for (const auto *asset : {"/", "/app.js", "/style.css"}) {
		std::string text = rig.send("GET", asset).body;
		const std::string ns = "http://www.w3.org/2000/svg";
		for (auto at = text.find(ns); at != std::string::npos; at = text.find(ns))
			text.erase(at, ns.size());
		BOOST_TEST(text.find("http") == std::string::npos, asset << " names another host");
	}
}

BOOST_AUTO_TEST_CASE(first_start_sets_the_password_then_login_works)
{
	Rig rig;
	auto s = body(rig.send("GET", "/api/session"));
	BOOST_TEST(s.at("setup_required").as_bool());
	BOOST_TEST(!s.at("logged_in").as_bool());
	// Login before any password: refused with the way forward.
	BOOST_TEST(rig.login("/api/login", "whatever1").status == 409u);
	// Too short a password is refused.
	BOOST_TEST(rig.login("/api/setup", "short").status == 400u);
	BOOST_TEST(rig.login("/api/setup", "correct horse").status == 201u);
	BOOST_TEST(!rig.cookie.empty());
	// Stored hashed, never in clear.
	const auto stored = web::PasswordFile(rig.dir.file("web-password")).load();
	BOOST_TEST_REQUIRE(stored.has_value());
	BOOST_TEST(stored->find("correct horse") == std::string::npos);
	BOOST_TEST(stored->rfind("pbkdf2-sha256$1000$", 0) == 0);
	BOOST_TEST(web::verify_password(*stored, "correct horse"));
	BOOST_TEST(!web::verify_password(*stored, "correct horsf"));
	// A second setup cannot take the miner over.
	BOOST_TEST(rig.login("/api/setup", "another password").status == 409u);
	s = body(rig.send("GET", "/api/session"));
	BOOST_TEST(s.at("logged_in").as_bool());
	BOOST_TEST(!s.at("setup_required").as_bool());
	BOOST_TEST(s.at("csrf").as_string() == rig.csrf);

	// Log out: the session is gone.
	BOOST_TEST(rig.send("POST", "/api/logout", "{}").status == 200u);
	BOOST_TEST(!body(rig.send("GET", "/api/session")).at("logged_in").as_bool());
	BOOST_TEST(rig.login("/api/login", "wrong password").status == 401u);
	BOOST_TEST(rig.login("/api/login", "correct horse").status == 200u);
	BOOST_TEST(body(rig.send("GET", "/api/session")).at("logged_in").as_bool());
}

BOOST_AUTO_TEST_CASE(changes_need_a_session_and_its_csrf_token)
{
	Rig rig;
	BOOST_TEST(rig.login("/api/setup", "correct horse").status == 201u);
	const std::string pool =
	    R"({"url":"stratum+tcp://other.example:3333","user":"me.rig","password":"x"})";
	// No session: refused, nothing done.
	BOOST_TEST(rig.send("POST", "/api/pools", pool, false, false).status == 401u);
	// A session without the token (what a cross-site form would send): refused.
	BOOST_TEST(rig.send("POST", "/api/pools", pool, true, false).status == 403u);
	// A wrong token: refused.
	const std::string good = rig.csrf;
	rig.csrf = std::string(good.size(), '0');
	BOOST_TEST(rig.send("POST", "/api/pools", pool).status == 403u);
	rig.csrf = good;
	BOOST_TEST(rig.control.calls.empty());
	// Another site's Origin: refused even with the token.
	{
		HttpRequest r;
		r.method = "POST";
		r.target = "/api/pools";
		r.body = pool;
		r.headers = {{"host", "miner.local:8080"},
		             {"origin", "http://evil.example"},
		             {"content-type", "application/json"},
		             {"cookie", "hb_session=" + rig.cookie},
		             {"x-csrf-token", rig.csrf}};
		BOOST_TEST(rig.app.handle(r).status == 403u);
	}
	// A form body (not JSON): refused.
	{
		HttpRequest r;
		r.method = "POST";
		r.target = "/api/pools";
		r.body = "url=stratum%2Btcp%3A%2F%2Fx";
		r.headers = {{"host", "miner.local:8080"},
		             {"content-type", "application/x-www-form-urlencoded"},
		             {"cookie", "hb_session=" + rig.cookie},
		             {"x-csrf-token", rig.csrf}};
		BOOST_TEST(rig.app.handle(r).status == 400u);
	}
	BOOST_TEST(rig.control.calls.empty());

	// With both: done.
	const auto added = rig.send("POST", "/api/pools", pool);
	BOOST_TEST(added.status == 200u);
	BOOST_TEST(body(added).at("index").as_int64() == 1);
	BOOST_TEST(rig.send("POST", "/api/pools/1/switch", "{}").status == 200u);
	BOOST_TEST(rig.send("POST", "/api/pools/0/disable", "{}").status == 200u);
	BOOST_TEST(rig.send("DELETE", "/api/pools/1").status == 200u);
	BOOST_TEST(rig.send("POST", "/api/chains/0/frequency", R"({"mhz":500})").status == 200u);
	BOOST_TEST(rig.send("POST", "/api/chains/0/voltage", R"({"mv":1200})").status == 200u);
	BOOST_TEST(rig.send("POST", "/api/chains/0/chips/3/frequency", R"({"mhz":450})").status ==
	           200u);
	const std::vector<std::string> expected{"add stratum+tcp://other.example:3333 me.rig",
	                                        "switch 1",
	                                        "disable 0",
	                                        "remove 1",
	                                        "freq 0 500",
	                                        "volt 0 1200",
	                                        "chip 0/3 450"};
	BOOST_TEST(rig.control.calls == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(bad_input_gets_a_clear_error_and_changes_nothing)
{
	Rig rig;
	BOOST_TEST(rig.login("/api/setup", "correct horse").status == 201u);
	const auto refused = [&](const std::string &method, const std::string &target,
	                         const std::string &text, unsigned status) {
		const auto r = rig.send(method, target, text);
		BOOST_TEST(r.status == status, method << " " << target << " " << text);
		const auto v = json::parse(r.body);
		BOOST_TEST(!v.at("error").as_string().empty());
	};
	refused("POST", "/api/pools", "{not json", 400);
	refused("POST", "/api/pools", "[1,2]", 400);
	refused("POST", "/api/pools", R"({"url":"stratum+tcp://x:1"})", 400);    // no user
	refused("POST", "/api/pools", R"({"url":5,"user":"me"})", 400);          // not a string
	refused("POST", "/api/pools", R"({"url":"http://x","user":"me"})", 409); // the daemon's no
	refused("POST", "/api/pools", R"({"url":")" + std::string(600, 'a') + R"(","user":"me"})",
	        400);
	refused("POST", "/api/pools", std::string(40, '[') + std::string(40, ']'), 400); // too deep
	refused("POST", "/api/chains/0/frequency", R"({"mhz":"fast"})", 400);
	refused("POST", "/api/chains/0/frequency", R"({"mhz":1e999})", 400); // inf
	refused("POST", "/api/chains/0/frequency", R"({"mhz":900})", 409);   // above the limit
	refused("POST", "/api/chains/x/frequency", R"({"mhz":400})", 404);
	refused("POST", "/api/chains/99999999999/frequency", R"({"mhz":400})", 404);
	refused("POST", "/api/pools/-1/switch", "{}", 404);
	refused("POST", "/api/pools/0/explode", "{}", 404);
	refused("PUT", "/api/pools", "{}", 405);
	refused("GET", "/api/nothing", "", 404);
	BOOST_TEST(rig.control.calls.empty());
}

BOOST_AUTO_TEST_CASE(status_is_public_or_not_by_config_and_logs_need_a_login)
{
	{
		Rig open;
		const auto r = open.send("GET", "/api/status");
		BOOST_TEST(r.status == 200u);
		const auto s = body(r);
		BOOST_TEST(s.at("board_model").as_string() == "test-board");
		const auto &chips = s.at("chains").at(0).at("chips").as_array();
		BOOST_TEST(chips.size() == 2u);
		BOOST_TEST(!chips.at(1).at("alive").as_bool());
		BOOST_TEST(open.send("GET", "/api/logs").status == 401u);
		BOOST_TEST(open.send("GET", "/api/settings").status == 401u);
		BOOST_TEST(open.login("/api/setup", "correct horse").status == 201u);
		const auto logs = body(open.send("GET", "/api/logs"));
		BOOST_TEST(logs.at("lines").at(0).at("text").as_string() == "hello");
		const auto settings = body(open.send("GET", "/api/settings"));
		BOOST_TEST(settings.at("settings").at(0).at("value").as_string() == "650");
	}
	Rig closed(false);
	BOOST_TEST(closed.send("GET", "/api/status").status == 401u);
	BOOST_TEST(closed.send("GET", "/api/history").status == 401u);
	BOOST_TEST(closed.send("GET", "/").status == 200u); // the page, to log in from
	BOOST_TEST(closed.login("/api/setup", "correct horse").status == 201u);
	BOOST_TEST(closed.send("GET", "/api/status").status == 200u);
}

BOOST_AUTO_TEST_CASE(failed_logins_are_throttled_and_sessions_expire)
{
	Rig rig;
	BOOST_TEST(rig.login("/api/setup", "correct horse").status == 201u);
	rig.cookie.clear();
	rig.csrf.clear();
	for (int i = 0; i < 5; ++i)
		BOOST_TEST(rig.login("/api/login", "guess " + std::to_string(i)).status == 401u);
	// Now even the right password waits out the window.
	BOOST_TEST(rig.login("/api/login", "correct horse").status == 429u);
	rig.clock.advance_to(rig.clock.now() + 61s);
	BOOST_TEST(rig.login("/api/login", "correct horse").status == 200u);
	BOOST_TEST(body(rig.send("GET", "/api/session")).at("logged_in").as_bool());
	// Idle past the session's life: logged out.
	rig.clock.advance_to(rig.clock.now() + 13h);
	BOOST_TEST(!body(rig.send("GET", "/api/session")).at("logged_in").as_bool());
	BOOST_TEST(rig.send("POST", "/api/pools/0/switch", "{}").status == 401u);
}

BOOST_AUTO_TEST_CASE(changing_the_password_ends_other_sessions)
{
	Rig rig;
	BOOST_TEST(rig.login("/api/setup", "correct horse").status == 201u);
	const std::string old_cookie = rig.cookie;
	BOOST_TEST(
	    rig.send("POST", "/api/password", R"({"current":"wrong one","new":"battery staple"})")
	        .status == 403u);
	BOOST_TEST(rig.send("POST", "/api/password",
	                    R"({"current":"correct horse","new":"battery staple"})")
	               .status == 200u);
	BOOST_TEST(rig.login("/api/login", "correct horse").status == 401u);
	BOOST_TEST(rig.login("/api/login", "battery staple").status == 200u);
	rig.cookie = old_cookie;
	BOOST_TEST(!body(rig.send("GET", "/api/session")).at("logged_in").as_bool());
}

BOOST_AUTO_TEST_CASE(history_samples_the_status_on_its_interval)
{
	Rig rig;
	rig.control.s.summary.hashrate_ghs_1m = 100;
	rig.app.sample();
	rig.app.sample(); // not due yet
	rig.clock.advance_to(rig.clock.now() + 61s);
	rig.control.s.summary.hashrate_ghs_1m = 200;
	rig.app.sample();
	const auto h = body(rig.send("GET", "/api/history"));
	const auto &samples = h.at("samples").as_array();
	BOOST_TEST_REQUIRE(samples.size() == 2u);
	BOOST_TEST(samples.at(1).at(1).to_number<double>() == 200.0);
}

BOOST_AUTO_TEST_CASE(stored_password_texts_that_are_not_ours_never_verify)
{
	for (const char *bad :
	     {"", "plain", "pbkdf2-sha256$$00$00", "pbkdf2-sha256$0$00$00",
	      "pbkdf2-sha256$99999999999$00$"
	      "00",
	      "pbkdf2-sha256$10$zz$00", "md5$10$0011$0011", "pbkdf2-sha256$10$0011$0011$extra"})
		BOOST_TEST(!web::verify_password(bad, "anything"), bad);
	BOOST_TEST(web::password_problem("has\na newline").has_value());
	BOOST_TEST(web::password_problem(std::string(300, 'a')).has_value());
	BOOST_TEST(!web::password_problem("long enough").has_value());
}

BOOST_AUTO_TEST_CASE(the_tuning_page_sets_the_goal_with_a_session_and_its_token)
{
	Rig rig;
	BOOST_TEST(rig.login("/api/setup", "correct horse").status == 201u);
	const std::string goal = R"({"mode":"heat","target":80})";
	// Without the token, or without a session: refused, nothing asked of the daemon.
	BOOST_TEST(rig.send("POST", "/api/tuning", goal, true, false).status == 403u);
	BOOST_TEST(rig.send("POST", "/api/tuning", goal, false, true).status == 401u);
	BOOST_TEST(rig.control.tunes == 0);
	BOOST_TEST(rig.send("POST", "/api/tuning", goal).status == 200u);
	BOOST_TEST(rig.control.tunes == 1);
	const auto s = body(rig.send("GET", "/api/status")).at("tuning");
	BOOST_TEST(s.at("mode").as_string() == "heat");
	BOOST_TEST(s.at("target").to_number<double>() == 80.0);
	BOOST_TEST(s.at("sweep").is_array());
	// A target is optional; a bad one, or a goal the daemon refuses, is a clear error.
	BOOST_TEST(
	    rig.send("POST", "/api/tuning", R"({"mode":"efficiency","target":null})").status ==
	    200u);
	for (const char *bad :
	     {R"({"target":80})", R"({"mode":7})", R"({"mode":"heat","target":"hot"})",
	      R"({"mode":"heat","target":1e999})"})
		BOOST_TEST(rig.send("POST", "/api/tuning", bad).status == 400u, bad);
	const auto r = rig.send("POST", "/api/tuning", R"({"mode":"fixed"})");
	BOOST_TEST(r.status == 409u);
	BOOST_TEST(std::string(body(r).at("error").as_string()).find("frequency") !=
	           std::string::npos);
}
