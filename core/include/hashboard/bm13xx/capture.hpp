// SPDX-License-Identifier: MIT
//
// Captured chain traffic, read from what bring-up engineers have at hand: hex text,
// raw binary, or a logic analyser's UART decode exported as CSV (Saleae Logic 2 "Async
// Serial" data table, Saleae Logic 1.x export). docs/hbctl.md lists the columns taken.
#pragma once

#include <hashboard/bytes.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard::bm13xx {

enum class CaptureFormat { automatic, hex, binary, csv };
// "auto", "hex", "binary", "csv"; throws std::invalid_argument for anything else.
CaptureFormat capture_format_from_name(std::string_view name);

// One UART line's bytes (a CSV export with several analysers gives one stream each).
struct CaptureStream {
	std::string name; // the analyser's name from the CSV; empty otherwise
	Bytes bytes;
	std::vector<double> times; // seconds, one per byte when the capture has them
	std::uint64_t flagged = 0; // bytes the analyser marked with a framing/parity error
};

struct Capture {
	std::string format; // hex, binary, logic2-csv, logic1-csv
	std::vector<CaptureStream> streams;
};

// Bytes of one stream as a reader cuts them from its input; times holds one time (in
// seconds) per byte when the capture has them, else is empty.
using CaptureSink =
    std::function<void(std::size_t stream, ByteSpan bytes, std::span<const double> times)>;

// Reads a capture as it arrives, in chunks of any size, so neither the input's size nor
// its line lengths bound what it can read: memory stays small. automatic looks at the
// start of the input: binary when it holds a byte that is not text before the end of its
// first non-blank line, CSV when that line is a header with a data/Value column, hex
// text otherwise. Hex text takes whitespace- or comma-separated bytes with an optional
// 0x, and '#' comments. feed() and finish() throw std::invalid_argument naming the line
// for text that cannot be read (the bytes before it have gone to the sink).
class CaptureReader {
public:
	explicit CaptureReader(CaptureFormat format = CaptureFormat::automatic);
	~CaptureReader();
	CaptureReader(const CaptureReader &) = delete;
	CaptureReader &operator=(const CaptureReader &) = delete;

	void feed(std::string_view chunk, const CaptureSink &sink);
	// The end of the input: what was held back for want of more goes out.
	void finish(const CaptureSink &sink);

	// hex, binary, logic2-csv, logic1-csv; empty while the start is still being looked at.
	const std::string &format() const;
	// One name per stream so far (the CSV's analyser names; one "" for hex and binary).
	const std::vector<std::string> &stream_names() const;
	// Bytes the analyser marked with a framing or parity error, per stream and in all.
	std::uint64_t flagged(std::size_t stream) const;
	std::uint64_t flagged() const;
	// Whether every byte has a time (a CSV with a time column), and the latest row's.
	bool timed() const;
	std::optional<double> last_time() const;

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

// Reads a whole capture at once (CaptureReader, above).
Capture read_capture(std::string_view contents, CaptureFormat format = CaptureFormat::automatic);

} // namespace hashboard::bm13xx
