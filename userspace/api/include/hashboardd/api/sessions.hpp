// SPDX-License-Identifier: MIT
//
// The session tokens of privileged access beyond loopback, as LuxOS does it: `logon`
// creates one, each privileged command names it as its first parameter, and it expires
// after a time without use (docs/api.md, "Privilege"). Thread-safe: connections on
// several io_context threads share one table.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace hashboardd::api {

using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

class SessionTable {
public:
	// idle: how long a token lives without use; max: how many live at once (the oldest
	// goes when a new one would pass it). now is the injected clock (tests move it).
	SessionTable(std::chrono::steady_clock::duration idle, std::size_t max, SteadyNow now);

	std::string create();
	// True when token is live; its idle time starts again.
	bool use(std::string_view token);
	// True when token was live (it is gone now).
	bool remove(std::string_view token);
	std::size_t size() const;
	std::chrono::steady_clock::duration idle() const { return idle_; }

	// What a token looks like (32 lower-case hex digits): a first parameter of that
	// shape is taken as a token, never as a pool URL or a chain id.
	static bool looks_like_token(std::string_view text);

private:
	void expire_locked(std::chrono::steady_clock::time_point now);

	std::chrono::steady_clock::duration idle_;
	std::size_t max_;
	SteadyNow now_;
	mutable std::mutex mutex_;
	std::random_device random_;
	std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> last_use_;
};

} // namespace hashboardd::api
