// SPDX-License-Identifier: MIT
//
// How many hashes a chip owes by a given time. The rate is kept as hashes per
// nanosecond in fixed point (40 fractional bits) and counts are floor(elapsed * rate)
// from an anchor, so the fractional carry is exact: hashing up to t gives the same
// count however the span up to t was cut into steps, and each hash has an exact time.
#pragma once

#include <hashboard/clock.hpp>

#include <cmath>
#include <cstdint>

namespace hbsim::detail {

using hashboard::Duration;

class HashPace {
public:
	// From t on, per_second hashes a second (0 stops). Counts restart at the anchor.
	void set(Duration t, double per_second)
	{
		anchor_ = t;
		rate_ = per_second > 0
		            ? std::uint64_t(std::llround(std::ldexp(per_second / 1e9, kFracBits)))
		            : 0;
	}
	bool running() const { return rate_ != 0; }
	// Hashes due from the anchor up to t.
	std::uint64_t due(Duration t) const
	{
		if (t <= anchor_)
			return 0;
		const unsigned __int128 ns = std::uint64_t((t - anchor_).count());
		const unsigned __int128 n = (ns * rate_) >> kFracBits;
		return n > ~std::uint64_t(0) ? ~std::uint64_t(0) : std::uint64_t(n);
	}
	// When the n-th hash (1-based) after the anchor completes: the first t with due(t) >= n.
	Duration when(std::uint64_t n) const
	{
		const unsigned __int128 scaled = static_cast<unsigned __int128>(n) << kFracBits;
		return anchor_ + Duration(std::int64_t((scaled + rate_ - 1) / rate_));
	}

private:
	static constexpr int kFracBits = 40;
	Duration anchor_{0};
	std::uint64_t rate_ = 0;
};

} // namespace hbsim::detail
