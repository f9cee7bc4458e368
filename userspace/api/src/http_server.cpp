// SPDX-License-Identifier: MIT
#include <hashboardd/api/http_server.hpp>

#include <hashboardd/api/metrics.hpp>
#include <hashboardd/api/status_json.hpp>

#include "connection_registry.hpp"
#include "listen.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <utility>

namespace hashboardd::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
	State(asio::io_context &io_context, DaemonControl &c, HttpOptions o)
	    : io(io_context), control(c), options(std::move(o)), acceptor(asio::make_strand(io))
	{
	}

	asio::io_context &io;
	DaemonControl &control;
	const HttpOptions options;
	// control.hpp: one API call into the daemon at a time.
	std::mutex control_mutex;
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

using Response = http::response<http::string_body>;

Response text_response(http::status status, unsigned version, std::string_view type,
                       std::string body)
{
	Response res{status, version};
	res.set(http::field::server, kFirmwareName);
	res.set(http::field::content_type, type);
	res.body() = std::move(body);
	return res;
}

Response answer(HttpServer::State &st, const http::request<http::string_body> &req)
{
	std::string_view target(req.target().data(), req.target().size());
	target = target.substr(0, target.find('?'));
	const bool metrics = target == "/metrics";
	const bool status = target == "/status";
	if (!metrics && !status)
		return text_response(http::status::not_found, req.version(), "text/plain",
		                     "not found: try /metrics or /status\n");
	if (req.method() != http::verb::get && req.method() != http::verb::head) {
		Response res = text_response(http::status::method_not_allowed, req.version(),
		                             "text/plain", "only GET and HEAD\n");
		res.set(http::field::allow, "GET, HEAD");
		return res;
	}
	DaemonStatus s;
	try {
		const std::lock_guard lock(st.control_mutex);
		s = st.control.status();
	} catch (const std::exception &e) {
		return text_response(http::status::internal_server_error, req.version(),
		                     "text/plain",
		                     std::string("no daemon status: ") + e.what() + "\n");
	}
	if (metrics)
		return text_response(http::status::ok, req.version(), kMetricsContentType,
		                     render_metrics(s));
	return text_response(http::status::ok, req.version(), "application/json",
	                     status_json_text(s) + "\n");
}

// The status for a request the parser refused.
http::status refusal_status(const boost::system::error_code &ec)
{
	if (ec == http::error::header_limit)
		return http::status::request_header_fields_too_large;
	if (ec == http::error::body_limit || ec == http::error::buffer_overflow)
		return http::status::payload_too_large;
	return http::status::bad_request;
}

using Stream = beast::basic_stream<tcp, tcp::socket::executor_type>;

asio::awaitable<void> serve(std::shared_ptr<HttpServer::State> st, tcp::socket sock)
{
	auto shared = std::make_shared<Stream>(std::move(sock));
	const auto registration = st->connections.add(
	    shared, [](Stream &s) -> tcp::socket & { return s.socket(); },
	    st->options.max_connections);
	Stream &stream = *shared;
	if (!registration) {
		boost::system::error_code ec;
		stream.socket().close(ec); // NOLINT(bugprone-unused-return-value): refused
		co_return;
	}
	const HttpOptions &o = st->options;
	beast::flat_buffer buffer(o.max_header_bytes + o.max_body_bytes);
	for (std::size_t n = 0; n < o.max_requests_per_connection; ++n) {
		http::request_parser<http::string_body> parser;
		parser.header_limit(static_cast<std::uint32_t>(o.max_header_bytes));
		parser.body_limit(o.max_body_bytes);
		stream.expires_after(o.timeout);
		auto [ec, bytes] = co_await http::async_read(stream, buffer, parser,
		                                             asio::as_tuple(asio::use_awaitable));
		(void)bytes;
		if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
		    ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
		    ec == asio::error::eof || ec == asio::error::bad_descriptor)
			break;
		if (ec) {
			Response res = text_response(refusal_status(ec), 11, "text/plain",
			                             "bad request: " + ec.message() + "\n");
			res.keep_alive(false);
			res.prepare_payload();
			stream.expires_after(o.timeout);
			co_await http::async_write(stream, res,
			                           asio::as_tuple(asio::use_awaitable));
			break;
		}
		const auto &req = parser.get();
		Response res = answer(*st, req);
		const bool keep = req.keep_alive() && n + 1 < o.max_requests_per_connection;
		res.keep_alive(keep);
		res.prepare_payload();
		if (req.method() == http::verb::head)
			res.body().clear(); // Content-Length stays that of the GET
		stream.expires_after(o.timeout);
		http::response_serializer<http::string_body> sr(res);
		if (req.method() == http::verb::head)
			sr.split(true);
		auto [wec, wn] = req.method() == http::verb::head
		                     ? co_await http::async_write_header(
		                           stream, sr, asio::as_tuple(asio::use_awaitable))
		                     : co_await http::async_write(
		                           stream, sr, asio::as_tuple(asio::use_awaitable));
		(void)wn;
		if (wec || !keep)
			break;
	}
	boost::system::error_code ec;
	stream.socket().shutdown(tcp::socket::shutdown_send,
	                         ec); // NOLINT(bugprone-unused-return-value)
	stream.socket().close(ec);    // NOLINT(bugprone-unused-return-value)
}

asio::awaitable<void> accept_loop(std::shared_ptr<HttpServer::State> st)
{
	asio::steady_timer backoff(st->acceptor.get_executor());
	while (st->acceptor.is_open()) {
		auto [ec, s] = co_await st->acceptor.async_accept(
		    asio::make_strand(st->io), asio::as_tuple(asio::use_awaitable));
		if (ec == asio::error::operation_aborted || !st->acceptor.is_open())
			co_return;
		if (ec) {
			backoff.expires_after(std::chrono::milliseconds(50));
			co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
			continue;
		}
		const auto ex = s.get_executor();
		asio::co_spawn(ex, serve(st, std::move(s)), asio::detached);
	}
}

} // namespace

HttpServer::HttpServer(asio::io_context &io, DaemonControl &control, HttpOptions options)
    : state_(std::make_shared<State>(io, control, std::move(options)))
{
	state_->port = listen_on(state_->acceptor, state_->options.address, state_->options.port);
	asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_), asio::detached);
}

HttpServer::~HttpServer()
{
	stop();
}

std::uint16_t HttpServer::port() const
{
	return state_->port;
}

void HttpServer::stop()
{
	state_->stop();
}

} // namespace hashboardd::api
