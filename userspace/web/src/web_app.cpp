// SPDX-License-Identifier: MIT
#include <hashboardd/web/web_app.hpp>

#include <hashboardd/api/status_json.hpp>

#include "assets.hpp"
#include "password.hpp"
#include "web_sessions.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace hashboardd::web {

namespace json = boost::json;
using api::HttpRequest;
using api::HttpResponse;

namespace {

constexpr std::string_view kCookie = "hb_session";
// The pages' own paths: each serves the one page, which shows the part the path names,
// so a bookmark or a reload lands where it was.
constexpr std::string_view kPages[] = {"/",         "/board", "/pools", "/tuning",
                                       "/settings", "/logs",  "/login"};
// Only what the page itself loads: no inline script, nothing from elsewhere.
constexpr std::string_view kPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

void secure_headers(HttpResponse &r)
{
	r.headers.emplace_back("Content-Security-Policy", std::string(kPolicy));
	r.headers.emplace_back("X-Content-Type-Options", "nosniff");
	r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

HttpResponse json_reply(unsigned status, const json::value &v)
{
	HttpResponse r;
	r.status = status;
	r.content_type = "application/json";
	r.body = json::serialize(v);
	r.body.push_back('\n');
	r.headers.emplace_back("Cache-Control", "no-store");
	secure_headers(r);
	return r;
}

HttpResponse error_reply(unsigned status, std::string_view message)
{
	return json_reply(status, json::object{{"error", message}});
}

std::string_view cookie_value(std::string_view header, std::string_view name)
{
	while (!header.empty()) {
		const auto semi = header.find(';');
		std::string_view part = header.substr(0, semi);
		header =
		    semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
		while (!part.empty() && part.front() == ' ')
			part.remove_prefix(1);
		const auto eq = part.find('=');
		if (eq != std::string_view::npos && part.substr(0, eq) == name)
			return part.substr(eq + 1);
	}
	return {};
}

std::string session_cookie(std::string_view id, hashboard::Duration max_age)
{
	const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(max_age).count();
	return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}", kCookie, id,
	                   seconds);
}

// Path segments after a prefix: "/api/pools/3/switch" after "/api/pools" -> {"3","switch"}.
std::vector<std::string_view> segments(std::string_view path)
{
	std::vector<std::string_view> out;
	while (!path.empty()) {
		if (path.front() == '/') {
			path.remove_prefix(1);
			continue;
		}
		const auto slash = path.find('/');
		out.push_back(path.substr(0, slash));
		path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
	}
	return out;
}

std::optional<unsigned> index_of(std::string_view s)
{
	unsigned v = 0;
	if (s.empty() || s.size() > 6)
		return std::nullopt;
	const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc() || end != s.data() + s.size())
		return std::nullopt;
	return v;
}

// The request's JSON object body, or why not.
struct BodyError {
	std::string message;
};

json::object body_object(const HttpRequest &req)
{
	const auto type = req.header("content-type");
	if (type.substr(0, 16) != "application/json")
		throw BodyError{"changes are sent as application/json"};
	boost::system::error_code ec;
	json::parse_options opt;
	opt.max_depth = 8;
	json::value v = json::parse(req.body, ec, {}, opt);
	if (ec)
		throw BodyError{"the body is not JSON: " + ec.message()};
	if (!v.is_object())
		throw BodyError{"the body is not a JSON object"};
	return std::move(v.as_object());
}

std::string string_field(const json::object &o, std::string_view key, bool required = true,
                         std::size_t max_len = 512)
{
	const auto *v = o.if_contains(key);
	if (!v) {
		if (required)
			throw BodyError{fmt::format("'{}' is missing", key)};
		return {};
	}
	if (!v->is_string())
		throw BodyError{fmt::format("'{}' must be a string", key)};
	const auto &s = v->as_string();
	if (s.size() > max_len)
		throw BodyError{fmt::format("'{}' is longer than {} characters", key, max_len)};
	return std::string(s);
}

