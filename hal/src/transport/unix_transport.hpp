// SPDX-License-Identifier: MIT
#pragma once

#include "hbsim_control.hpp"
#include "unique_fd.hpp"
#include "uri.hpp"

#include <hashboard/transport.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hashboard::transport {

// hbsim listening on a unix stream socket: unix:<path>[?reset=hbsim:<control-socket>].
// Each connection is a freshly powered chain. A socket has no baud: set_baud only
// records it (hbsim moves its end of the wire with the chips). The data stream cannot
// carry the reset line, so there is one only through hbsim's control socket.
class UnixTransport final : public Transport {
public:
	UnixTransport(std::string path, std::optional<std::string> reset_socket,
	              const Clock &clock);

	void write(ByteSpan data) override;
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override;
	void set_baud(std::uint32_t baud) override;
	std::uint32_t baud() const override { return baud_; }
	void flush_input() override;
	bool has_reset() const override { return reset_.has_value(); }
	void set_reset(bool asserted) override;
	std::string describe() const override;

private:
	std::string link() const { return "unix socket " + path_; }

	std::string path_;
	const Clock &clock_;
	UniqueFd fd_;
	std::uint32_t baud_;
	std::optional<HbsimControl> reset_;
};

inline constexpr std::array<std::string_view, 1> kUnixOptions{"reset"};
std::unique_ptr<Transport> open_unix_transport(const TransportUri &uri, Clock &clock);

} // namespace hashboard::transport
