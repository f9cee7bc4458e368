// SPDX-License-Identifier: MIT
//
// Capture reading for hbctl frames decode and replay: which format the input is, then
// the reader for it (capture_hex.cpp, capture_csv.cpp; binary is the bytes as they come).
#include "capture_text.hpp"

#include <stdexcept>

namespace hashboard::bm13xx {
namespace {

using detail::kUtf8Bom;

// The start is looked at up to the end of its first non-blank line; a "line" this long
// with no end in sight is not a CSV header.
constexpr std::size_t kDetectLimit = 64 * 1024;
constexpr std::size_t kFeedPiece = 64 * 1024;

bool is_text_char(char ch, bool bom)
{
	const auto c = static_cast<unsigned char>(ch);
	return (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v' || (bom && c >= 0x80);
}

bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

CaptureFormat text_format(std::string_view first_line)
{
	return detail::looks_like_csv_header(detail::trim(first_line)) ? CaptureFormat::csv
	                                                               : CaptureFormat::hex;
}

// Binary when a byte that is not text comes before the end of the first non-blank line
// (a binary capture's first frame has 0xAA in it); CSV when that line is a header; hex
// otherwise. nullopt: more input is needed to tell.
std::optional<CaptureFormat> detect(std::string_view s, bool eof)
{
	if (!eof && s.size() < kUtf8Bom.size() && kUtf8Bom.starts_with(s))
		return std::nullopt; // may still become a byte-order mark
	const bool bom = s.starts_with(kUtf8Bom);
	const std::string_view body = bom ? s.substr(kUtf8Bom.size()) : s;
	std::size_t line_start = 0;
	bool content = false;
	for (std::size_t i = 0; i < body.size(); ++i) {
		const char c = body[i];
		if (!is_text_char(c, bom))
			return CaptureFormat::binary;
		if (c == '\n') {
			if (content)
				return text_format(body.substr(line_start, i - line_start));
			line_start = i + 1;
		} else if (!is_blank(c)) {
			content = true;
		}
	}
	if (eof)
		return content ? text_format(body.substr(line_start)) : CaptureFormat::hex;
	if (s.size() >= kDetectLimit)
		return CaptureFormat::hex;
	return std::nullopt;
}

ByteSpan as_bytes(std::string_view s)
{
	return {reinterpret_cast<const std::uint8_t *>(s.data()), s.size()};
}

// Built on first use, not before main, where a failed allocation could not be caught.
const std::vector<std::string> &one_stream()
{
	static const std::vector<std::string> names{""};
	return names;
}
const std::vector<std::string> kNoStreams;

} // namespace

struct CaptureReader::Impl {
	std::optional<CaptureFormat> format;
	std::string start; // held while the format is being told (automatic)
	detail::HexReader hex;
	detail::CsvReader csv;

	void read(std::string_view text, detail::ReadOut &out)
	{
		switch (*format) {
		case CaptureFormat::binary:
			out.flush();
			if (!text.empty())
				out.sink(0, as_bytes(text), {});
			return;
		case CaptureFormat::csv:
			csv.feed(text, out);
			return;
		case CaptureFormat::hex:
		case CaptureFormat::automatic:
			hex.feed(text, out);
			return;
		}
	}
};

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

CaptureReader::CaptureReader(CaptureFormat format) : impl_(std::make_unique<Impl>())
{
	if (format != CaptureFormat::automatic)
		impl_->format = format;
}

CaptureReader::~CaptureReader() = default;

void CaptureReader::feed(std::string_view chunk, const CaptureSink &sink)
{
	// A piece at a time, so what is held between the reader and its sink stays small
	// however large a chunk the caller has.
	while (chunk.size() > kFeedPiece) {
		feed(chunk.substr(0, kFeedPiece), sink);
		chunk.remove_prefix(kFeedPiece);
	}
	Impl &m = *impl_;
	detail::ReadOut out{sink};
	try {
		if (m.format) {
			m.read(chunk, out);
		} else {
			m.start.append(chunk);
			m.format = detect(m.start, false);
			if (m.format) {
				m.read(m.start, out);
				std::string().swap(m.start);
			}
		}
	} catch (...) {
		out.flush(); // what came before the bad line is the capture's too
		throw;
	}
	out.flush();
}

void CaptureReader::finish(const CaptureSink &sink)
{
	Impl &m = *impl_;
	detail::ReadOut out{sink};
	try {
		if (!m.format) {
			m.format = detect(m.start, true);
			m.read(m.start, out);
			std::string().swap(m.start);
		}
		if (*m.format == CaptureFormat::csv)
			m.csv.finish(out);
		else if (*m.format != CaptureFormat::binary)
			m.hex.finish(out);
	} catch (...) {
		out.flush();
		throw;
	}
	out.flush();
}

const std::string &CaptureReader::format() const
{
	static const std::string kNone, kHex = "hex", kBinary = "binary";
	if (!impl_->format)
		return kNone;
	switch (*impl_->format) {
	case CaptureFormat::csv:
		return impl_->csv.format();
	case CaptureFormat::binary:
		return kBinary;
	case CaptureFormat::hex:
	case CaptureFormat::automatic:
		break;
	}
	return kHex;
}

const std::vector<std::string> &CaptureReader::stream_names() const
{
	if (!impl_->format)
		return kNoStreams;
	return *impl_->format == CaptureFormat::csv ? impl_->csv.streams() : one_stream();
}

std::uint64_t CaptureReader::flagged(std::size_t stream) const
{
	return impl_->csv.flagged(stream);
}

std::uint64_t CaptureReader::flagged() const
{
	return impl_->csv.flagged();
}

bool CaptureReader::timed() const
{
	return impl_->format == CaptureFormat::csv && impl_->csv.timed();
}

std::optional<double> CaptureReader::last_time() const
{
	return impl_->csv.last_time();
}

Capture read_capture(std::string_view contents, CaptureFormat format)
{
	CaptureReader reader(format);
	Capture cap;
	const CaptureSink collect = [&](std::size_t s, ByteSpan bytes, std::span<const double> t) {
		if (cap.streams.size() <= s)
			cap.streams.resize(s + 1);
		auto &stream = cap.streams[s];
		stream.bytes.insert(stream.bytes.end(), bytes.begin(), bytes.end());
		stream.times.insert(stream.times.end(), t.begin(), t.end());
	};
	reader.feed(contents, collect);
	reader.finish(collect);
	cap.format = reader.format();
	const auto &names = reader.stream_names();
	cap.streams.resize(names.size());
	for (std::size_t s = 0; s < names.size(); ++s) {
		cap.streams[s].name = names[s];
		cap.streams[s].flagged = reader.flagged(s);
	}
	return cap;
}

} // namespace hashboard::bm13xx
