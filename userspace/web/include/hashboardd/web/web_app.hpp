// SPDX-License-Identifier: MIT
//
// The web dashboard without its socket: pages and assets built into the binary, the JSON
// REST API behind them (docs/api.md, "Web dashboard"), the login and its sessions. Each
// request is a value in and a value out (hashboardd/api/http_exchange.hpp), so the tests
// drive it directly and the one Beast loop (api::HttpServer) serves it.
//
// Security: changing anything needs a session (the password is set at first start and
// stored hashed, web/src/password.hpp) and the session's CSRF token in X-CSRF-Token, a
// JSON body and, when the browser names one, an Origin of this host; the cookie is
// HttpOnly and SameSite=Strict. Reading the status needs a session unless
// public_status (the LAN may watch, only a login may change).
#pragma once

#include <hashboardd/api/http_exchange.hpp>
#include <hashboardd/control.hpp>

#include <hashboard/clock.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace hashboardd::web {

struct WebOptions {
	std::string password_file; // the stored hash; created at first start
	bool public_status = true; // status and pages readable without a login
	unsigned password_rounds = 100'000;
	hashboard::Duration session_idle = std::chrono::hours(12);
	std::size_t max_sessions = 16;
	unsigned max_login_failures = 5; // then logins wait out login_window
	hashboard::Duration login_window = std::chrono::minutes(1);
	// The hashrate history kept for the overview chart: one sample every
	// history_interval, history_samples of them (6 h at one a minute).
	hashboard::Duration history_interval = std::chrono::minutes(1);
	std::size_t history_samples = 360;
};

class WebApp {
public:
	// The clock gives sessions and the history their times (the daemon's clock).
	WebApp(DaemonControl &control, hashboard::Clock &clock, WebOptions options);
	~WebApp();
	WebApp(const WebApp &) = delete;
	WebApp &operator=(const WebApp &) = delete;

	// Thread-safe; never throws (a failure is a 500 with its reason).
	api::HttpResponse handle(const api::HttpRequest &request);
	// Takes a history sample when one is due: the daemon calls it on a timer.
	void sample();
	api::HttpHandler handler();

	struct State;

private:
	std::unique_ptr<State> state_;
};

} // namespace hashboardd::web
