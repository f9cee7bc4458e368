// SPDX-License-Identifier: MIT
//
// One HTTP request and its answer as plain values, so what a server says can be built and
// tested without a socket: the metrics port (metrics_handler) and the web dashboard
// (hashboardd/web/web_app.hpp) are handlers of these, and HttpServer is the one Beast
// loop under both.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hashboardd::api {

struct HttpRequest {
	std::string method;                                       // "GET", "POST", ... as sent
	std::string target;                                       // path and query
	std::vector<std::pair<std::string, std::string>> headers; // names lower-case
	std::string body;
	std::string peer_address; // "127.0.0.1", "::1", ...
	bool peer_loopback = false;

	// The first header of that (lower-case) name, or empty.
	std::string_view header(std::string_view name) const
	{
		for (const auto &[n, v] : headers)
			if (n == name)
				return v;
		return {};
	}
	// The path without its query.
	std::string_view path() const
	{
		return std::string_view(target).substr(0, target.find('?'));
	}
};

struct HttpResponse {
	unsigned status = 200;
	std::string content_type = "text/plain";
	std::string body;
	std::vector<std::pair<std::string, std::string>> headers; // extra: Set-Cookie, ...
};

// Called on the server's strand; must not block for long (the daemon's status is a
// snapshot copy).
using HttpHandler = std::function<HttpResponse(const HttpRequest &)>;

} // namespace hashboardd::api