double number_field(const json::object &o, std::string_view key)
{
	const auto *v = o.if_contains(key);
	if (!v)
		throw BodyError{fmt::format("'{}' is missing", key)};
	if (!v->is_number())
		throw BodyError{fmt::format("'{}' must be a number", key)};
	const double d = v->to_number<double>();
	if (!std::isfinite(d))
		throw BodyError{fmt::format("'{}' must be a finite number", key)};
	return d;
}

} // namespace

struct WebApp::State {
	State(DaemonControl &c, hashboard::Clock &k, WebOptions o)
	    : control(c), clock(k), options(std::move(o)), password(options.password_file),
	      sessions(options.session_idle, options.max_sessions),
	      throttle(options.max_login_failures, options.login_window)
	{
	}

	DaemonControl &control;
	hashboard::Clock &clock;
	const WebOptions options;
	PasswordFile password;
	std::mutex mu; // everything below, and one call into the daemon at a time
	WebSessions sessions;
	LoginThrottle throttle;
	struct Sample {
		double t; // seconds since the daemon started
		double ghs;
		double power_w;
	};
	std::deque<Sample> history;
	std::optional<hashboard::Duration> last_sample;

	HttpResponse route(const HttpRequest &req);
	HttpResponse api(const HttpRequest &req, std::string_view path);
	HttpResponse change(const HttpRequest &req, const std::vector<std::string_view> &seg);
	HttpResponse page(const HttpRequest &req, std::string_view path);
	const WebSession *session(const HttpRequest &req);
	HttpResponse logged_in(const HttpRequest &req, bool created);
	json::value history_json() const;
	void take_sample();
};

WebApp::WebApp(DaemonControl &control, hashboard::Clock &clock, WebOptions options)
    : state_(std::make_unique<State>(control, clock, std::move(options)))
{
}

WebApp::~WebApp() = default;

api::HttpHandler WebApp::handler()
{
	return [this](const HttpRequest &req) { return handle(req); };
}

HttpResponse WebApp::handle(const HttpRequest &request)
{
	const std::lock_guard lock(state_->mu);
	try {
		return state_->route(request);
	} catch (const BodyError &e) {
		return error_reply(400, e.message);
	} catch (const ControlError &e) {
		return error_reply(409, e.what());
	} catch (const std::exception &e) {
		return error_reply(500, std::string("internal error: ") + e.what());
	}
}

void WebApp::sample()
{
	const std::lock_guard lock(state_->mu);
	try {
		state_->take_sample();
	} catch (const std::exception &) {
		// A status that cannot be read now is a gap in the chart, not a failure.
	}
}

void WebApp::State::take_sample()
{
	const auto now = clock.now();
	if (last_sample && now - *last_sample < options.history_interval)
		return;
	last_sample = now;
	const DaemonStatus s = control.status();
	history.push_back({s.summary.elapsed_s, s.summary.hashrate_ghs_1m, s.summary.power_w});
	while (history.size() > options.history_samples)
		history.pop_front();
}

json::value WebApp::State::history_json() const
{
	json::array a;
	a.reserve(history.size());
	for (const auto &h : history)
		a.push_back(json::array{h.t, h.ghs, h.power_w});
	return json::object{
	    {"interval_s", std::chrono::duration<double>(options.history_interval).count()},
	    {"columns", json::array{"elapsed_s", "ghs_1m", "power_w"}},
	    {"samples", std::move(a)}};
}

const WebSession *WebApp::State::session(const HttpRequest &req)
{
	const auto id = cookie_value(req.header("cookie"), kCookie);
	if (id.empty())
		return nullptr;
	return sessions.find(id, clock.now());
}

HttpResponse WebApp::State::route(const HttpRequest &req)
{
	const std::string_view path = req.path();
	if (path.substr(0, 5) == "/api/" || path == "/api")
		return api(req, path);
	return page(req, path);
}

