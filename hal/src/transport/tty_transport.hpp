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

// A UART or pty: tty:<path>[?reset=hbsim:<control-socket>]. Raw 8N1 without flow
// control, any baud through termios2, exclusive while open. Real time only.
class TtyTransport final : public Transport {
public:
	TtyTransport(std::string path, std::optional<std::string> reset_socket, const Clock &clock);
	~TtyTransport() override;

	void write(ByteSpan data) override;
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override;
	void set_baud(std::uint32_t baud) override;
	std::uint32_t baud() const override { return baud_; }
	void flush_input() override;
	bool has_reset() const override { return reset_.has_value(); }
	void set_reset(bool asserted) override;
	std::string describe() const override;

private:
	std::string link() const { return "tty " + path_; }

	std::string path_;
	const Clock &clock_;
	UniqueFd fd_;
	bool tiocexcl_ = false;
	std::uint32_t baud_;
	std::optional<HbsimControl> reset_;
};

inline constexpr std::array<std::string_view, 1> kTtyOptions{"reset"};
std::unique_ptr<Transport> open_tty_transport(const TransportUri &uri, Clock &clock);

} // namespace hashboard::transport
