// SPDX-License-Identifier: MIT
#include "unix_transport.hpp"

#include "fd_io.hpp"
#include "link_defaults.hpp"
#include "unix_socket.hpp"

#include <stdexcept>

namespace hashboard::transport {

UnixTransport::UnixTransport(std::string path, std::optional<std::string> reset_socket,
                             const Clock &clock)
    : path_(std::move(path)), clock_(clock), fd_(connect_unix_stream(path_)), baud_(kOpenBaud)
{
	if (reset_socket) {
		reset_.emplace(std::move(*reset_socket), clock_);
		reset_->status();
	}
}

void UnixTransport::write(ByteSpan data)
{
	write_all(fd_.get(), data, FdKind::socket, link());
}

std::size_t UnixTransport::read(std::span<std::uint8_t> buf, Duration timeout)
{
	return read_with_timeout(fd_.get(), buf, timeout, clock_, link());
}

void UnixTransport::set_baud(std::uint32_t baud)
{
	if (baud == 0)
		throw std::invalid_argument(link() + ": baud must be above 0");
	baud_ = baud;
}

void UnixTransport::flush_input()
{
	drain_input(fd_.get(), link());
}

void UnixTransport::set_reset(bool asserted)
{
	if (!reset_)
		return Transport::set_reset(asserted);
	reset_->set_reset(asserted);
}

std::string UnixTransport::describe() const
{
	std::string s = "unix:" + path_ + " @" + std::to_string(baud_);
	if (reset_)
		s += " reset=hbsim:" + reset_->socket_path();
	return s;
}

std::unique_ptr<Transport> open_unix_transport(const TransportUri &uri, Clock &clock)
{
	const UriOptions options(uri, kUnixOptions);
	if (uri.path.empty())
		throw std::invalid_argument(
		    "transport URI '" + uri.text +
		    "': unix: needs a socket path, e.g. unix:/run/hbsim.sock");
	auto reset_socket = options.hbsim_reset_socket();
	require_real_time(uri, clock);
	return std::make_unique<UnixTransport>(uri.path, std::move(reset_socket), clock);
}

} // namespace hashboard::transport
