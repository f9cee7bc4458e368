// SPDX-License-Identifier: MIT
#include "uplink.hpp"

#include "wire_timing.hpp"

#include <algorithm>

namespace hbsim::detail {
namespace {

// How far behind the line may be before a chip drops a nonce: about 370 replies,
// several seconds at the reset baud. Register replies are dropped only much further
// behind: the host is waiting for them and there are few, unless it floods the chain
// with broadcast reads (each answered by every chip, so the replies outrun the line
// that carried the reads) and would otherwise grow the line without bound.
constexpr std::size_t kBacklogBytes = 4096;
constexpr std::size_t kReplyBacklogBytes = 16 * kBacklogBytes;
// The host's receive buffer (a tty keeps 4 KiB, a kernel FIFO more); beyond this the
// host was not reading, and new bytes are lost as on a real UART.
constexpr std::size_t kHostBufferBytes = 1 << 20;

} // namespace

Uplink::Uplink(std::uint64_t seed, double bit_error_rate)
    : bit_error_rate_(bit_error_rate), error_rng_(seed, RngPurpose::wire_errors),
      garbage_rng_(seed, RngPurpose::garbage)
{
	if (bit_error_rate_ > 0)
		bits_to_error_ = error_rng_.geometric_gap(bit_error_rate_);
}

bool Uplink::send(Duration t, hashboard::ByteSpan frame, double baud, bool droppable)
{
	const std::size_t limit = droppable ? kBacklogBytes : kReplyBacklogBytes;
	if (line_free_ > byte_done(t, limit, baud)) {
		++dropped_frames_;
		return false;
	}
	const Duration start = std::max(t, line_free_);
	for (std::size_t i = 0; i < frame.size(); ++i)
		wire_.push_back({byte_done(start, i + 1, baud), baud, frame[i]});
	line_free_ = byte_done(start, frame.size(), baud);
	return true;
}

std::uint8_t Uplink::flip_bits(std::uint8_t value)
{
	// Bits go out LSB first; bits_to_error_ counts from this byte's first bit.
	while (bits_to_error_ < 8) {
		value = std::uint8_t(value ^ (1u << bits_to_error_));
		bits_to_error_ += 1 + error_rng_.geometric_gap(bit_error_rate_);
	}
	bits_to_error_ -= 8;
	return value;
}

void Uplink::deliver(Duration t, double host_baud)
{
	while (!wire_.empty() && wire_.front().done <= t) {
		const WireByte b = wire_.front();
		wire_.pop_front();
		std::uint8_t value;
		if (!bauds_agree(b.baud, host_baud))
			value = garbage_rng_.byte();
		else if (bit_error_rate_ > 0)
			value = flip_bits(b.value);
		else
			value = b.value;
		if (host_.size() >= kHostBufferBytes) {
			++overflow_bytes_;
			continue;
		}
		host_.push_back({b.done, value});
	}
}

std::optional<Duration> Uplink::next_byte_time() const
{
	if (!host_.empty())
		return host_.front().done;
	if (!wire_.empty())
		return wire_.front().done;
	return std::nullopt;
}

std::size_t Uplink::read(Duration now, std::span<std::uint8_t> out)
{
	std::size_t n = 0;
	while (n < out.size() && !host_.empty() && host_.front().done <= now) {
		out[n++] = host_.front().value;
		host_.pop_front();
	}
	return n;
}

void Uplink::cut(Duration t)
{
	wire_.clear();
	line_free_ = std::min(line_free_, t);
}

} // namespace hbsim::detail
