// SPDX-License-Identifier: MIT
//
// An HTTP/1.1 server with keep-alive (Boost.Beast) that answers each request through a
// handler (http_exchange.hpp). The metrics port (9028 by default) is one: GET /metrics
// (Prometheus text 0.0.4) and GET /status (the DaemonStatus as JSON); the web dashboard
// is another. Runs on an io_context the daemon owns, like CgminerServer.
#pragma once

#include <hashboardd/api/http_exchange.hpp>
#include <hashboardd/control.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace hashboardd::api {

struct HttpOptions {
	std::string address = "0.0.0.0";
	std::uint16_t port = 9028; // 0: an ephemeral port (tests), see HttpServer::port()
	// Request line plus headers; the metrics port expects no body (GET and HEAD only).
	std::size_t max_header_bytes = 8192;
	std::size_t max_body_bytes = 1024;
	// For each request to arrive (and between requests on a kept-alive connection), and
	// for each reply to be written.
	std::chrono::milliseconds timeout{10000};
	std::size_t max_connections = 32;
	std::size_t max_requests_per_connection = 1000;
};

// The metrics port's answers: /metrics and /status from control.status(), one call
// into the daemon at a time (control.hpp).
HttpHandler metrics_handler(DaemonControl &control);

class HttpServer {
public:
	// The metrics port: metrics_handler(control).
	HttpServer(boost::asio::io_context &io, DaemonControl &control, HttpOptions options);
	HttpServer(boost::asio::io_context &io, HttpHandler handler, HttpOptions options);
	~HttpServer();
	HttpServer(const HttpServer &) = delete;
	HttpServer &operator=(const HttpServer &) = delete;

	std::uint16_t port() const;
	void stop();

	struct State;

private:
	std::shared_ptr<State> state_;
};

} // namespace hashboardd::api
