// SPDX-License-Identifier: MIT
#include "knee_fit.hpp"

#include <algorithm>
#include <cmath>

namespace hashboard::tuning {

namespace {

constexpr std::uint64_t kMinErrors = 3;
constexpr double kMaxShare = 0.97;

double logit(double p)
{
	return std::log(p / (1 - p));
}

// Fisher weight of a logit estimate: n p (1 - p).
double weight(const RatePoint &p)
{
	const double share = double(p.errors) / double(p.nonces);
	return double(p.nonces) * share * (1 - share);
}

double share(const RatePoint &p)
{
	return double(p.errors) / double(p.nonces);
}

} // namespace

bool informative(const RatePoint &p)
{
	return p.nonces > 0 && p.errors >= kMinErrors && share(p) < kMaxShare;
}

std::optional<double> shared_slope(const std::vector<std::vector<RatePoint>> &chips)
{
	// Weighted least squares with one intercept per chip and one slope: the slope is
	// the ratio of the within-chip co-variations summed over chips.
	double sxy = 0, sxx = 0;
	for (const auto &points : chips) {
		double sw = 0, sx = 0, sy = 0;
		unsigned used = 0;
		for (const auto &p : points)
			if (informative(p)) {
				const double w = weight(p);
				sw += w;
				sx += w * std::log(p.mhz);
				sy += w * logit(share(p));
				++used;
			}
		if (used < 2 || sw <= 0)
			continue;
		const double mx = sx / sw, my = sy / sw;
		for (const auto &p : points)
			if (informative(p)) {
				const double w = weight(p);
				const double dx = std::log(p.mhz) - mx;
				sxy += w * dx * (logit(share(p)) - my);
				sxx += w * dx * dx;
			}
	}
	if (sxx <= 0)
		return std::nullopt;
	const double slope = sxy / sxx;
	// A rate that falls as the clock rises is no knee: noise, not a fit.
	if (!(slope > 0) || !std::isfinite(slope))
		return std::nullopt;
	return slope;
}

std::optional<double> frequency_at_rate(const std::vector<RatePoint> &points, double slope,
                                        double rate)
{
	double sw = 0, sa = 0;
	for (const auto &p : points)
		if (informative(p)) {
			const double w = weight(p);
			sw += w;
			sa += w * (logit(share(p)) - slope * std::log(p.mhz));
		}
	if (sw <= 0)
		return std::nullopt;
	const double intercept = sa / sw;
	const double f = std::exp((logit(rate) - intercept) / slope);
	return std::isfinite(f) ? std::optional<double>(f) : std::nullopt;
}

bool significantly_above(std::uint64_t errors, std::uint64_t nonces, double rate)
{
	if (nonces == 0)
		return false;
	const double mean = double(nonces) * rate;
	if (mean < 10) {
		// Poisson tail: P(X >= errors) < 0.1 % (a board tests hundreds of chips at once).
		double term = std::exp(-mean), below = 0;
		for (std::uint64_t k = 0; k < errors && k < 1000; ++k) {
			below += term;
			term *= mean / double(k + 1);
		}
		return 1 - below < 0.001;
	}
	const double sd = std::sqrt(mean * (1 - rate));
	return (double(errors) - 0.5 - mean) / sd > 3.09;
}

} // namespace hashboard::tuning
