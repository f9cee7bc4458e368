// SPDX-License-Identifier: MIT
#pragma once

#include "stream_transport.hpp"

#include <memory>
#include <optional>
#include <string>

namespace hashboard::transport {

// A UART or pty: tty:<path>[?reset=hbsim:<control-socket>]. Raw 8N1 without flow
// control, any baud through termios2, exclusive while open. Real time only.
class TtyTransport final : public StreamTransport {
public:
	TtyTransport(std::string path, std::optional<std::string> reset_socket, const Clock &clock);
	~TtyTransport() override;

	void flush_input() override;

private:
	struct Opened;
	TtyTransport(Opened opened, std::optional<std::string> reset_socket, const Clock &clock);
	void apply_baud(std::uint32_t baud) override;

	bool tiocexcl_;
};

std::unique_ptr<Transport> open_tty_transport(const TransportUri &uri, Clock &clock);

} // namespace hashboard::transport
