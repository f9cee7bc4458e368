// SPDX-License-Identifier: MIT
// One pass over a capture for hbctl frames decode and replay: the input read as it
// arrives, cut into frames and merged by time (hashboard::bm13xx::CaptureScan), each
// item handed to the command, then the counts both commands report.
#pragma once

#include <hashboard/bm13xx/capture_scan.hpp>

#include <boost/json.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace hbctl {

struct CapturePass {
	hashboard::bm13xx::CaptureFormat format = hashboard::bm13xx::CaptureFormat::automatic;
	hashboard::bm13xx::ScanOptions scan;
	hashboard::bm13xx::DescribeState initial;
};

struct CaptureSummary {
	std::string format;
	hashboard::bm13xx::ScanStats stats;
	std::uint64_t flagged = 0; // bytes the analyser marked bad
	std::size_t streams = 0;
};

using ItemHandler =
    std::function<void(const hashboard::bm13xx::ScanItem &item, const std::string &stream)>;

// Reads the file (or stdin for "-") in blocks as it comes, with no limit on its size;
// stdout is flushed after each block, so the frames of a pipe show as they arrive.
CaptureSummary scan_capture_file(const std::string &path, const CapturePass &pass,
                                 const ItemHandler &handle);
// The same over a capture already in memory.
CaptureSummary scan_capture_text(std::string_view text, const CapturePass &pass,
                                 const ItemHandler &handle);

// "8 frames ok, 1 BAD CRC, 0 unknown, 1 junk bytes", then the truncated frame and the
// analyser's flags when there are any; crc_note follows "BAD CRC".
std::string scan_counts_text(const CaptureSummary &s, std::string_view crc_note = "");
// frames, crc_errors, unknown, junk_bytes, truncated, flagged_bytes.
void add_scan_counts(boost::json::object &o, const CaptureSummary &s);

} // namespace hbctl
