// SPDX-License-Identifier: MIT
#pragma once

#include <hashboard/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace hbsim_tool {

// The host's end of the simulated wire: a pty or a unix socket. Non-blocking
// throughout; the server polls poll_fd() and ticks.
class HostPort {
public:
	virtual ~HostPort() = default;

	// What to poll for input, or -1 when only the next tick can tell (a pty nobody holds).
	virtual int poll_fd() const = 0;
	// Looks for a host arriving or leaving; true while one is there.
	virtual bool host_present() = 0;
	// The host's UART baud, when the port can see it; nullopt: the host keeps up with
	// whatever the chips send (a socket has no baud).
	virtual std::optional<std::uint32_t> host_baud() const = 0;
	// Bytes from the host, 0 when none; a host that left reads as 0 and is gone at the
	// next host_present().
	virtual std::size_t read(std::span<std::uint8_t> buf) = 0;
	// Bytes to the host; returns how many it took (a full receive buffer drops the
	// rest, like a UART overrun).
	virtual std::size_t write(hashboard::ByteSpan data) = 0;
	// While a host holds the port: what to poll for another one arriving, or -1 when
	// none can be told apart (a pty's second opener shares the line unseen).
	// host_present() turns such a host away with a one-line "busy" message.
	virtual int waiting_fd() const { return -1; }
	// Hosts turned away busy so far, for the log.
	virtual std::uint64_t turned_away() const { return 0; }
	// After the host left: the port is made ready for the next one.
	virtual void host_left() = 0;
	// "pty /dev/pts/3", for the log.
	virtual std::string describe() const = 0;
};

} // namespace hbsim_tool
