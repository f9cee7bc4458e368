// SPDX-License-Identifier: MIT
#include <hashboard/bm13xx/capture_scan.hpp>

namespace hashboard::bm13xx {
namespace {

double time_of(const ScanItem &item)
{
	return std::visit([](const auto &i) { return i.time_s.value_or(0); }, item);
}

} // namespace

CaptureScan::CaptureScan(CaptureFormat format, const ScanOptions &options, DescribeState initial)
    : reader_(format), options_(options), initial_(initial)
{
}

CaptureScan::Line &CaptureScan::line(std::size_t stream)
{
	while (lines_.size() <= stream)
		lines_.push_back(Line{FrameScanner(options_, initial_), {}});
	return lines_[stream];
}

void CaptureScan::cut(std::size_t stream, ScanItem &&item, const Sink &sink)
{
	if (!reader_.timed()) {
		sink(item, stream);
		return;
	}
	lines_[stream].waiting.push_back(std::move(item));
	++waiting_;
}

void CaptureScan::feed(std::string_view chunk, const Sink &sink)
{
	// A piece at a time, merging after each: what waits for the merge stays bounded
	// however large a chunk the caller has.
	constexpr std::size_t kPiece = 64 * 1024;
	do {
		const std::string_view piece = chunk.substr(0, kPiece);
		chunk.remove_prefix(piece.size());
		reader_.feed(piece,
		             [&](std::size_t s, ByteSpan bytes, std::span<const double> times) {
			             line(s).scanner.feed(bytes, times, [&](ScanItem &&item) {
				             cut(s, std::move(item), sink);
			             });
		             });
		release(false, sink);
	} while (!chunk.empty());
}

void CaptureScan::finish(const Sink &sink)
{
	reader_.finish([&](std::size_t s, ByteSpan bytes, std::span<const double> times) {
		line(s).scanner.feed(bytes, times,
		                     [&](ScanItem &&item) { cut(s, std::move(item), sink); });
	});
	for (std::size_t s = 0; s < reader_.stream_names().size(); ++s)
		line(s).scanner.finish([&](ScanItem &&item) { cut(s, std::move(item), sink); });
	release(true, sink);
}

ScanStats CaptureScan::stats() const
{
	ScanStats all;
	for (const auto &l : lines_)
		all += l.scanner.stats();
	return all;
}

// Whether no line but `stream` can still bring an item before (time, stream): one that
// waits would be the earlier one picked; one that is still cutting says when its
// undecided bytes start; a line yet to be read is after the latest row.
bool CaptureScan::safe(std::size_t stream, double time) const
{
	const auto latest = reader_.last_time();
	if (!latest || !(time < *latest))
		return false;
	for (std::size_t s = 0; s < lines_.size(); ++s) {
		if (s == stream || !lines_[s].waiting.empty())
			continue;
		const auto pending = lines_[s].scanner.pending_time();
		if (pending && (*pending < time || (*pending == time && s < stream)))
			return false;
	}
	return true;
}

void CaptureScan::release(bool end, const Sink &sink)
{
	while (waiting_ > 0) {
		std::size_t first = lines_.size();
		for (std::size_t s = 0; s < lines_.size(); ++s)
			if (!lines_[s].waiting.empty() &&
			    (first == lines_.size() || time_of(lines_[s].waiting.front()) <
			                                   time_of(lines_[first].waiting.front())))
				first = s;
		Line &l = lines_[first];
		if (!end && waiting_ <= kMaxMergeItems && !safe(first, time_of(l.waiting.front())))
			return;
		sink(l.waiting.front(), first);
		l.waiting.pop_front();
		--waiting_;
	}
}

} // namespace hashboard::bm13xx
