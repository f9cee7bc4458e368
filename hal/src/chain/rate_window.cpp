// SPDX-License-Identifier: MIT
#include <hashboard/rate_window.hpp>

#include <algorithm>
#include <stdexcept>

namespace hashboard {

RateWindow::RateWindow(Duration window, unsigned buckets)
    : window_(window), bucket_(window / std::max(1u, buckets)), sums_(std::max(1u, buckets), 0.0)
{
	if (window <= Duration::zero() || bucket_ <= Duration::zero())
		throw std::invalid_argument("rate window must be positive");
}

void RateWindow::roll(Duration now)
{
	const std::int64_t idx = now / bucket_;
	if (head_ < 0) {
		head_ = idx;
		return;
	}
	if (idx <= head_)
		return;
	const std::int64_t n = std::int64_t(sums_.size());
	for (std::int64_t i = head_ + 1; i <= std::min(idx, head_ + n); ++i)
		sums_[std::size_t(i % n)] = 0.0;
	head_ = idx;
}

void RateWindow::add(Duration when, double hashes)
{
	if (first_ < Duration::zero())
		first_ = when;
	roll(when);
	const std::int64_t idx = when / bucket_;
	// A late sample older than the window is dropped; one in a past bucket still counts.
	if (idx <= head_ - std::int64_t(sums_.size()))
		return;
	sums_[std::size_t(idx % std::int64_t(sums_.size()))] += hashes;
}

double RateWindow::rate(Duration now) const
{
	if (first_ < Duration::zero() || head_ < 0)
		return 0.0;
	const std::int64_t n = std::int64_t(sums_.size());
	const std::int64_t idx = now / bucket_;
	double sum = 0;
	for (std::int64_t i = std::max({head_ - n + 1, idx - n + 1, std::int64_t(0)});
	     i <= std::min(head_, idx); ++i)
		sum += sums_[std::size_t(i % n)];
	// The window covers whole buckets up to now's; early on, only the time since the first
	// sample.
	const Duration covered = std::min(window_, (idx + 1) * bucket_ - first_);
	const double secs = to_seconds(std::max(covered, bucket_));
	return sum / secs;
}

} // namespace hashboard
