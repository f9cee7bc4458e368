// SPDX-License-Identifier: MIT
#include "stream_transport.hpp"

#include <hashboard/bm13xx/wire.hpp>

#include <stdexcept>

namespace hashboard::transport {

StreamTransport::StreamTransport(Link link, UniqueFd fd, std::optional<std::string> reset_socket,
                                 const Clock &clock)
    : link_(std::move(link)), clock_(clock), fd_(std::move(fd)), baud_(kResetHostBaud)
{
	if (reset_socket) {
		reset_.emplace(std::move(*reset_socket), clock_);
		reset_->status();
	}
}

void StreamTransport::write(ByteSpan data)
{
	write_all(fd_.get(), data, link_.kind, link());
}

std::size_t StreamTransport::read(std::span<std::uint8_t> buf, Duration timeout)
{
	return read_with_timeout(fd_.get(), buf, timeout, clock_, link());
}

void StreamTransport::set_baud(std::uint32_t baud)
{
	if (baud == 0)
		throw std::invalid_argument(link() + ": baud must be above 0");
	apply_baud(baud);
	baud_ = baud;
}

void StreamTransport::set_reset(bool asserted)
{
	if (!reset_)
		return Transport::set_reset(asserted);
	reset_->set_reset(asserted);
}

std::string StreamTransport::describe() const
{
	std::string s = link_.scheme + ":" + link_.path + " @" + std::to_string(baud_);
	if (reset_)
		s += " reset=hbsim:" + reset_->socket_path();
	return s;
}

StreamUri parse_stream_uri(const TransportUri &uri, std::string_view needs, const Clock &clock)
{
	const UriOptions options(uri, kStreamOptions);
	if (uri.path.empty())
		throw std::invalid_argument("transport URI '" + uri.text + "': " + uri.scheme +
		                            ": needs " + std::string(needs));
	StreamUri out{uri.path, options.hbsim_reset_socket()};
	require_real_time(uri, clock);
	return out;
}

} // namespace hashboard::transport
