// SPDX-License-Identifier: MIT
//
// One socket to a pool, plain TCP or TLS (Boost.Asio, asio::ssl), carrying one Session:
// bytes in -> LineReader -> Session::on_line, Session::take_output -> bytes out. It runs on
// the daemon's io_context and tells its owner about the connection through callbacks.
// Lifetime: owned through shared_ptr (pending handlers hold it); after close() no handler
// touches the Session again, so the Session only has to outlive close().
#pragma once

#include <hashboardd/stratum/json_rpc.hpp>
#include <hashboardd/stratum/pool_url.hpp>
#include <hashboardd/stratum/session.hpp>

#include <hashboard/clock.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hashboardd::stratum {

// A look at the lines on the wire, for benchmarks and traces: each received line as it
// is read (before the Session sees it), each sent line once the socket took all of it.
enum class LineDirection { received, sent };
using LineTap = std::function<void(LineDirection, std::string_view line)>;

struct ConnectionOptions {
	// TLS: verify the pool's certificate and host name against the system CAs (or ca_file).
	// verify_peer = false is for self-signed test pools only.
	bool verify_peer = true;
	std::optional<std::string> ca_file;
	Duration connect_timeout = std::chrono::seconds(10);
	std::size_t max_line = LineReader::kDefaultMaxLine;
	LineTap tap; // empty: no look
};

class PoolConnection : public std::enable_shared_from_this<PoolConnection> {
public:
	struct Handlers {
		std::function<void()> on_connected; // socket (and TLS) up, handshake queued
		std::function<void()> on_input;     // after each batch of received lines
		std::function<void(const std::string &)> on_bad_line;
		std::function<void(const std::string &)> on_closed; // once, with the reason
	};

	static std::shared_ptr<PoolConnection> create(boost::asio::io_context &io, PoolUrl url,
	                                              ConnectionOptions options, Session &session,
	                                              const hashboard::Clock &clock,
	                                              Handlers handlers);
	PoolConnection(boost::asio::io_context &io, PoolUrl url, ConnectionOptions options,
	               Session &session, const hashboard::Clock &clock, Handlers handlers);
	PoolConnection(const PoolConnection &) = delete;
	PoolConnection &operator=(const PoolConnection &) = delete;

	void open();
	// Sends whatever the session has queued.
	void flush();
	// Idempotent; on_closed runs once (not from inside close() when reason is empty:
	// a close the owner asked for needs no callback).
	void close(const std::string &reason);
	bool connected() const { return connected_; }
	bool closed() const { return closed_; }
	const PoolUrl &url() const { return url_; }

private:
	using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
	void on_resolved(const boost::system::error_code &ec,
	                 const boost::asio::ip::tcp::resolver::results_type &results);
	void on_tcp_connected(const boost::system::error_code &ec);
	void on_up();
	void read();
	void write();

	boost::asio::io_context &io_;
	PoolUrl url_;
	ConnectionOptions options_;
	Session &session_;
	const hashboard::Clock &clock_;
	Handlers handlers_;
	boost::asio::ssl::context tls_;
	boost::asio::ip::tcp::resolver resolver_;
	// Always an ssl::stream; plain TCP uses its next_layer() only, so one code path holds
	// the socket for both.
	Stream stream_;
	boost::asio::steady_timer connect_timer_;
	LineReader reader_;
	std::array<char, 4096> buf_{};
	std::deque<std::string> write_queue_;
	bool writing_ = false;
	bool connected_ = false;
	bool closed_ = false;
};

} // namespace hashboardd::stratum
