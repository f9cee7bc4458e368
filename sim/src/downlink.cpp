// SPDX-License-Identifier: MIT
#include "downlink.hpp"

#include "wire_timing.hpp"

#include <algorithm>

namespace hbsim::detail {

void Downlink::write(Duration t, hashboard::ByteSpan data, double host_baud, bool listening)
{
	const Duration start = std::max(t, tx_free_);
	tx_free_ = byte_done(start, data.size(), host_baud);
	if (!listening)
		return;
	// Byte by byte, so each frame is handed out at the arrival of its own last byte.
	Duration done{};
	auto on_frame = [&](const hashboard::bm13xx::HostFrame &f) {
		pending_.push_back({done, f, host_baud});
	};
	for (std::size_t i = 0; i < data.size(); ++i) {
		done = byte_done(start, i + 1, host_baud);
		const auto before = parser_.stats();
		parser_.feed(data.subspan(i, 1), on_frame);
		const auto &after = parser_.stats();
		const auto lost =
		    (after.crc_errors - before.crc_errors) + (after.bad_frames - before.bad_frames);
		for (std::uint64_t k = 0; k < lost; ++k)
			pending_.push_back({done, std::nullopt, host_baud});
	}
}

const Arrival *Downlink::next_due(Duration t) const
{
	if (pending_.empty() || pending_.front().t > t)
		return nullptr;
	return &pending_.front();
}

void Downlink::clear()
{
	pending_.clear();
	parser_.reset();
}

} // namespace hbsim::detail
