// SPDX-License-Identifier: MIT
// Hex text captures, a character at a time: bytes as pairs of hex digits in tokens
// separated by whitespace or commas, each with an optional 0x; '#' comments to the end of
// the line; \n or \r\n line ends; a byte-order mark at the start is skipped. A token that
// is not whole bytes of hex is an error naming its line.
#include "capture_text.hpp"

#include <algorithm>

namespace hashboard::bm13xx::detail {
namespace {

bool is_separator(char c)
{
	return c == ' ' || c == '\t' || c == ',' || c == '\f' || c == '\v';
}

// What an error message shows of a token: its start, and whether there was more.
constexpr std::size_t kShownToken = 25;

} // namespace

void HexReader::feed(std::string_view chunk, ReadOut &out)
{
	if (!started_) {
		// The mark must be seen whole before anything else is read.
		const std::size_t n = std::min(chunk.size(), kUtf8Bom.size() - head_.size());
		head_.append(chunk.substr(0, n));
		chunk.remove_prefix(n);
		if (head_.size() < kUtf8Bom.size() && kUtf8Bom.starts_with(head_))
			return;
		started_ = true;
		if (head_ != kUtf8Bom)
			for (char c : head_)
				put(c, out);
	}
	for (char c : chunk)
		put(c, out);
}

void HexReader::finish(ReadOut &out)
{
	if (!started_) {
		started_ = true;
		if (head_ != kUtf8Bom)
			for (char c : head_)
				put(c, out);
	}
	cr_ = false; // the last line's \r ends it, as \r\n would
	end_token();
}

void HexReader::put(char c, ReadOut &out)
{
	// \r\n ends a line; any other \r is text (and no hex digit).
	if (cr_) {
		cr_ = false;
		if (c != '\n')
			take('\r', out);
	}
	if (c == '\r')
		cr_ = true;
	else
		take(c, out);
}

void HexReader::take(char c, ReadOut &out)
{
	if (c == '\n') {
		end_token();
		comment_ = false;
		++line_;
	} else if (comment_) {
		return;
	} else if (c == '#') {
		end_token();
		comment_ = true;
	} else if (is_separator(c)) {
		end_token();
	} else {
		token_char(c, out);
	}
}

void HexReader::token_char(char c, ReadOut &out)
{
	const std::size_t pos = token_len_++;
	if (token_shown_.size() < kShownToken)
		token_shown_ += c;
	if (bad_)
		return; // the rest only goes into the message
	if (pos == 1 && token_shown_[0] == '0' && (c == 'x' || c == 'X')) {
		prefixed_ = true;
		nibble_ = -1;
		return;
	}
	const int d = digit_value(c, 16);
	if (d < 0) {
		bad_ = true;
	} else if (nibble_ < 0) {
		nibble_ = d;
	} else {
		out.push(0, std::uint8_t(nibble_ << 4 | d), std::nullopt);
		nibble_ = -1;
	}
}

void HexReader::end_token()
{
	if (token_len_ == 0)
		return;
	// "0x" alone is no byte; an odd digit count is half of one.
	const bool bad = bad_ || nibble_ >= 0 || (prefixed_ && token_len_ == 2);
	const std::string shown = printable(token_shown_);
	token_len_ = 0;
	token_shown_.clear();
	nibble_ = -1;
	prefixed_ = false;
	bad_ = false;
	if (bad)
		fail(line_, "'" + shown + "' is not hex bytes");
}

} // namespace hashboard::bm13xx::detail
