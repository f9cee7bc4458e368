// SPDX-License-Identifier: MIT
//
// The chip -> host wire. Every chip's replies share one serial line to the host: a
// reply's bytes leave one after another at the sending chip's baud, and replies from
// several chips queue behind each other. A byte becomes readable by the host when its
// last bit has arrived; it is decoded at that moment against the host's baud (garbage
// when they disagree) and exposed to bit errors.
#pragma once

#include "sim_rng.hpp"

#include <hashboard/bytes.hpp>
#include <hashboard/clock.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <span>

namespace hbsim::detail {

using hashboard::Duration;

class Uplink {
public:
	Uplink(std::uint64_t seed, double bit_error_rate);

	// Queues a frame that a chip talking at baud produced at t. A droppable frame (a
	// nonce) is dropped when the line is so far behind that a real chip's small output
	// FIFO would have overflowed, any frame when it is 16 times further behind (a host
	// flooding broadcast reads); returns whether the frame was queued.
	bool send(Duration t, hashboard::ByteSpan frame, double baud, bool droppable);
	// Moves every byte complete by t into the host's receive buffer, decoded at
	// host_baud. The caller guarantees host_baud held since the previous call.
	void deliver(Duration t, double host_baud);
	// Completion time of the next byte for the host: waiting in its buffer, or on the wire.
	std::optional<Duration> next_byte_time() const;
	// Takes up to out.size() bytes from the host's buffer that arrived by now.
	std::size_t read(Duration now, std::span<std::uint8_t> out);
	// Reset: chips stop mid-frame; what is still on the wire never arrives.
	void cut(Duration t);

	std::uint64_t dropped_frames() const { return dropped_frames_; }
	std::uint64_t overflow_bytes() const { return overflow_bytes_; }

private:
	struct WireByte {
		Duration done;
		double baud;
		std::uint8_t value;
	};
	struct HostByte {
		Duration done;
		std::uint8_t value;
	};

	std::uint8_t flip_bits(std::uint8_t value);

	std::deque<WireByte> wire_;
	std::deque<HostByte> host_;
	Duration line_free_{0};
	double bit_error_rate_;
	std::uint64_t bits_to_error_ = 0; // intact bits before the next flipped one
	Rng error_rng_;
	Rng garbage_rng_;
	std::uint64_t dropped_frames_ = 0;
	std::uint64_t overflow_bytes_ = 0;
};

} // namespace hbsim::detail
