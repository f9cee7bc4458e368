// SPDX-License-Identifier: MIT
//
// Capture readers for hbctl frames decode. The CSV readers follow the exports of the
// Saleae Logic software's Async Serial analyser:
// - Logic 2 data table: "name,type,start_time,duration,data[,error...]", one row per
//   byte, data as 0xNN (hex display radix); rows of another type are skipped and the
//   name column separates analysers (TX and RX lines) into streams;
// - Logic 1.x: "Time [s],Value,Parity Error,Framing Error".
// Columns are found by header name (case-insensitive), so extra or reordered columns
// do not matter.
#include <hashboard/bm13xx/capture.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace hashboard::bm13xx {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string lower(std::string_view s)
{
	std::string out(s);
	std::transform(out.begin(), out.end(), out.begin(),
	               [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
	return out;
}

std::string_view trim(std::string_view s)
{
	const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
	while (!s.empty() && space(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && space(s.back()))
		s.remove_suffix(1);
	return s;
}

// A token as an error message can show it: binary fed as text must not garble the
// terminal, and a huge token is cut.
std::string printable(std::string_view s)
{
	constexpr std::size_t kMax = 24;
	std::string out;
	for (char c : s.substr(0, kMax))
		out += (c >= 0x20 && c < 0x7F) ? c : '?';
	return s.size() > kMax ? out + "..." : out;
}

// Distinct analyser names (UART lines) a Logic 2 CSV may hold.
constexpr std::size_t kMaxCsvStreams = 16;

[[noreturn]] void fail(std::size_t line, const std::string &what)
{
	throw std::invalid_argument("capture line " + std::to_string(line) + ": " + what);
}

// Splits contents into lines without their terminators (\n or \r\n).
std::vector<std::string_view> split_lines(std::string_view s)
{
	std::vector<std::string_view> lines;
	while (!s.empty()) {
		const auto nl = s.find('\n');
		std::string_view line = s.substr(0, nl);
		if (!line.empty() && line.back() == '\r')
			line.remove_suffix(1);
		lines.push_back(line);
		if (nl == std::string_view::npos)
			break;
		s.remove_prefix(nl + 1);
	}
	return lines;
}

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

bool is_text(std::string_view s)
{
	const bool bom = s.substr(0, kUtf8Bom.size()) == kUtf8Bom;
	return std::all_of(s.begin(), s.end(), [bom](char ch) {
		const auto c = static_cast<unsigned char>(ch);
		return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r' ||
		       c == '\f' || c == '\v' || (bom && c >= 0x80);
	});
}

std::string_view first_line(std::string_view s)
{
	if (s.substr(0, kUtf8Bom.size()) == kUtf8Bom)
		s.remove_prefix(kUtf8Bom.size());
	for (auto line : split_lines(s))
		if (!trim(line).empty())
			return trim(line);
	return {};
}

std::optional<std::size_t> column(const std::vector<std::string> &header, std::string_view name)
{
	for (std::size_t i = 0; i < header.size(); ++i)
		if (lower(header[i]) == name)
			return i;
	return std::nullopt;
}

bool looks_like_csv_header(std::string_view line)
{
	const auto cells = split_csv(line);
	return cells.size() > 1 && (column(cells, "data") || column(cells, "value"));
}

int digit_value(char c, int base)
{
	const int v = hex_digit_value(c);
	return v < base ? v : -1;
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

Capture read_hex(std::string_view contents)
{
	Capture cap{"hex", {CaptureStream{}}};
	Bytes &out = cap.streams[0].bytes;
	const auto lines = split_lines(contents);
	for (std::size_t n = 0; n < lines.size(); ++n) {
		std::string_view line = lines[n];
		if (n == 0 && line.substr(0, kUtf8Bom.size()) == kUtf8Bom)
			line.remove_prefix(kUtf8Bom.size());
		line = line.substr(0, line.find('#'));
		std::size_t i = 0;
		while (i < line.size()) {
			const auto sep = [](char c) {
				return c == ' ' || c == '\t' || c == ',' || c == '\f' || c == '\v';
			};
			while (i < line.size() && sep(line[i]))
				++i;
			std::size_t end = i;
			while (end < line.size() && !sep(line[end]))
				++end;
			std::string_view tok = line.substr(i, end - i);
			i = end;
			if (tok.empty())
				continue;
			const std::string shown = printable(tok);
			if (tok.size() > 2)
				tok = without_hex_prefix(tok);
			if (tok.size() % 2 || !std::all_of(tok.begin(), tok.end(), [](char c) {
				    return hex_digit_value(c) >= 0;
			    }))
				fail(n + 1, "'" + shown + "' is not hex bytes");
			for (std::size_t k = 0; k < tok.size(); k += 2)
				out.push_back(std::uint8_t(hex_digit_value(tok[k]) << 4 |
				                           hex_digit_value(tok[k + 1])));
		}
	}
	return cap;
}

Capture read_csv(std::string_view contents)
{
	if (contents.substr(0, kUtf8Bom.size()) == kUtf8Bom)
		contents.remove_prefix(kUtf8Bom.size());
	const auto lines = split_lines(contents);
	std::size_t n = 0;
	while (n < lines.size() && trim(lines[n]).empty())
		++n;
	if (n == lines.size())
		throw std::invalid_argument("capture: empty CSV file");
	const auto header = split_csv(lines[n]);
	Capture cap;
	std::optional<std::size_t> data, time, name, type;
	std::vector<std::size_t> errors;
	if ((data = column(header, "data"))) {
		cap.format = "logic2-csv";
		time = column(header, "start_time");
		name = column(header, "name");
		type = column(header, "type");
		if (const auto e = column(header, "error"))
			errors.push_back(*e);
	} else if ((data = column(header, "value"))) {
		cap.format = "logic1-csv";
		time = column(header, "time [s]");
		for (const char *e : {"parity error", "framing error"})
			if (const auto c = column(header, e))
				errors.push_back(*c);
	} else {
		fail(n + 1,
		     "not a UART export header (expected Logic 2 'name,type,start_time,"
		     "duration,data' or Logic 1 'Time [s],Value,Parity Error,Framing Error')");
	}

	for (++n; n < lines.size(); ++n) {
		if (trim(lines[n]).empty())
			continue;
		const auto cells = split_csv(lines[n]);
		auto cell = [&](std::optional<std::size_t> c) -> std::string_view {
			return c && *c < cells.size() ? std::string_view(cells[*c])
			                              : std::string_view();
		};
		if (type && !cell(type).empty() && lower(cell(type)) != "data")
			continue;
		if (*data >= cells.size())
			fail(n + 1, "no data column");
		const auto value = parse_byte(cell(data));
		if (!value)
			fail(n + 1, "cannot read byte '" + printable(cell(data)) +
			                "' (export with the hex display radix)");
		const std::string stream_name(cell(name));
		auto it =
		    std::find_if(cap.streams.begin(), cap.streams.end(),
		                 [&](const CaptureStream &s) { return s.name == stream_name; });
		if (it == cap.streams.end()) {
			// An analyser line per name: a capture names a few (TX, RX). A name per
			// row would make every row a stream and the search for it quadratic.
			if (cap.streams.size() == kMaxCsvStreams)
				fail(n + 1, "more than " + std::to_string(kMaxCsvStreams) +
				                " analyser names in the 'name' column (one per UART "
				                "line is expected)");
			cap.streams.push_back(CaptureStream{stream_name, {}, {}, 0});
			it = cap.streams.end() - 1;
		}
		it->bytes.push_back(*value);
		if (time) {
			const auto t = parse_time(cell(time));
			if (!t)
				fail(n + 1, "cannot read time '" + printable(cell(time)) + "'");
			it->times.push_back(*t);
		}
		if (std::any_of(errors.begin(), errors.end(),
		                [&](std::size_t c) { return !cell(c).empty(); }))
			++it->flagged;
	}
	return cap;
}

} // namespace

CaptureFormat capture_format_from_name(std::string_view name)
{
	if (name == "auto")
		return CaptureFormat::automatic;
	if (name == "hex")
		return CaptureFormat::hex;
	if (name == "binary")
		return CaptureFormat::binary;
	if (name == "csv")
		return CaptureFormat::csv;
	throw std::invalid_argument("unknown capture format '" + std::string(name) +
	                            "' (auto, hex, binary, csv)");
}

Capture read_capture(std::string_view contents, CaptureFormat format)
{
	if (format == CaptureFormat::automatic) {
		if (!is_text(contents))
			format = CaptureFormat::binary;
		else if (looks_like_csv_header(first_line(contents)))
			format = CaptureFormat::csv;
		else
			format = CaptureFormat::hex;
	}
	switch (format) {
	case CaptureFormat::binary:
		return Capture{"binary",
		               {CaptureStream{"", Bytes(contents.begin(), contents.end()), {}, 0}}};
	case CaptureFormat::csv:
		return read_csv(contents);
	case CaptureFormat::hex:
	case CaptureFormat::automatic:
		break;
	}
	return read_hex(contents);
}

} // namespace hashboard::bm13xx
