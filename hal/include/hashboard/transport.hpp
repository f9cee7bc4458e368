// SPDX-License-Identifier: MIT
#pragma once

#include <hashboard/bytes.hpp>
#include <hashboard/clock.hpp>
#include <hashboard/error.hpp> // TransportError

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hashboard {

// One chip chain's byte link: a UART, the kernel's /dev/hashboardN, SPI, or the
// simulator. Transports move bytes and own the chain's reset line where they have one;
// framing is the codec's job, above them.
class Transport {
public:
	virtual ~Transport() = default;
	Transport() = default;
	Transport(const Transport &) = delete;
	Transport &operator=(const Transport &) = delete;

	// Writes every byte (blocking until queued to the device).
	virtual void write(ByteSpan data) = 0;
	// Waits up to timeout (on the transport's clock) for at least one byte and returns
	// how many were read; 0 means the timeout passed.
	virtual std::size_t read(std::span<std::uint8_t> buf, Duration timeout) = 0;
	// Host-side baud; chips are switched first, with register writes.
	virtual void set_baud(std::uint32_t baud) = 0;
	virtual std::uint32_t baud() const = 0;
	// Drops bytes received but not yet read (junk after PLL or baud changes).
	virtual void flush_input() = 0;
	// The chain's reset line; transports without one throw std::logic_error.
	virtual bool has_reset() const { return false; }
	virtual void set_reset(bool asserted);
	// "tty:/dev/ttyS1 @115200", for logs and --json output.
	virtual std::string describe() const = 0;
	// A descriptor that polls readable (POLLIN) whenever read() would return at once, so
	// a caller can wait on several links in one poll(2) (Board::poll does); -1 for links
	// that cannot say so (virtual time, USB bulk reads, SPI), which are read with a
	// timeout instead. Owned by the transport; valid while it lives.
	virtual int readable_fd() const { return -1; }
};

// Opens a transport from a URI-like string (docs/transports.md):
//   sim:<family>[?chips=N&zero_bits=Z&seed=S&...]   in-process simulator (virtual time)
//   tty:<path>[?reset=hbsim:<ctl-socket>]           UART or pty (termios2, any baud)
//   unix:<path>                                      hbsim listening on a unix socket
//   ftdi:<vid>:<pid>[:<serial>][?baud=B&reset=L&power=L...]  FTDI USB-UART (libftdi1)
//   spidev:/dev/spidevB.C[?speed=HZ&mode=M...]       a chain on SPI through spidev
//   kdev:/dev/hashboardN[?mode=raw|framed&reply=9|11] hashboard.ko's chain device
// A bare path is taken as tty:. Throws std::invalid_argument for a malformed URI and
// TransportError when the device cannot be opened. Virtual-time transports drive clock.
std::unique_ptr<Transport> open_transport(std::string_view uri, Clock &clock);

// The clock a URI wants: virtual for sim:, steady otherwise.
std::unique_ptr<Clock> clock_for_transport(std::string_view uri);

} // namespace hashboard
