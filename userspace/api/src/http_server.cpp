// SPDX-License-Identifier: MIT
#include <hashboardd/api/http_server.hpp>

#include <hashboardd/api/metrics.hpp>
#include <hashboardd/api/status_json.hpp>

#include "connection_registry.hpp"
#include "listen.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <mutex>
#include <utility>

namespace hashboardd::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
	State(asio::io_context &io_context, HttpHandler h, HttpOptions o)
	    : io(io_context), handler(std::move(h)), options(std::move(o)),
	      acceptor(asio::make_strand(io))
	{
	}

	asio::io_context &io;
	const HttpHandler handler;
	const HttpOptions options;
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

HttpResponse text_reply(unsigned status, std::string type, std::string body)
{
	HttpResponse r;
	r.status = status;
	r.content_type = std::move(type);
	r.body = std::move(body);
	return r;
}

Response text_response(http::status status, unsigned version, std::string_view type,
                       std::string body)
{
	Response res{status, version};
	res.set(http::field::server, kFirmwareName);
	res.set(http::field::content_type, type);
	res.body() = std::move(body);
	return res;
}

HttpRequest plain_request(const http::request<http::string_body> &req, const tcp::socket &sock)
{
	HttpRequest r;
	r.method = std::string(req.method_string());
	r.target = std::string(req.target());
	for (const auto &field : req) {
		std::string name(field.name_string());
		for (auto &c : name)
			c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
		r.headers.emplace_back(std::move(name), std::string(field.value()));
	}
	r.body = req.body();
	boost::system::error_code ec;
	const auto peer = sock.remote_endpoint(ec);
	if (!ec) {
		r.peer_address = peer.address().to_string();
		r.peer_loopback = peer.address().is_loopback();
	}
	return r;
}

Response answer(HttpServer::State &st, const http::request<http::string_body> &req,
                const tcp::socket &sock)
{
	HttpResponse reply;
	try {
		reply = st.handler(plain_request(req, sock));
	} catch (const std::exception &e) {
		reply = text_reply(500, "text/plain",
		                   std::string("internal error: ") + e.what() + "\n");
	}
	Response res = text_response(static_cast<http::status>(reply.status), req.version(),
	                             reply.content_type, std::move(reply.body));
	for (const auto &[name, value] : reply.headers)
		res.insert(name, value);
	return res;
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
		Response res = answer(*st, req, stream.socket());
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

HttpHandler metrics_handler(DaemonControl &control)
{
	// control.hpp: one API call into the daemon at a time.
	auto mutex = std::make_shared<std::mutex>();
	return [&control, mutex](const HttpRequest &req) {
		const std::string_view target = req.path();
		const bool metrics = target == "/metrics";
		const bool status = target == "/status";
		if (!metrics && !status)
			return text_reply(404, "text/plain",
			                  "not found: try /metrics or /status\n");
		if (req.method != "GET" && req.method != "HEAD") {
			HttpResponse res = text_reply(405, "text/plain", "only GET and HEAD\n");
			res.headers.emplace_back("Allow", "GET, HEAD");
			return res;
		}
		DaemonStatus s;
		try {
			const std::lock_guard lock(*mutex);
			s = control.status();
		} catch (const std::exception &e) {
			return text_reply(500, "text/plain",
			                  std::string("no daemon status: ") + e.what() + "\n");
		}
		if (metrics)
			return text_reply(200, std::string(kMetricsContentType), render_metrics(s));
		return text_reply(200, "application/json", status_json_text(s) + "\n");
	};
}

HttpServer::HttpServer(asio::io_context &io, DaemonControl &control, HttpOptions options)
    : HttpServer(io, metrics_handler(control), std::move(options))
{
}

HttpServer::HttpServer(asio::io_context &io, HttpHandler handler, HttpOptions options)
    : state_(std::make_shared<State>(io, std::move(handler), std::move(options)))
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
