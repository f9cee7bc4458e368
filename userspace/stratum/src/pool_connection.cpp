// SPDX-License-Identifier: MIT
#include <hashboardd/stratum/pool_connection.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>

namespace hashboardd::stratum {
namespace asio = boost::asio;
using boost::system::error_code;

std::shared_ptr<PoolConnection> PoolConnection::create(asio::io_context &io, PoolUrl url,
                                                       ConnectionOptions options, Session &session,
                                                       const hashboard::Clock &clock,
                                                       Handlers handlers)
{
	return std::make_shared<PoolConnection>(io, std::move(url), std::move(options), session,
	                                        clock, std::move(handlers));
}

PoolConnection::PoolConnection(asio::io_context &io, PoolUrl url, ConnectionOptions options,
                               Session &session, const hashboard::Clock &clock, Handlers handlers)
    : io_(io), url_(std::move(url)), options_(std::move(options)), session_(session), clock_(clock),
      handlers_(std::move(handlers)), tls_(asio::ssl::context::tls_client), resolver_(io),
      stream_(io, tls_), connect_timer_(io), reader_(options_.max_line)
{
	if (url_.tls) {
		tls_.set_options(asio::ssl::context::default_workarounds |
		                 asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
		                 asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
		if (options_.verify_peer) {
			if (options_.ca_file)
				tls_.load_verify_file(*options_.ca_file);
			else
				tls_.set_default_verify_paths();
			stream_.set_verify_mode(asio::ssl::verify_peer);
			stream_.set_verify_callback(asio::ssl::host_name_verification(url_.host));
		} else {
			stream_.set_verify_mode(asio::ssl::verify_none);
		}
		// SNI: pools behind a shared front end pick the certificate by it.
		SSL_set_tlsext_host_name(stream_.native_handle(), url_.host.c_str());
	}
}

void PoolConnection::open()
{
	auto self = shared_from_this();
	connect_timer_.expires_after(options_.connect_timeout);
	connect_timer_.async_wait([self](const error_code &ec) {
		if (!ec && !self->connected_)
			self->close("connect timed out");
	});
	resolver_.async_resolve(
	    url_.host, std::to_string(url_.port),
	    [self](const error_code &ec, const asio::ip::tcp::resolver::results_type &results) {
		    self->on_resolved(ec, results);
	    });
}

void PoolConnection::on_resolved(const error_code &ec,
                                 const asio::ip::tcp::resolver::results_type &results)
{
	if (closed_)
		return;
	if (ec) {
		close("cannot resolve " + url_.host + ": " + ec.message());
		return;
	}
	auto self = shared_from_this();
	asio::async_connect(stream_.next_layer(), results,
	                    [self](const error_code &e, const asio::ip::tcp::endpoint &) {
		                    self->on_tcp_connected(e);
	                    });
}

void PoolConnection::on_tcp_connected(const error_code &ec)
{
	if (closed_)
		return;
	if (ec) {
		close("cannot connect to " + url_.text() + ": " + ec.message());
		return;
	}
	error_code ignored;
	stream_.next_layer().set_option(asio::ip::tcp::no_delay(true), ignored);
	if (!url_.tls) {
		on_up();
		return;
	}
	auto self = shared_from_this();
	stream_.async_handshake(asio::ssl::stream_base::client, [self](const error_code &e) {
		if (self->closed_)
			return;
		if (e) {
			self->close("TLS handshake with " + self->url_.text() +
			            " failed: " + e.message());
			return;
		}
		self->on_up();
	});
}

void PoolConnection::on_up()
{
	connected_ = true;
	connect_timer_.cancel();
	session_.start(clock_.now());
	if (handlers_.on_connected)
		handlers_.on_connected();
	flush();
	read();
}

void PoolConnection::read()
{
	auto self = shared_from_this();
	auto on_read = [self](const error_code &ec, std::size_t n) {
		if (self->closed_)
			return;
		if (ec) {
			self->close(ec == asio::error::eof ? "the pool closed the connection"
			                                   : "read: " + ec.message());
			return;
		}
		if (!self->reader_.feed(std::string_view(self->buf_.data(), n))) {
			self->close("a line longer than " +
			            std::to_string(self->options_.max_line) + " bytes");
			return;
		}
		while (auto line = self->reader_.next_line()) {
			if (self->options_.tap)
				self->options_.tap(LineDirection::received, *line);
			const auto r = self->session_.on_line(*line, self->clock_.now());
			if (!r.ok && self->handlers_.on_bad_line)
				self->handlers_.on_bad_line(r.error);
			if (self->closed_)
				return;
		}
		if (self->handlers_.on_input)
			self->handlers_.on_input();
		if (self->closed_)
			return;
		self->flush();
		self->read();
	};
	if (url_.tls)
		stream_.async_read_some(asio::buffer(buf_), on_read);
	else
		stream_.next_layer().async_read_some(asio::buffer(buf_), on_read);
}

void PoolConnection::flush()
{
	if (closed_ || !connected_)
		return;
	for (auto &line : session_.take_output())
		write_queue_.push_back(std::move(line));
	write();
}

void PoolConnection::write()
{
	if (writing_ || write_queue_.empty() || closed_)
		return;
	writing_ = true;
	auto self = shared_from_this();
	auto done = [self](const error_code &ec, std::size_t) {
		self->writing_ = false;
		if (self->closed_)
			return;
		if (ec) {
			self->close("write: " + ec.message());
			return;
		}
		if (self->options_.tap)
			self->options_.tap(LineDirection::sent, self->write_queue_.front());
		self->write_queue_.pop_front();
		self->write();
	};
	if (url_.tls)
		asio::async_write(stream_, asio::buffer(write_queue_.front()), done);
	else
		asio::async_write(stream_.next_layer(), asio::buffer(write_queue_.front()), done);
}

void PoolConnection::close(const std::string &reason)
{
	if (closed_)
		return;
	closed_ = true;
	connected_ = false;
	connect_timer_.cancel();
	resolver_.cancel();
	error_code ignored;
	// No TLS close_notify: the pool learns from the TCP close, and waiting for its answer
	// would keep a dead pool's socket around.
	stream_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
	stream_.next_layer().close(ignored);
	if (!reason.empty() && handlers_.on_closed) {
		// Moved out so a handler that drops the last reference to us is safe.
		auto cb = std::move(handlers_.on_closed);
		cb(reason);
	}
}

} // namespace hashboardd::stratum
