// SPDX-License-Identifier: MIT
//
// UART timing shared by both directions of the simulated chain: 8N1 framing (ten bit
// times a byte: plain UART, from the core's wire.hpp), and two ends understand each
// other only when their rates agree within a few percent (the sampling point drifts out
// of the bit by the end of a frame).
//
// The tolerance is the chips' receiver, a chip-side fact the simulator states for itself
// on purpose: it is the independent check of the host's own figure (kBaudTolerance in
// the core's wire.hpp), which decides whether a divisor is close enough. Real UARTs tolerate
// about 4-5 % in total over a 10-bit frame; the Bitaxe runs its host at 1,000,000 Bd
// against the chip's 1,041,667 (4.2 %, capture) and works, so the model takes 5 %.
#pragma once

#include <hashboard/bm13xx/wire.hpp>
#include <hashboard/clock.hpp>

#include <cmath>
#include <cstddef>

namespace hbsim::detail {

using hashboard::Duration;

using hashboard::kBitsPerByte;
inline constexpr double kBaudTolerance = 0.05;

inline bool bauds_agree(double sender, double receiver)
{
	return std::fabs(sender - receiver) <= kBaudTolerance * receiver;
}

// When the n-th byte (1-based) of a burst that starts at start has fully arrived.
// Computed from the burst start, not byte by byte, so rounding does not accumulate.
inline Duration byte_done(Duration start, std::size_t n, double baud)
{
	return start + Duration(std::llround(double(n) * kBitsPerByte * 1e9 / baud));
}

} // namespace hbsim::detail
