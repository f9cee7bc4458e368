// SPDX-License-Identifier: MIT
#include "capture_pass.hpp"
#include "capture_input.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <iostream>

namespace hbctl {
namespace {

namespace bm = hashboard::bm13xx;

CaptureSummary summary_of(const bm::CaptureScan &scan)
{
	return {scan.format(), scan.stats(), scan.flagged(), scan.stream_names().size()};
}

bm::CaptureScan::Sink sink_for(const bm::CaptureScan &scan, const ItemHandler &handle)
{
	return [&scan, &handle](const bm::ScanItem &item, std::size_t stream) {
		handle(item, scan.stream_names().at(stream));
	};
}

} // namespace

CaptureSummary scan_capture_file(const std::string &path, const CapturePass &pass,
                                 const ItemHandler &handle)
{
	CaptureInput in(path);
	bm::CaptureScan scan(pass.format, pass.scan, pass.initial);
	const auto sink = sink_for(scan, handle);
	std::array<char, 1 << 16> buf;
	while (const std::size_t n = in.read(buf)) {
		scan.feed(std::string_view(buf.data(), n), sink);
		std::cout.flush();
		std::fflush(stdout);
	}
	scan.finish(sink);
	return summary_of(scan);
}

CaptureSummary scan_capture_text(std::string_view text, const CapturePass &pass,
                                 const ItemHandler &handle)
{
	bm::CaptureScan scan(pass.format, pass.scan, pass.initial);
	const auto sink = sink_for(scan, handle);
	scan.feed(text, sink);
	scan.finish(sink);
	return summary_of(scan);
}

std::string scan_counts_text(const CaptureSummary &s, std::string_view crc_note)
{
	std::string out =
	    fmt::format("{} frames ok, {} BAD CRC{}, {} unknown, {} junk bytes", s.stats.frames,
	                s.stats.crc_errors, crc_note, s.stats.unknown, s.stats.junk_bytes);
	if (s.stats.truncated)
		out += fmt::format(" ({} truncated frame)", s.stats.truncated);
	if (s.flagged)
		out += fmt::format(", {} bytes flagged by the analyser", s.flagged);
	return out;
}

void add_scan_counts(boost::json::object &o, const CaptureSummary &s)
{
	o["frames"] = s.stats.frames;
	o["crc_errors"] = s.stats.crc_errors;
	o["unknown"] = s.stats.unknown;
	o["junk_bytes"] = s.stats.junk_bytes;
	o["truncated"] = s.stats.truncated;
	o["flagged_bytes"] = s.flagged;
}

} // namespace hbctl
