// SPDX-License-Identifier: MIT
//
// Captured chain traffic, read from what bring-up engineers have at hand: hex text,
// raw binary, or a logic analyser's UART decode exported as CSV (Saleae Logic 2 "Async
// Serial" data table, Saleae Logic 1.x export). docs/hbctl.md lists the columns taken.
#pragma once

#include <hashboard/bytes.hpp>

#include <cstdint>
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

// Reads a whole capture. automatic: binary when the data is not text, CSV when the
// first line is a header with a data/Value column, hex text otherwise. Hex text takes
// whitespace- or comma-separated bytes with an optional 0x, and '#' comments. Throws
// std::invalid_argument naming the line for text it cannot read.
Capture read_capture(std::string_view contents, CaptureFormat format = CaptureFormat::automatic);

} // namespace hashboard::bm13xx
