// SPDX-License-Identifier: MIT
#pragma once

#include "stream_transport.hpp"

#include <memory>
#include <optional>
#include <string>

namespace hashboard::transport {

// hbsim listening on a unix stream socket: unix:<path>[?reset=hbsim:<control-socket>].
// Each connection is a freshly powered chain. A socket has no baud: set_baud only
// records it (hbsim moves its end of the wire with the chips). The data stream cannot
// carry the reset line, so there is one only through hbsim's control socket.
//
// A chain another host holds answers with hbsim's busy line and closes (hbsim_control.hpp
// kBusyPrefix): the first bytes of a connection are held back until they cannot be that
// line, and when they are, every call throws TransportError(EBUSY) with hbsim's words
// instead of reporting a cut link.
class UnixTransport final : public StreamTransport {
public:
	UnixTransport(std::string path, std::optional<std::string> reset_socket,
	              const Clock &clock);

	void write(ByteSpan data) override;
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override;
	void flush_input() override;

private:
	void apply_baud(std::uint32_t) override {}
	// Reads until the held bytes show what the connection is, the timeout passes or the
	// peer goes. Throws the busy error when they are hbsim's busy line.
	void settle_opening(Duration timeout);
	[[noreturn]] void throw_busy();

	bool opening_ = true;             // the first bytes may still be hbsim's busy line
	Bytes held_;                      // bytes read, not delivered yet
	std::optional<std::string> busy_; // hbsim's busy line, once seen
};

std::unique_ptr<Transport> open_unix_transport(const TransportUri &uri, Clock &clock);

} // namespace hashboard::transport
