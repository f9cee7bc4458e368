// SPDX-License-Identifier: MIT
//
// The metrics port (9028 by default): GET /metrics (Prometheus text 0.0.4) and
// GET /status (the DaemonStatus as JSON), over HTTP/1.1 with keep-alive (Boost.Beast).
// Runs on an io_context the daemon owns, like CgminerServer.
#pragma once

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
	// Request line plus headers; a body is never expected (GET and HEAD only).
	std::size_t max_header_bytes = 8192;
	std::size_t max_body_bytes = 1024;
	// For each request to arrive (and between requests on a kept-alive connection), and
	// for each reply to be written.
	std::chrono::milliseconds timeout{10000};
	std::size_t max_connections = 32;
	std::size_t max_requests_per_connection = 1000;
};

class HttpServer {
public:
	HttpServer(boost::asio::io_context &io, DaemonControl &control, HttpOptions options);
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
