// SPDX-License-Identifier: MIT
//
// Cutting a captured byte stream into frames for people (hbctl frames decode). Unlike
// the codec's parsers, which drop what fails and count it, this keeps every frame it
// can delimit, good CRC or bad, and shows junk as runs, because a bring-up engineer
// wants to see the corrupted frame, not a counter.
//
// At each position a host frame (55 AA, length from LEN when LEN is one the protocol
// uses) and a chip reply (AA 55, the family's reply length) are tried. A frame with a
// good CRC wins. A delimited frame with a bad CRC is shown as such unless a good frame
// starts inside it (then its first byte is junk and the scan moves on, as the parsers
// do). Decoding itself goes through the codec's parsers, so what is called a frame
// here is exactly what the HAL and the simulator accept.
//
// The stream arrives in blocks: a candidate that runs past the bytes seen so far is
// "incomplete", and before the end of the stream any decision that looked at one waits
// for more bytes. Decisions never look further than two frames ahead, so the bytes held
// stay few, and what comes out is what a scan of the whole stream gives.
#include <hashboard/bm13xx/describe.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

namespace hashboard::bm13xx {
namespace {

constexpr std::size_t kShownJunkBytes = 32;

enum class State { good, bad, incomplete };

struct Candidate {
	Direction direction;
	std::size_t len;
	State state;
};

bool is_command_len(std::uint8_t len)
{
	return len == kLenCommand || len == kLenWriteRegister;
}

bool is_host_len(std::uint8_t len)
{
	return is_command_len(len) || len == kLenOneMidstate || len == kLenHeaderJob ||
	       len == kLenFourMidstates;
}

bool host_crc_ok(ByteSpan frame)
{
	const ByteSpan covered =
	    frame.subspan(2, frame.size() - (is_command_len(frame[3]) ? 3 : 4));
	if (is_command_len(frame[3]))
		return crc5(covered) == frame.back();
	return crc16(covered) == (frame[frame.size() - 2] << 8 | frame.back());
}

// A first preamble byte alone at the end of the bytes seen so far may be a frame start;
// at the end of the stream it is junk.
std::optional<Candidate> host_at(ByteSpan b, std::size_t pos, bool eof)
{
	if (pos >= b.size() || b[pos] != kCmdPreamble[0])
		return std::nullopt;
	if (pos + 1 >= b.size())
		return eof ? std::nullopt
		           : std::optional(Candidate{Direction::tx, 1, State::incomplete});
	if (b[pos + 1] != kCmdPreamble[1])
		return std::nullopt;
	if (pos + 3 >= b.size())
		return Candidate{Direction::tx, b.size() - pos, State::incomplete};
	const std::uint8_t len = b[pos + 3];
	if (!is_host_len(len))
		return std::nullopt;
	const std::size_t total = host_frame_size(len);
	if (pos + total > b.size())
		return Candidate{Direction::tx, b.size() - pos, State::incomplete};
	return Candidate{Direction::tx, total,
	                 host_crc_ok(b.subspan(pos, total)) ? State::good : State::bad};
}

std::optional<Candidate> reply_at(ByteSpan b, std::size_t pos, std::size_t reply_len, bool eof)
{
	if (pos >= b.size() || b[pos] != kReplyPreamble[0])
		return std::nullopt;
	if (pos + 1 >= b.size())
		return eof ? std::nullopt
		           : std::optional(Candidate{Direction::rx, 1, State::incomplete});
	if (b[pos + 1] != kReplyPreamble[1])
		return std::nullopt;
	if (pos + reply_len > b.size())
		return Candidate{Direction::rx, b.size() - pos, State::incomplete};
	const bool ok = crc5(b.subspan(pos + 2, reply_len - 2)) == 0;
	return Candidate{Direction::rx, reply_len, ok ? State::good : State::bad};
}

// Good candidates first, then bad, then incomplete; tx before rx on a tie.
std::optional<Candidate> best_at(ByteSpan b, std::size_t pos, const ScanOptions &o, bool eof)
{
	std::optional<Candidate> best;
	auto consider = [&](std::optional<Candidate> c) {
		if (c && (!best || int(c->state) < int(best->state)))
			best = c;
	};
	if (!o.direction || *o.direction == Direction::tx)
		consider(host_at(b, pos, eof));
	if (!o.direction || *o.direction == Direction::rx)
		consider(reply_at(b, pos, o.reply_len ? o.reply_len : o.family->reply_len, eof));
	return best;
}

enum class Answer { yes, no, not_yet };

// Whether a frame at least as whole as worst (good, or good or bad) starts in [from, to);
// not_yet while a candidate there still waits for bytes.
Answer frame_within(ByteSpan b, std::size_t from, std::size_t to, const ScanOptions &o, State worst,
                    bool eof)
{
	bool waiting = false;
	for (std::size_t q = from; q < to && q < b.size(); ++q) {
		const auto c = best_at(b, q, o, eof);
		if (c && int(c->state) <= int(worst))
			return Answer::yes;
		waiting = waiting || (c && c->state == State::incomplete && !eof);
	}
	if (!eof && to > b.size())
		waiting = true; // positions not seen yet
	return waiting ? Answer::not_yet : Answer::no;
}

std::string hex_byte(unsigned v)
{
	return fmt::format("0x{:02x}", v & 0xFFu);
}

std::string hex_word(unsigned v, int digits)
{
	return fmt::format("0x{:0{}x}", v, digits);
}

// A caller that follows the reply length (DescribeState::reply_len) sees 0xA4 switch it.
void follow_reply_len(const ChipFamily &family, const HostFrame &f, DescribeState &state)
{
	const auto *w = std::get_if<WriteRegister>(&f);
	if (!state.reply_len || !w || !family.regs.version_rolling ||
	    w->reg != *family.regs.version_rolling)
		return;
	state.reply_len = w->value & 0x80000000u ? family.reply_len : kReplyLen;
}

// Good frames: the codec's own parser decides (so "frame" means what the HAL accepts).
FrameMeaning decode_good(const ScanOptions &o, ByteSpan frame, Direction dir, DescribeState &state,
                         bool &unknown)
{
	FrameMeaning meaning;
	unknown = true;
	if (dir == Direction::tx) {
		HostParser parser;
		parser.feed(frame, [&](const HostFrame &f) {
			meaning = describe_host_frame(*o.family, f, state);
			unknown = false;
			follow_reply_len(*o.family, f, state);
		});
		if (unknown) {
			meaning.kind = "unknown";
			meaning.fields.push_back(
			    {"hdr", std::uint64_t(frame[2]), hex_byte(frame[2])});
			meaning.fields.push_back(
			    {"len", std::uint64_t(frame[3]), hex_byte(frame[3])});
		}
	} else {
		ReplyParser parser(frame.size());
		parser.feed(frame, [&](const ChipFrame &f) {
			meaning = describe_chip_frame(*o.family, f, state);
			unknown = false;
		});
	}
	return meaning;
}

// Bad CRC: decode the content as if the CRC were right, and say what it should be.
FrameMeaning decode_bad(const ScanOptions &o, ByteSpan frame, Direction dir, DescribeState &state)
{
	Bytes fixed(frame.begin(), frame.end());
	std::string sent, expected;
	if (dir == Direction::tx && is_command_len(frame[3])) {
		fixed.back() = crc5(ByteSpan(fixed).subspan(2, fixed.size() - 3));
		sent = hex_byte(frame.back());
		expected = hex_byte(fixed.back());
	} else if (dir == Direction::tx) {
		const std::uint16_t crc = crc16(ByteSpan(fixed).subspan(2, fixed.size() - 4));
		fixed[fixed.size() - 2] = std::uint8_t(crc >> 8);
		fixed.back() = std::uint8_t(crc);
		sent = hex_word(unsigned(frame[frame.size() - 2] << 8 | frame.back()), 4);
		expected = hex_word(crc, 4);
	} else {
		const ByteSpan covered = ByteSpan(fixed).subspan(2);
		const std::uint8_t crc = crc5_bits(covered, covered.size() * 8 - 5);
		fixed.back() = std::uint8_t((fixed.back() & 0xE0) | crc);
		sent = hex_byte(frame.back() & 0x1Fu);
		expected = hex_byte(crc);
	}
	// A corrupted frame must not change the decoder's state (a fast-UART write that
	// the chips never took).
	DescribeState scratch = state;
	bool unknown = false;
	FrameMeaning meaning = decode_good(o, fixed, dir, scratch, unknown);
	meaning.fields.push_back({"crc", sent, sent});
	meaning.fields.push_back({"crc_expected", expected, expected});
	return meaning;
}

std::string bytes_spaced(ByteSpan b, std::size_t limit)
{
	const std::string s =
	    fmt::format("{:02x}", fmt::join(b.first(std::min(limit, b.size())), " "));
	return b.size() > limit ? s + " ..." : s;
}

std::string when(std::size_t offset, const std::optional<double> &time_s)
{
	return time_s ? fmt::format("{:.6f}", *time_s) : fmt::format("@{}", offset);
}

} // namespace

ScanStats &ScanStats::operator+=(const ScanStats &o)
{
	frames += o.frames;
	crc_errors += o.crc_errors;
	unknown += o.unknown;
	junk_bytes += o.junk_bytes;
	truncated += o.truncated;
	return *this;
}

FrameScanner::FrameScanner(const ScanOptions &options, DescribeState state)
    : options_(options), state_(state)
{
	if (!options_.family)
		throw std::invalid_argument("FrameScanner: no chip family");
}

void FrameScanner::feed(ByteSpan bytes, std::span<const double> times, const Sink &sink)
{
	// A piece at a time: the bytes held stay few however many come at once.
	constexpr std::size_t kPiece = 64 * 1024;
	while (bytes.size() > kPiece) {
		feed(bytes.first(kPiece), times.empty() ? times : times.first(kPiece), sink);
		bytes = bytes.subspan(kPiece);
		if (!times.empty())
			times = times.subspan(kPiece);
	}
	buf_.insert(buf_.end(), bytes.begin(), bytes.end());
	if (times.size() == bytes.size())
		times_.insert(times_.end(), times.begin(), times.end());
	while (step(false, sink)) {
	}
	// Decided bytes go once they are a good part of what is held: no copying per byte.
	if (pos_ > 4096 && pos_ * 2 > buf_.size())
		consume(pos_);
}

void FrameScanner::finish(const Sink &sink)
{
	while (step(true, sink)) {
	}
	flush_junk(sink);
	consume(pos_);
}

std::optional<double> FrameScanner::pending_time() const
{
	if (junk_)
		return junk_->time_s;
	return time_at(pos_);
}

std::optional<double> FrameScanner::time_at(std::size_t pos) const
{
	if (pos < times_.size())
		return times_[pos];
	return std::nullopt;
}

void FrameScanner::consume(std::size_t n)
{
	buf_.erase(buf_.begin(), buf_.begin() + std::ptrdiff_t(n));
	if (times_.size() >= n)
		times_.erase(times_.begin(), times_.begin() + std::ptrdiff_t(n));
	base_ += n;
	pos_ -= n;
}

void FrameScanner::add_junk(std::size_t n, bool truncated, const Sink &sink)
{
	stats_.junk_bytes += n;
	if (!junk_ || junk_->truncated || truncated || junk_->bytes.size() >= kMaxJunkRun) {
		flush_junk(sink);
		junk_ = JunkRun{base_ + pos_, time_at(pos_), {}, truncated};
	}
	junk_->bytes.insert(junk_->bytes.end(), buf_.begin() + std::ptrdiff_t(pos_),
	                    buf_.begin() + std::ptrdiff_t(pos_ + n));
	pos_ += n;
}

void FrameScanner::flush_junk(const Sink &sink)
{
	if (junk_)
		sink(std::move(*junk_));
	junk_.reset();
}

// Decides what the bytes at pos_ are and gives it out; false when that needs bytes not
// seen yet (or there are none).
bool FrameScanner::step(bool eof, const Sink &sink)
{
	const ByteSpan b = ByteSpan(buf_).subspan(pos_);
	if (b.empty())
		return false;
	ScanOptions now = options_; // the reply length may change as the stream goes
	now.reply_len = state_.reply_len.value_or(options_.family->reply_len);
	const auto c = best_at(b, 0, now, eof);
	if (!c) {
		add_junk(1, false, sink);
		return true;
	}
	if (c->state == State::incomplete) {
		if (!eof)
			return false;
		// A frame start whose LEN runs past the end may be noise before real frames.
		if (frame_within(b, 1, b.size(), now, State::bad, eof) == Answer::yes) {
			add_junk(1, false, sink);
			return true;
		}
		++stats_.truncated;
		add_junk(c->len, true, sink);
		return true;
	}
	if (c->state == State::bad) {
		const Answer inside = frame_within(b, 1, c->len, now, State::good, eof);
		if (inside == Answer::not_yet)
			return false;
		if (inside == Answer::yes) {
			add_junk(1, false, sink);
			return true;
		}
	}
	const ByteSpan frame = b.subspan(0, c->len);
	CapturedFrame f;
	f.offset = base_ + pos_;
	f.time_s = time_at(pos_);
	f.direction = c->direction;
	f.crc_ok = c->state == State::good;
	f.bytes.assign(frame.begin(), frame.end());
	if (f.crc_ok) {
		bool unknown = false;
		f.meaning = decode_good(options_, frame, c->direction, state_, unknown);
		++(unknown ? stats_.unknown : stats_.frames);
	} else {
		f.meaning = decode_bad(options_, frame, c->direction, state_);
		++stats_.crc_errors;
	}
	pos_ += c->len;
	flush_junk(sink);
	sink(std::move(f));
	return true;
}

std::vector<ScanItem> scan_stream(ByteSpan bytes, std::span<const double> times,
                                  const ScanOptions &options, DescribeState &state,
                                  ScanStats &stats)
{
	FrameScanner scanner(options, state);
	std::vector<ScanItem> items;
	const FrameScanner::Sink collect = [&](ScanItem &&item) {
		items.push_back(std::move(item));
	};
	scanner.feed(bytes, times, collect);
	scanner.finish(collect);
	state = scanner.state();
	stats += scanner.stats();
	return items;
}

std::string format_meaning(const FrameMeaning &meaning)
{
	std::string s = meaning.kind;
	for (const auto &f : meaning.fields)
		if (!f.text.empty())
			s += ' ' + f.name + '=' + f.text;
	return s;
}

std::string format_item(const ScanItem &item, bool with_bytes)
{
	if (const auto *j = std::get_if<JunkRun>(&item)) {
		std::string s = when(j->offset, j->time_s) +
		                (j->truncated ? " -- truncated frame, " : " -- junk, ");
		s += std::to_string(j->bytes.size()) +
		     (j->bytes.size() == 1 ? " byte: " : " bytes: ");
		return s + bytes_spaced(j->bytes, kShownJunkBytes);
	}
	const auto &f = std::get<CapturedFrame>(item);
	std::string s = when(f.offset, f.time_s) + ' ' + std::string(direction_name(f.direction)) +
	                (f.crc_ok ? " ok      " : " BAD CRC ") + format_meaning(f.meaning);
	if (with_bytes || !f.crc_ok || f.meaning.kind == "unknown")
		s += "  [" + bytes_spaced(f.bytes, f.bytes.size()) + "]";
	return s;
}

} // namespace hashboard::bm13xx
