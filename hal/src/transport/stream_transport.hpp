// SPDX-License-Identifier: MIT
//
// A chain's link as a byte stream on one non-blocking descriptor: what the tty: and
// unix: transports share (reading with a timeout, writing it all, the baud check, the
// reset line through hbsim's control socket, describe()). Each adds how its descriptor
// is opened, what set_baud does to it and how pending input is dropped.
#pragma once

#include "fd_io.hpp"
#include "hbsim_control.hpp"
#include "unique_fd.hpp"
#include "uri.hpp"

#include <hashboard/transport.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace hashboard::transport {

class StreamTransport : public Transport {
public:
	struct Link {
		std::string scheme; // "tty"
		std::string path;   // "/dev/ttyS1"
		std::string noun;   // what the messages call it: "tty", "unix socket"
		FdKind kind;
	};

	void write(ByteSpan data) override;
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override;
	// Refuses 0, then apply_baud(); baud() reports what was set.
	void set_baud(std::uint32_t baud) final;
	std::uint32_t baud() const final { return baud_; }
	bool has_reset() const final { return reset_.has_value(); }
	void set_reset(bool asserted) final;
	// "<scheme>:<path> @<baud>[ reset=hbsim:<socket>]"
	std::string describe() const final;
	int readable_fd() const final { return fd_.get(); }

protected:
	// fd is open, non-blocking and set up at the reset baud. A reset socket is asked for
	// its status at once, so a wrong path fails at open, not at the first reset.
	StreamTransport(Link link, UniqueFd fd, std::optional<std::string> reset_socket,
	                const Clock &clock);

	// What set_baud does to the descriptor (the check and bookkeeping are done).
	virtual void apply_baud(std::uint32_t baud) = 0;

	// "tty /dev/ttyS1", for messages.
	std::string link() const { return link_.noun + " " + link_.path; }
	int fd() const { return fd_.get(); }
	const Clock &clock() const { return clock_; }

private:
	Link link_;
	const Clock &clock_;
	UniqueFd fd_;
	std::uint32_t baud_;
	std::optional<HbsimControl> reset_;
};

// What a tty: or unix: URI holds: <scheme>:<path>[?reset=hbsim:<control-socket>].
inline constexpr std::array<std::string_view, 1> kStreamOptions{"reset"};
struct StreamUri {
	std::string path;
	std::optional<std::string> reset_socket;
};
// Checks the options and that there is a path (`needs` names it in the message: "a
// device path, e.g. tty:/dev/ttyS1"), and refuses a virtual clock: these links run in
// real time.
StreamUri parse_stream_uri(const TransportUri &uri, std::string_view needs, const Clock &clock);

} // namespace hashboard::transport
