// SPDX-License-Identifier: MIT
//
// The statistics of the knee search (docs/tuning.md): a chip's wrong-nonce share p at
// frequency f follows a logistic curve in ln f; its slope is shared by chips of one
// process (fitted from all of them), its offset is each chip's own. Points are
// (frequency, nonces, wrong nonces) from measuring windows.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace hashboard::tuning {

struct RatePoint {
	double mhz = 0;
	std::uint64_t nonces = 0; // valid + wrong
	std::uint64_t errors = 0;
};

// Points informative for the fit: enough errors and not saturated.
bool informative(const RatePoint &p);

// The shared slope d logit(p) / d ln f from every chip's informative points (chips
// with two or more at different frequencies); nullopt when no chip has two.
std::optional<double> shared_slope(const std::vector<std::vector<RatePoint>> &chips);

// The frequency where the chip's fitted curve crosses rate, from its informative
// points and the shared slope; nullopt when it has none.
std::optional<double> frequency_at_rate(const std::vector<RatePoint> &points, double slope,
                                        double rate);

// Whether errors of nonces are, at 99.9 % confidence, more than rate would give
// (one-sided binomial, normal approximation with continuity correction; exact for
// small counts through the Poisson tail).
bool significantly_above(std::uint64_t errors, std::uint64_t nonces, double rate);

} // namespace hashboard::tuning
