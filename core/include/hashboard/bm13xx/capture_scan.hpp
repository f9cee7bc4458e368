// SPDX-License-Identifier: MIT
//
// A capture cut into frames as it is read: the CaptureReader's streams, each through
// its own FrameScanner, given out in the order things happened. hbctl frames decode and
// replay both read captures through this.
#pragma once

#include <hashboard/bm13xx/capture.hpp>
#include <hashboard/bm13xx/describe.hpp>

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard::bm13xx {

// Items wait for the merge by time at most this many at once; past it the earliest goes
// out even if a line that has gone quiet might still bring an earlier one.
inline constexpr std::size_t kMaxMergeItems = 4096;

// Without times, items go out as they are cut. With times (a CSV with a time column),
// the lines are merged by time: an item goes out once no line can still bring an earlier
// one, going by each line's undecided bytes and the latest row read (export rows are in
// time order, as the Saleae software writes them); ties go to the line named first. A
// line's own items keep their order.
class CaptureScan {
public:
	using Sink = std::function<void(const ScanItem &item, std::size_t stream)>;

	CaptureScan(CaptureFormat format, const ScanOptions &options, DescribeState initial = {});

	void feed(std::string_view chunk, const Sink &sink);
	void finish(const Sink &sink);

	const std::string &format() const { return reader_.format(); }
	const std::vector<std::string> &stream_names() const { return reader_.stream_names(); }
	std::uint64_t flagged() const { return reader_.flagged(); }
	// Over every stream.
	ScanStats stats() const;

private:
	struct Line {
		FrameScanner scanner;
		std::deque<ScanItem> waiting; // cut, not yet merged
	};
	Line &line(std::size_t stream);
	void cut(std::size_t stream, ScanItem &&item, const Sink &sink);
	void release(bool end, const Sink &sink);
	bool safe(std::size_t stream, double time) const;

	CaptureReader reader_;
	ScanOptions options_;
	DescribeState initial_;
	std::vector<Line> lines_;
	std::size_t waiting_ = 0;
};

} // namespace hashboard::bm13xx
