// SPDX-License-Identifier: MIT
//
// CSV captures, a row at a time. The readers follow the exports of the Saleae Logic
// software's Async Serial analyser:
// - Logic 2 data table: "name,type,start_time,duration,data[,error...]", one row per
//   byte, data as 0xNN (hex display radix); rows of another type are skipped and the
//   name column separates analysers (TX and RX lines) into streams;
// - Logic 1.x: "Time [s],Value,Parity Error,Framing Error".
// Columns are found by header name (case-insensitive), so extra or reordered columns
// do not matter.
#include "capture_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace hashboard::bm13xx::detail {
namespace {

// RFC 4180 cells: quoted cells may hold commas and doubled quotes.
std::vector<std::string> split_csv(std::string_view line)
{
	std::vector<std::string> cells(1);
	bool quoted = false;
	for (std::size_t i = 0; i < line.size(); ++i) {
		const char c = line[i];
		if (quoted) {
			if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
				cells.back() += '"';
				++i;
			} else if (c == '"') {
				quoted = false;
			} else {
				cells.back() += c;
			}
		} else if (c == '"') {
			quoted = true;
		} else if (c == ',') {
			cells.emplace_back();
		} else {
			cells.back() += c;
		}
	}
	for (auto &cell : cells)
		cell = std::string(trim(cell));
	return cells;
}

std::optional<std::size_t> column(const std::vector<std::string> &header, std::string_view name)
{
	for (std::size_t i = 0; i < header.size(); ++i)
		if (lower(header[i]) == name)
			return i;
	return std::nullopt;
}

// 0xNN, 0bNNNNNNNN or decimal: the analyser's hex, binary or decimal display radix.
std::optional<std::uint8_t> parse_byte(std::string_view s)
{
	int base = 10;
	if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2;
	if (base != 10)
		s.remove_prefix(2);
	if (s.empty())
		return std::nullopt;
	unsigned v = 0;
	for (char c : s) {
		const int d = digit_value(c, base);
		if (d < 0)
			return std::nullopt;
		v = v * unsigned(base) + unsigned(d);
		if (v > 0xFF)
			return std::nullopt;
	}
	return std::uint8_t(v);
}

std::optional<double> parse_time(std::string_view s)
{
	double v = 0;
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	// NaN and infinities parse, but are no time: they would sort nowhere and reach the
	// JSON output as invalid numbers.
	if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
		return std::nullopt;
	return v;
}

} // namespace

bool looks_like_csv_header(std::string_view line)
{
	const auto cells = split_csv(line);
	return cells.size() > 1 && (column(cells, "data") || column(cells, "value"));
}

void CsvReader::feed(std::string_view chunk, ReadOut &out)
{
	while (!chunk.empty()) {
		const auto nl = chunk.find('\n');
		const std::string_view piece = chunk.substr(0, nl);
		if (partial_.size() + piece.size() > kMaxCsvLine)
			fail(line_, "longer than " + std::to_string(kMaxCsvLine) +
			                " bytes: not a UART export");
		if (nl == std::string_view::npos) {
			partial_.append(piece);
			return;
		}
		if (partial_.empty()) {
			line(piece, out);
		} else {
			partial_.append(piece);
			line(partial_, out);
			partial_.clear();
		}
		chunk.remove_prefix(nl + 1);
	}
}

void CsvReader::finish(ReadOut &out)
{
	if (!partial_.empty())
		line(partial_, out);
	partial_.clear();
	if (!header_done_)
		throw std::invalid_argument("capture: empty CSV file");
}

void CsvReader::line(std::string_view text, ReadOut &out)
{
	const std::size_t n = line_++;
	if (n == 1 && text.starts_with(kUtf8Bom))
		text.remove_prefix(kUtf8Bom.size());
	if (!text.empty() && text.back() == '\r')
		text.remove_suffix(1);
	if (trim(text).empty())
		return;
	if (header_done_) {
		row(text, n, out);
		return;
	}
	header(text, n);
	header_done_ = true;
}

void CsvReader::header(std::string_view text, std::size_t n)
{
	const auto cells = split_csv(text);
	if ((data_ = column(cells, "data"))) {
		format_ = "logic2-csv";
		time_ = column(cells, "start_time");
		name_ = column(cells, "name");
		type_ = column(cells, "type");
		if (const auto e = column(cells, "error"))
			errors_.push_back(*e);
	} else if ((data_ = column(cells, "value"))) {
		format_ = "logic1-csv";
		time_ = column(cells, "time [s]");
		for (const char *e : {"parity error", "framing error"})
			if (const auto c = column(cells, e))
				errors_.push_back(*c);
	} else {
		fail(n, "not a UART export header (expected Logic 2 'name,type,start_time,"
		        "duration,data' or Logic 1 'Time [s],Value,Parity Error,Framing Error')");
	}
}

void CsvReader::row(std::string_view text, std::size_t n, ReadOut &out)
{
	const auto cells = split_csv(text);
	auto cell = [&](std::optional<std::size_t> c) -> std::string_view {
		return c && *c < cells.size() ? std::string_view(cells[*c]) : std::string_view();
	};
	if (type_ && !cell(type_).empty() && lower(cell(type_)) != "data")
		return;
	if (*data_ >= cells.size())
		fail(n, "no data column");
	const auto value = parse_byte(cell(data_));
	if (!value)
		fail(n, "cannot read byte '" + printable(cell(data_)) +
		            "' (export with the hex display radix)");
	const std::size_t stream = stream_of(std::string(cell(name_)), n);
	std::optional<double> t;
	if (time_) {
		t = parse_time(cell(time_));
		if (!t)
			fail(n, "cannot read time '" + printable(cell(time_)) + "'");
		last_time_ = t;
	}
	if (std::any_of(errors_.begin(), errors_.end(),
	                [&](std::size_t c) { return !cell(c).empty(); })) {
		++flagged_per_stream_[stream];
		++flagged_;
	}
	out.push(stream, *value, t);
}

std::size_t CsvReader::stream_of(const std::string &name, std::size_t n)
{
	const auto it = std::find(streams_.begin(), streams_.end(), name);
	if (it != streams_.end())
		return std::size_t(it - streams_.begin());
	// An analyser line per name: a capture names a few (TX, RX). A name per row would
	// make every row a stream and the search for it quadratic.
	if (streams_.size() == kMaxCsvStreams)
		fail(n, "more than " + std::to_string(kMaxCsvStreams) +
		            " analyser names in the 'name' column (one per UART line is "
		            "expected)");
	streams_.push_back(name);
	flagged_per_stream_.push_back(0);
	return streams_.size() - 1;
}

} // namespace hashboard::bm13xx::detail
