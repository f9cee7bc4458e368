// SPDX-License-Identifier: MIT
//
// Reading from links that cannot wake the caller when data arrives (USB bulk reads
// through libftdi, SPI where the host clocks every byte): the host asks, sleeps a
// little on the injected clock, and asks again.
#pragma once

#include <hashboard/clock.hpp>

#include <algorithm>
#include <cstddef>

namespace hashboard::transport {

// Calls attempt() until it returns a non-zero count or timeout passes on clock, sleeping
// at most interval between attempts. There is always one attempt, and the last one is
// made at or after the deadline, so bytes that came in during the final sleep are not
// left behind.
template <typename Attempt>
std::size_t poll_until(Clock &clock, Duration timeout, Duration interval, Attempt &&attempt)
{
	const Duration start = clock.now();
	const Duration wait = std::max(timeout, Duration::zero());
	for (;;) {
		if (const std::size_t n = attempt())
			return n;
		const Duration left = wait - (clock.now() - start);
		if (left <= Duration::zero())
			return 0;
		clock.sleep_for(std::min(left, interval));
	}
}

} // namespace hashboard::transport
