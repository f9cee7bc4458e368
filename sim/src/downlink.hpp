// SPDX-License-Identifier: MIT
//
// The host -> chip wire. The host UART sends its writes back to back; the chips act on a
// frame when its last byte has arrived. Frames are decoded when they are written (the
// byte stream alone decides them) and handed out at their arrival times, together with
// the host baud they were sent at, so the chain can tell which chips could read them.
#pragma once

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/clock.hpp>

#include <cstdint>
#include <deque>
#include <optional>

namespace hbsim::detail {

using hashboard::Duration;

struct Arrival {
	Duration t;
	// The frame that completed at t, or nullopt when the bytes up to t made up a frame
	// that failed its CRC or made no sense: a frame every listening chip drops.
	std::optional<hashboard::bm13xx::HostFrame> frame;
	double host_baud;
};

class Downlink {
public:
	// Serialises data on the host UART from t (or after the previous write) and decodes
	// it; listening = false sends the bytes into a chain that cannot hear (reset).
	void write(Duration t, hashboard::ByteSpan data, double host_baud, bool listening);
	// The earliest pending arrival at or before t.
	const Arrival *next_due(Duration t) const;
	void pop() { pending_.pop_front(); }
	// When the last byte written so far has left the host UART.
	Duration tx_free() const { return tx_free_; }
	// Reset: frames still on the wire and any partial frame are lost.
	void clear();

private:
	hashboard::bm13xx::HostParser parser_;
	std::deque<Arrival> pending_;
	Duration tx_free_{0};
};

} // namespace hbsim::detail
