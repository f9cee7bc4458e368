// SPDX-License-Identifier: MIT
//
// hbsim's human-readable log: one line per event worth seeing (frames, baud changes,
// resets, faults). Callers check enabled() before any costly formatting, so a chain
// without a logger pays nothing; nothing on the hashing path logs.
#pragma once

#include <hashboard/clock.hpp>

#include <functional>
#include <string>
#include <utility>

namespace hbsim::detail {

class SimLog {
public:
	void set_sink(std::function<void(const std::string &)> sink) { sink_ = std::move(sink); }
	bool enabled() const { return bool(sink_); }

	// "[   12.345678] text": simulated seconds, so virtual-time runs read like real ones.
	void line(hashboard::Duration t, const char *fmt, ...) const
	    __attribute__((format(printf, 3, 4)));

private:
	std::function<void(const std::string &)> sink_;
};

} // namespace hbsim::detail
