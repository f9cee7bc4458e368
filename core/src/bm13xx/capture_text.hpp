// SPDX-License-Identifier: MIT
// What the capture readers share: the text helpers and the readers' common shape.
#pragma once

#include <hashboard/bm13xx/capture.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashboard::bm13xx::detail {

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// Distinct analyser names (UART lines) a Logic 2 CSV may hold.
inline constexpr std::size_t kMaxCsvStreams = 16;
// A CSV row is a few dozen characters; a "line" longer than this is not a UART export,
// and holding it whole would let one line fill memory.
inline constexpr std::size_t kMaxCsvLine = 64 * 1024;

std::string lower(std::string_view s);
std::string_view trim(std::string_view s);
// A token as an error message can show it: binary fed as text must not garble the
// terminal, and a huge token is cut.
std::string printable(std::string_view s);
// The digit's value in base 2, 10 or 16, or -1.
int digit_value(char c, int base);
[[noreturn]] void fail(std::size_t line, const std::string &what);
// Whether a line is a Saleae export's header: cells, one named data or Value.
bool looks_like_csv_header(std::string_view line);

// Bytes the readers cut, per stream, handed on at the end of each feed.
struct ReadOut {
	explicit ReadOut(const CaptureSink &s) : sink(s) {}

	const CaptureSink &sink;
	std::size_t stream = 0;
	Bytes bytes;
	std::vector<double> times;

	void push(std::size_t s, std::uint8_t b, std::optional<double> t);
	void flush();
};

// Hex text, read a character at a time: tokens may span feeds, and lines any length.
class HexReader {
public:
	void feed(std::string_view chunk, ReadOut &out);
	void finish(ReadOut &out);

private:
	void put(char c, ReadOut &out);
	void take(char c, ReadOut &out);
	void token_char(char c, ReadOut &out);
	void end_token();

	bool started_ = false; // past a leading byte-order mark
	std::string head_;     // the first bytes, until they can be told from a mark
	std::size_t line_ = 1;
	bool comment_ = false;
	bool cr_ = false; // a \r that ends the line if \n follows
	std::size_t token_len_ = 0;
	std::string token_shown_; // the token's start, for an error message
	int nibble_ = -1;         // a high nibble waiting for its low one
	bool prefixed_ = false;   // the token started 0x
	bool bad_ = false;
};

// Saleae UART exports, a row at a time.
class CsvReader {
public:
	void feed(std::string_view chunk, ReadOut &out);
	void finish(ReadOut &out);

	const std::string &format() const { return format_; }
	const std::vector<std::string> &streams() const { return streams_; }
	std::uint64_t flagged() const { return flagged_; }
	std::uint64_t flagged(std::size_t stream) const
	{
		return stream < flagged_per_stream_.size() ? flagged_per_stream_[stream] : 0;
	}
	bool timed() const { return time_.has_value(); }
	std::optional<double> last_time() const { return last_time_; }

private:
	void line(std::string_view text, ReadOut &out);
	void header(std::string_view text, std::size_t n);
	void row(std::string_view text, std::size_t n, ReadOut &out);
	std::size_t stream_of(const std::string &name, std::size_t n);

	std::string partial_;
	std::size_t line_ = 1;
	bool header_done_ = false;
	std::string format_;
	std::optional<std::size_t> data_, time_, name_, type_;
	std::vector<std::size_t> errors_;
	std::vector<std::string> streams_;
	std::vector<std::uint64_t> flagged_per_stream_;
	std::uint64_t flagged_ = 0;
	std::optional<double> last_time_;
};

} // namespace hashboard::bm13xx::detail
