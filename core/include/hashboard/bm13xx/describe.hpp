// SPDX-License-Identifier: MIT
//
// What BM13xx frames mean, for people: hbctl frames decode/encode and hbctl regs.
// describe_*() turn decoded frames and register values into named fields; scan_stream()
// cuts a captured byte stream (either direction, or both interleaved) into frames,
// frames with a bad CRC and junk, without ever throwing on the bytes.
#pragma once

#include <hashboard/bm13xx/capture.hpp>
#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chip_family.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hashboard::bm13xx {

// tx: host -> chip (55 AA ...), rx: chip -> host (AA 55 ...).
enum class Direction { tx, rx };
std::string_view direction_name(Direction d);

// One decoded value. JSON output takes value (numbers as numbers; register values,
// hashes and other bit patterns as "0x..." strings); the text line shows name=text,
// and leaves the field out when text is empty.
struct Field {
	std::string name;
	std::variant<std::uint64_t, double, std::string, bool> value;
	std::string text;
};

// What one frame means: kind is set_address, write_register, read_register,
// chain_inactive, midstate_job, header_job, register_reply, nonce, or unknown
// (delimited but not a frame the codec makes).
struct FrameMeaning {
	std::string kind;
	std::vector<Field> fields;
};

// State that spans frames: whether a version-rolling write has made the chips answer in
// 11 bytes.
struct DescribeState {
	bool version_rolling = false;
	// When set, replies are cut at this length and a good write to the family's
	// version-rolling register (0xA4) sets it: 11 bytes with its enable bit (31), 9
	// without (BM1366+ answer in 9 bytes until rolling is on). Unset: the family's length.
	std::optional<std::size_t> reply_len;
};

// Decoded fields of a register value where the family table says what it holds:
// PLL frequency, ticket difficulty, baud, chip id, version-rolling mask, hash count.
std::vector<Field> describe_register_value(const ChipFamily &family, std::uint8_t reg,
                                           std::uint32_t value, const DescribeState &state);
// Host frames update state (version-rolling writes) after describing.
FrameMeaning describe_host_frame(const ChipFamily &family, const HostFrame &frame,
                                 DescribeState &state);
FrameMeaning describe_chip_frame(const ChipFamily &family, const ChipFrame &frame,
                                 const DescribeState &state);

// ---- captured streams ----------------------------------------------------------------

struct CapturedFrame {
	std::size_t offset = 0; // of its first byte in the stream
	std::optional<double> time_s;
	Direction direction = Direction::tx;
	bool crc_ok = false;
	Bytes bytes;
	// For a bad CRC the meaning is still decoded (as if the CRC were right) when the
	// content allows; fields then include crc and crc_expected.
	FrameMeaning meaning;
};

// Bytes that belong to no frame. truncated: a frame start cut off by the end of the
// capture rather than line noise.
struct JunkRun {
	std::size_t offset = 0;
	std::optional<double> time_s;
	Bytes bytes;
	bool truncated = false;
};

using ScanItem = std::variant<CapturedFrame, JunkRun>;

struct ScanStats {
	std::uint64_t frames = 0;     // good CRC
	std::uint64_t crc_errors = 0; // delimited, bad CRC
	std::uint64_t unknown = 0;    // good CRC, content no codec frame has
	std::uint64_t junk_bytes = 0; // truncated tails included
	std::uint64_t truncated = 0;

	ScanStats &operator+=(const ScanStats &o);
};

struct ScanOptions {
	const ChipFamily *family = nullptr; // required: reply length, names, layouts
	std::optional<Direction> direction; // nullopt: frames of both directions
	std::size_t reply_len = 0;          // 0: the family's (the scanner follows the state's)
};

// Junk runs are cut at this many bytes, so a stream of noise (a wrong baud) still comes
// out as it is read, in bounded memory.
inline constexpr std::size_t kMaxJunkRun = 4096;

// Cuts one stream into frames as its bytes arrive, in blocks of any size. At each
// position a host frame and a reply are tried; a frame is given out once no byte still
// to come can change what it is (a good CRC at once, a bad one once no good frame can
// start inside it), so a live capture shows its frames as they come, and the scanner
// holds at most a few frames' worth of bytes. What it gives out is exactly what one scan
// of the whole stream would. A frame whose CRC fails is reported as one (not as junk)
// unless a good frame starts inside it.
class FrameScanner {
public:
	using Sink = std::function<void(ScanItem &&item)>;

	explicit FrameScanner(const ScanOptions &options, DescribeState state = {});

	// times, when not empty, holds one time per byte.
	void feed(ByteSpan bytes, std::span<const double> times, const Sink &sink);
	// The end of the stream: a frame cut off by it becomes a truncated junk run.
	void finish(const Sink &sink);

	const ScanStats &stats() const { return stats_; }
	const DescribeState &state() const { return state_; }
	// The time of the first byte not yet given out in an item, when there is one and it
	// has a time: nothing this scanner gives out later is earlier (for a stream whose
	// times go forward).
	std::optional<double> pending_time() const;

private:
	bool step(bool eof, const Sink &sink);
	void add_junk(std::size_t n, bool truncated, const Sink &sink);
	void flush_junk(const Sink &sink);
	void consume(std::size_t n);
	std::optional<double> time_at(std::size_t pos) const;

	ScanOptions options_;
	DescribeState state_;
	ScanStats stats_;
	Bytes buf_;
	std::vector<double> times_;
	std::size_t pos_ = 0;  // the first undecided byte in buf_
	std::size_t base_ = 0; // the stream offset of buf_[0]
	std::optional<JunkRun> junk_;
};

// Scans a whole stream (FrameScanner); stats accumulate, so several streams can share
// one ScanStats.
std::vector<ScanItem> scan_stream(ByteSpan bytes, std::span<const double> times,
                                  const ScanOptions &options, DescribeState &state,
                                  ScanStats &stats);

// "set_address addr=0x04", "nonce nonce=0x... job_id=8 ..."
std::string format_meaning(const FrameMeaning &meaning);
// One line for an item: "[time|@offset] tx|rx ok|BAD CRC meaning [bytes]"; with
// with_bytes, good frames show their bytes too.
std::string format_item(const ScanItem &item, bool with_bytes = false);

} // namespace hashboard::bm13xx
