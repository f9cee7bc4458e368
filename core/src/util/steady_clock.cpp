// SPDX-License-Identifier: MIT
// The one place the library reads real time; everything else asks an injected Clock.
#include <hashboard/clock.hpp>

#include <thread>

namespace hashboard {

SteadyClock::SteadyClock() : start_(std::chrono::steady_clock::now()) {}

Duration SteadyClock::now() const
{
	return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start_);
}

void SteadyClock::sleep_for(Duration d)
{
	if (d > Duration::zero())
		std::this_thread::sleep_for(d);
}

} // namespace hashboard
