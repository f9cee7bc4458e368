// SPDX-License-Identifier: MIT
#include <hashboardd/api/cgminer_server.hpp>

#include "connection_registry.hpp"
#include "listen.hpp"
#include "request.hpp"

#include <fmt/format.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <array>
#include <mutex>
#include <utility>

namespace hashboardd::api {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

struct CgminerServer::State : std::enable_shared_from_this<CgminerServer::State> {
	State(asio::io_context &io_context, DaemonControl &c, CgminerOptions o)
	    : io(io_context), control(c), options(std::move(o)),
	      dispatcher(control, options.privilege), acceptor(asio::make_strand(io))
	{
	}

	asio::io_context &io;
	DaemonControl &control;
	const CgminerOptions options;
	// One request at a time reaches the dispatcher and DaemonControl, whatever number
	// of threads runs the io_context: control.hpp promises the daemon calls from one
	// API thread at a time.
	std::mutex dispatch_mutex;
	Dispatcher dispatcher;
	tcp::acceptor acceptor;
	std::uint16_t port = 0;
	ConnectionRegistry connections;

	void stop()
	{
		if (!connections.stop())
			return;
		asio::post(acceptor.get_executor(), [self = shared_from_this()] {
			boost::system::error_code ec;
			self->acceptor.close(
			    ec); // NOLINT(bugprone-unused-return-value): best effort
		});
	}
};

namespace {

using Clock = std::chrono::steady_clock;

// What one connection received: the request's bytes, and why reading ended.
struct Received {
	std::string bytes;
	std::optional<std::string> refusal; // set when the server cut the client off
	bool gone = false;                  // the peer reset or the server stopped
};

asio::awaitable<Received> read_request(tcp::socket &sock, const CgminerOptions &o)
{
	Received r;
	const auto deadline = Clock::now() + o.read_timeout;
	asio::steady_timer timer(sock.get_executor());
	std::array<char, 2048> chunk{};
	for (;;) {
		const auto end = request_end(r.bytes);
		if (end && *end <= o.max_request_bytes) {
			r.bytes.resize(*end);
			co_return r;
		}
		// Reads come in chunks, so the cap is checked on the request itself too.
		if (end || r.bytes.size() > o.max_request_bytes) {
			r.refusal = fmt::format("Request too long: more than {} bytes",
			                        o.max_request_bytes);
			co_return r;
		}
		// A plain request without an end marker is whole once the client pauses.
		const bool quiet_ends = !r.bytes.empty() && !looks_like_json(r.bytes);
		auto wake = deadline;
		if (quiet_ends)
			wake = std::min(wake, Clock::now() + o.plain_quiet);
		timer.expires_at(wake);
		auto result = co_await (sock.async_read_some(asio::buffer(chunk),
		                                             asio::as_tuple(asio::use_awaitable)) ||
		                        timer.async_wait(asio::as_tuple(asio::use_awaitable)));
		if (result.index() == 1) {
			if (quiet_ends && Clock::now() < deadline)
				co_return r;
			r.refusal =
			    fmt::format("Request timed out: no complete request within {} ms",
			                o.read_timeout.count());
			co_return r;
		}
		const auto [ec, n] = std::get<0>(result);
		r.bytes.append(chunk.data(), n);
		if (ec == asio::error::eof) {
			// The client shut its side down: what it sent is the request.
			if (r.bytes.empty())
				r.gone = true;
			co_return r;
		}
		if (ec) {
			r.gone = true;
			co_return r;
		}
	}
}

// Sends the reply and its NUL, then closes gracefully: shut our side down and read
// what the client still sends (until its EOF, briefly), because closing with unread
// bytes makes the kernel send a reset that can destroy the reply in flight.
asio::awaitable<void> send_and_close(tcp::socket &sock, std::string reply, const CgminerOptions &o)
{
	reply.push_back('\0');
	asio::steady_timer timer(sock.get_executor());
	timer.expires_after(o.write_timeout);
	auto written = co_await (
	    asio::async_write(sock, asio::buffer(reply), asio::as_tuple(asio::use_awaitable)) ||
	    timer.async_wait(asio::as_tuple(asio::use_awaitable)));
	boost::system::error_code ec;
	if (written.index() == 0 && !std::get<0>(std::get<0>(written))) {
		sock.shutdown(tcp::socket::shutdown_send,
		              ec); // NOLINT(bugprone-unused-return-value)
		std::array<char, 2048> sink{};
		std::size_t drained = 0;
		timer.expires_after(std::chrono::milliseconds(500));
		while (drained < 65536) {
			auto r =
			    co_await (sock.async_read_some(asio::buffer(sink),
			                                   asio::as_tuple(asio::use_awaitable)) ||
			              timer.async_wait(asio::as_tuple(asio::use_awaitable)));
			if (r.index() == 1)
				break;
			const auto [rec, n] = std::get<0>(r);
			if (rec)
				break;
			drained += n;
		}
	}
	sock.close(ec); // NOLINT(bugprone-unused-return-value): the connection ends either way
}

asio::awaitable<void> serve(std::shared_ptr<CgminerServer::State> st,
                            std::shared_ptr<tcp::socket> sock)
{
	const auto registration = st->connections.add(
	    sock, [](tcp::socket &s) -> tcp::socket & { return s; }, st->options.max_connections);
	if (!registration) {
		boost::system::error_code ec;
		sock->close(ec); // NOLINT(bugprone-unused-return-value): refused, closing anyway
		co_return;
	}
	const IpAddress peer = peer_address(*sock);
	Received got = co_await read_request(*sock, st->options);
	if (got.gone) {
		boost::system::error_code ec;
		sock->close(ec); // NOLINT(bugprone-unused-return-value)
		co_return;
	}
	Response response;
	{
		const std::lock_guard lock(st->dispatch_mutex);
		if (got.refusal)
			response.text = st->dispatcher.refuse(got.bytes, *got.refusal);
		else
			response = st->dispatcher.handle(got.bytes, peer);
	}
	co_await send_and_close(*sock, std::move(response.text), st->options);
	if (response.after == AfterReply::nothing)
		co_return;
	const std::lock_guard lock(st->dispatch_mutex);
	try {
		if (response.after == AfterReply::restart)
			st->control.restart();
		else
			st->control.quit();
	} catch (const std::exception &) {
		// Already answered; the daemon reports its own failure to restart or quit.
	}
}

asio::awaitable<void> accept_loop(std::shared_ptr<CgminerServer::State> st)
{
	asio::steady_timer backoff(st->acceptor.get_executor());
	while (st->acceptor.is_open()) {
		auto [ec, s] = co_await st->acceptor.async_accept(
		    asio::make_strand(st->io), asio::as_tuple(asio::use_awaitable));
		if (ec == asio::error::operation_aborted || !st->acceptor.is_open())
			co_return;
		if (ec) {
			// Out of descriptors or a reset before accept: wait a little, never spin.
			backoff.expires_after(std::chrono::milliseconds(50));
			co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
			continue;
		}
		auto sock = std::make_shared<tcp::socket>(std::move(s));
		const auto ex = sock->get_executor();
		asio::co_spawn(ex, serve(st, std::move(sock)), asio::detached);
	}
}

} // namespace

CgminerServer::CgminerServer(asio::io_context &io, DaemonControl &control, CgminerOptions options)
    : state_(std::make_shared<State>(io, control, std::move(options)))
{
	state_->port = listen_on(state_->acceptor, state_->options.address, state_->options.port);
	asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_), asio::detached);
}

CgminerServer::~CgminerServer()
{
	stop();
}

std::uint16_t CgminerServer::port() const
{
	return state_->port;
}

void CgminerServer::stop()
{
	state_->stop();
}

} // namespace hashboardd::api
