// SPDX-License-Identifier: MIT
#pragma once

#include "log.hpp"

#include <hashboard/bm13xx/codec.hpp>

namespace hbsim_tool {

// --log-frames: every frame on the wire, decoded with the project's codec, one line
// each. Bytes that do not decode are counted, not shown.
class FrameLog {
public:
	explicit FrameLog(const Log &log, std::size_t reply_len) : log_(log), replies_(reply_len) {}

	void host_bytes(hashboard::ByteSpan data);
	// reply_len follows the chips: BM1366+ answer in 11 bytes once version rolling is on.
	void chip_bytes(hashboard::ByteSpan data, std::size_t reply_len);
	// A new session: partial frames from the last one mean nothing.
	void restart();

private:
	void report_junk(const char *side, const hashboard::bm13xx::ParserStats &now,
	                 hashboard::bm13xx::ParserStats &seen) const;

	const Log &log_;
	hashboard::bm13xx::HostParser host_;
	hashboard::bm13xx::ReplyParser replies_;
	hashboard::bm13xx::ParserStats host_seen_;
	hashboard::bm13xx::ParserStats replies_seen_;
};

} // namespace hbsim_tool