HttpResponse WebApp::State::page(const HttpRequest &req, std::string_view path)
{
	if (req.method != "GET" && req.method != "HEAD") {
		HttpResponse r = error_reply(405, "pages are read with GET");
		r.headers.emplace_back("Allow", "GET, HEAD");
		return r;
	}
	for (const auto page : kPages)
		if (path == page)
			path = "/index.html";
	for (const auto &a : assets())
		if (a.path == path) {
			HttpResponse r;
			r.content_type = std::string(a.type);
			r.body = std::string(a.body);
			r.headers.emplace_back("Cache-Control", "no-cache");
			secure_headers(r);
			return r;
		}
	HttpResponse r;
	r.status = 404;
	r.body = "not found\n";
	secure_headers(r);
	return r;
}

HttpResponse WebApp::State::logged_in(const HttpRequest &, bool created)
{
	auto [id, csrf] = sessions.open(clock.now());
	HttpResponse r =
	    json_reply(created ? 201 : 200, json::object{{"logged_in", true}, {"csrf", csrf}});
	r.headers.emplace_back("Set-Cookie", session_cookie(id, options.session_idle));
	return r;
}

HttpResponse WebApp::State::api(const HttpRequest &req, std::string_view path)
{
	const auto seg = segments(path.substr(4)); // after "/api"
	const bool get = req.method == "GET" || req.method == "HEAD";
	const WebSession *s = session(req);
	const bool may_read = s || options.public_status;

	if (seg.size() == 1 && seg[0] == "session" && get) {
		const bool setup = !password.load();
		json::object o{{"logged_in", s != nullptr},
		               {"setup_required", setup},
		               {"public_status", options.public_status}};
		o["csrf"] = s ? json::value(s->csrf) : json::value(nullptr);
		return json_reply(200, o);
	}
	if (get) {
		if (seg.size() != 1)
			return error_reply(404, "no such API path");
		if (!may_read)
			return error_reply(401, "log in to see the status");
		if (seg[0] == "status")
			return json_reply(200, api::status_to_json(control.status()));
		if (seg[0] == "history")
			return json_reply(200, history_json());
		if (seg[0] == "settings") {
			if (!s)
				return error_reply(401, "log in to see the settings");
			json::array a;
			for (const auto &e : control.settings())
				a.push_back(json::object{
				    {"section", e.section}, {"key", e.key}, {"value", e.value}});
			return json_reply(200, json::object{{"settings", std::move(a)}});
		}
		if (seg[0] == "logs") {
			if (!s)
				return error_reply(401, "log in to read the log");
			json::array a;
			for (const auto &l : control.recent_log())
				a.push_back(json::object{{"level", l.level}, {"text", l.text}});
			return json_reply(200, json::object{{"lines", std::move(a)}});
		}
		return error_reply(404, "no such API path");
	}
	if (req.method != "POST" && req.method != "DELETE") {
		HttpResponse r = error_reply(405, "the API takes GET, POST and DELETE");
		r.headers.emplace_back("Allow", "GET, HEAD, POST, DELETE");
		return r;
	}
	// Every change: the browser's Origin, when it names one, is this host.
	if (const auto origin = req.header("origin"); !origin.empty()) {
		const auto host = req.header("host");
		if (host.empty() || (origin != fmt::format("http://{}", host) &&
		                     origin != fmt::format("https://{}", host)))
			return error_reply(403, "cross-origin change refused");
	}
	if (seg.size() == 1 && (seg[0] == "setup" || seg[0] == "login") && req.method == "POST") {
		const auto body = body_object(req);
		const std::string pw = string_field(body, "password", true, kMaxPasswordLength + 1);
		const auto stored = password.load();
		if (seg[0] == "setup") {
			if (stored)
				return error_reply(409, "the password is set already: log in");
			if (const auto problem = password_problem(pw))
				return error_reply(400, *problem);
			password.store(hash_password(pw, options.password_rounds));
			return logged_in(req, true);
		}
		if (!stored)
			return error_reply(409, "no password yet: set one first (POST /api/setup)");
		if (const auto wait = throttle.blocked(clock.now()))
			return error_reply(
			    429,
			    fmt::format(
			        "too many failed logins: try again in {} s",
			        std::chrono::duration_cast<std::chrono::seconds>(*wait).count() +
			            1));
		if (!verify_password(*stored, pw)) {
			throttle.failed(clock.now());
			return error_reply(401, "wrong password");
		}
		throttle.succeeded();
		return logged_in(req, false);
	}
	// Everything else changes the miner: a session and its token.
	if (!s)
		return error_reply(401, "log in first");
	if (!same_secret(req.header("x-csrf-token"), s->csrf))
		return error_reply(403, "missing or wrong CSRF token (X-CSRF-Token)");
	return change(req, seg);
}

