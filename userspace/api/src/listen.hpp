// SPDX-License-Identifier: MIT
//
// Binding a server's listening socket, as both API servers do: the address and port
// from their options (port 0: an ephemeral one), address reuse so a restarted daemon
// binds at once, the backlog at the system's maximum. Returns the port bound; throws
// boost::system::system_error when the socket cannot be bound.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>

namespace hashboardd::api {

inline std::uint16_t listen_on(boost::asio::ip::tcp::acceptor &acceptor, const std::string &address,
                               std::uint16_t port)
{
	using boost::asio::ip::tcp;
	const tcp::endpoint ep(boost::asio::ip::make_address(address), port);
	acceptor.open(ep.protocol());
	acceptor.set_option(tcp::acceptor::reuse_address(true));
	acceptor.bind(ep);
	acceptor.listen(boost::asio::socket_base::max_listen_connections);
	return acceptor.local_endpoint().port();
}

} // namespace hashboardd::api
