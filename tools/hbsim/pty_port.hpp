// SPDX-License-Identifier: MIT
#pragma once

#include "hal_internal.hpp"
#include "host_port.hpp"

#include <string>

namespace hbsim_tool {

// A pty whose slave the host opens like a UART.
//
// Seeing the host come and go: while nobody holds the slave open, poll() on the master
// reports POLLHUP and read() fails with EIO; the first open of the slave clears that.
// A pty fresh from posix_openpt() does not report POLLHUP before its first open, so the
// constructor opens and closes the slave once: "never opened" then looks exactly like
// "closed". hbsim keeps no slave descriptor of its own (that would hide every close),
// and while the host is away it must not poll the master (POLLHUP would return at once,
// forever), so it looks again each tick instead.
//
// The host's baud: termios ioctls on a master act on its slave, so TCGETS2 on the
// master reads the baud the host set, any value (BOTHER), and settings made through the
// master survive the slave's closes.
class PtyPort final : public HostPort {
public:
	PtyPort();

	const std::string &slave_path() const { return slave_path_; }

	int poll_fd() const override { return present_ ? master_.get() : -1; }
	bool host_present() override;
	std::optional<std::uint32_t> host_baud() const override;
	std::size_t read(std::span<std::uint8_t> buf) override;
	std::size_t write(hashboard::ByteSpan data) override;
	void host_left() override;
	std::string describe() const override { return "pty " + slave_path_; }

private:
	UniqueFd master_;
	std::string slave_path_;
	bool present_ = false;
};

} // namespace hbsim_tool