HttpResponse WebApp::State::change(const HttpRequest &req, const std::vector<std::string_view> &seg)
{
	const bool post = req.method == "POST";
	const json::object body = post ? body_object(req) : json::object{};
	const auto ok = [](json::object o = {}) {
		o["ok"] = true;
		return json_reply(200, o);
	};
	if (seg.size() == 1 && seg[0] == "logout" && post) {
		sessions.close(cookie_value(req.header("cookie"), kCookie));
		HttpResponse r = ok();
		r.headers.emplace_back("Set-Cookie",
		                       session_cookie("", hashboard::Duration::zero()));
		return r;
	}
	if (seg.size() == 1 && seg[0] == "password" && post) {
		const auto stored = password.load();
		if (!stored || !verify_password(*stored, string_field(body, "current")))
			return error_reply(403, "the current password is wrong");
		const std::string fresh = string_field(body, "new", true, kMaxPasswordLength + 1);
		if (const auto problem = password_problem(fresh))
			return error_reply(400, *problem);
		password.store(hash_password(fresh, options.password_rounds));
		sessions.close_all(); // every other browser logs in again
		return logged_in(req, false);
	}
	if (!seg.empty() && seg[0] == "pools") {
		if (seg.size() == 1 && post) {
			NewPool p;
			p.url = string_field(body, "url");
			p.user = string_field(body, "user");
			p.password = string_field(body, "password", false);
			return ok({{"index", control.add_pool(p)}});
		}
		const auto index = seg.size() >= 2 ? index_of(seg[1]) : std::nullopt;
		if (!index)
			return error_reply(404, "name a pool by its index: /api/pools/N");
		if (seg.size() == 2 && req.method == "DELETE") {
			control.remove_pool(*index);
			return ok();
		}
		if (seg.size() == 3 && post) {
			if (seg[2] == "switch")
				control.switch_pool(*index);
			else if (seg[2] == "enable")
				control.enable_pool(*index);
			else if (seg[2] == "disable")
				control.disable_pool(*index);
			else
				return error_reply(404, "a pool can switch, enable or disable");
			return ok();
		}
		return error_reply(404, "no such pool action");
	}
	if (seg.size() == 1 && seg[0] == "tuning" && post) {
		// The tuner's goal (docs/tuning.md): the daemon checks the mode and the target
		// against each other and starts the tune on its mining thread.
		const std::string mode = string_field(body, "mode", true, 32);
		std::optional<double> target;
		if (body.if_contains("target") && !body.at("target").is_null())
			target = number_field(body, "target");
		control.tune(mode, target);
		return ok();
	}
	if (!seg.empty() && seg[0] == "chains" && post) {
		const auto chain = seg.size() >= 2 ? index_of(seg[1]) : std::nullopt;
		if (!chain)
			return error_reply(404, "name a chain by its id: /api/chains/N/...");
		if (seg.size() == 3 && seg[2] == "frequency") {
			control.set_chain_frequency(*chain, number_field(body, "mhz"));
			return ok();
		}
		if (seg.size() == 3 && seg[2] == "voltage") {
			control.set_chain_voltage(*chain, number_field(body, "mv"));
			return ok();
		}
		if (seg.size() == 5 && seg[2] == "chips" && seg[4] == "frequency") {
			const auto chip = index_of(seg[3]);
			if (!chip)
				return error_reply(404, "name a chip by its position");
			control.set_chip_frequency(*chain, *chip, number_field(body, "mhz"));
			return ok();
		}
		return error_reply(404, "a chain takes frequency, voltage or chips/N/frequency");
	}
	return error_reply(404, "no such API path");
}

} // namespace hashboardd::web
