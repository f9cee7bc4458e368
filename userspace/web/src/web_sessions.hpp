// SPDX-License-Identifier: MIT
//
// Logged-in browsers: a random session id (the HttpOnly cookie) and, per session, a CSRF
// token the page sends back in a header on every change. A header is something another
// site's form or image cannot set, and SameSite=Strict keeps the cookie off cross-site
// requests too: two locks, as OWASP's CSRF sheet advises. Sessions end after an idle
// time; the table is bounded (the oldest goes). Time is the daemon's injected clock.
#pragma once

#include <hashboard/clock.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hashboardd::web {

struct WebSession {
	std::string csrf;
	hashboard::Duration last_used{};
};

class WebSessions {
public:
	WebSessions(hashboard::Duration idle_timeout, std::size_t max_sessions)
	    : idle_timeout_(idle_timeout), max_(max_sessions)
	{
	}
	// A new session: its id (for the cookie) and CSRF token.
	std::pair<std::string, std::string> open(hashboard::Duration now);
	// The session of that id, touched; nothing when unknown or expired.
	const WebSession *find(std::string_view id, hashboard::Duration now);
	void close(std::string_view id) { sessions_.erase(std::string(id)); }
	void close_all() { sessions_.clear(); }
	std::size_t size() const { return sessions_.size(); }

private:
	void expire(hashboard::Duration now);

	hashboard::Duration idle_timeout_;
	std::size_t max_;
	std::map<std::string, WebSession, std::less<>> sessions_;
};

// Failed logins: after max_failures inside window, every login is refused until the
// window has passed (one password, so one counter: a guesser gets a few tries a minute).
class LoginThrottle {
public:
	LoginThrottle(unsigned max_failures, hashboard::Duration window)
	    : max_(max_failures), window_(window)
	{
	}
	// How long until a login may be tried, or nothing if now.
	std::optional<hashboard::Duration> blocked(hashboard::Duration now) const;
	void failed(hashboard::Duration now);
	void succeeded() { failures_ = 0; }

private:
	unsigned max_;
	hashboard::Duration window_;
	unsigned failures_ = 0;
	hashboard::Duration first_failure_{};
};

} // namespace hashboardd::web
