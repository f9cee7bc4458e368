// SPDX-License-Identifier: MIT
//
// Host -> chip stream parser (the simulated chips' receive side, hbctl frames decode).
// A frame's length comes from its LEN byte, so LEN is only trusted when it is one of
// the lengths its HDR allows; anything else is a bad frame and the parser slides one
// byte and hunts for the next preamble, exactly as after a CRC failure.
//
// Decoding is strict: a frame is delivered only if encoding it again gives the same
// bytes (reserved bytes zero, job id within 7 bits, midstate count matching LEN). The
// simulator is where host bugs should show, and hbctl should not hide them either.

#include <hashboard/bm13xx/codec.hpp>

#include "preamble_scan.hpp"

#include <algorithm>
#include <cstring>

namespace hashboard::bm13xx {
namespace {

constexpr std::size_t kHeadLen = 4; // preamble, HDR, LEN

constexpr std::uint8_t kJobHdr = kTypeJob | std::uint8_t(Command::write_register);
constexpr std::uint8_t kMaxJobId = 0x7F;

enum class Kind { set_address, write, read, inactive, midstate_job, header_job };

constexpr std::uint8_t cmd_hdr(Command cmd, bool all)
{
	return std::uint8_t(kTypeCommand | (all ? kFlagAll : 0) | std::uint8_t(cmd));
}

std::optional<Kind> classify(std::uint8_t hdr, std::uint8_t len)
{
	switch (hdr) {
	case cmd_hdr(Command::set_address, false):
		return len == kLenCommand ? std::optional(Kind::set_address) : std::nullopt;
	case cmd_hdr(Command::write_register, false):
	case cmd_hdr(Command::write_register, true):
		return len == kLenWriteRegister ? std::optional(Kind::write) : std::nullopt;
	case cmd_hdr(Command::read_register, false):
	case cmd_hdr(Command::read_register, true):
		return len == kLenCommand ? std::optional(Kind::read) : std::nullopt;
	case cmd_hdr(Command::chain_inactive, true):
		return len == kLenCommand ? std::optional(Kind::inactive) : std::nullopt;
	case kJobHdr:
		if (len == kLenOneMidstate || len == kLenFourMidstates)
			return Kind::midstate_job;
		if (len == kLenHeaderJob || len == kLenFactoryHeaderJob)
			return Kind::header_job;
		return std::nullopt;
	default:
		return std::nullopt;
	}
}

bool is_job(Kind kind)
{
	return kind == Kind::midstate_job || kind == Kind::header_job;
}

// Commands end with a CRC5 byte (top three bits zero), jobs with a big-endian CRC16.
bool crc_ok(Kind kind, const std::uint8_t *frame, std::size_t total)
{
	const std::size_t crc_len = is_job(kind) ? 2 : 1;
	const ByteSpan covered(frame + 2, total - 2 - crc_len);
	if (is_job(kind))
		return crc16(covered) == (frame[total - 2] << 8 | frame[total - 1]);
	return crc5(covered) == frame[total - 1];
}

Hash256 words_reversed(const std::uint8_t *p)
{
	Hash256 h;
	for (std::size_t word = 0; word < 8; ++word)
		std::copy_n(p + (7 - word) * 4, 4, h.begin() + std::ptrdiff_t(word * 4));
	return h;
}

std::array<std::uint32_t, 8> midstate_from_wire(const std::uint8_t *p)
{
	// BE(h7) .. BE(h0) on the wire (see job_frames.cpp).
	std::array<std::uint32_t, 8> state;
	for (std::size_t i = 0; i < 8; ++i)
		state[i] = load_be32(p + (7 - i) * 4);
	return state;
}

// d points at DATA; len is LEN. nullopt: good CRC but content the encoder never makes.
std::optional<HostFrame> decode(Kind kind, std::uint8_t hdr, std::uint8_t len,
                                const std::uint8_t *d)
{
	const bool all = hdr & kFlagAll;
	switch (kind) {
	case Kind::set_address:
		if (d[1] != 0)
			return std::nullopt;
		return SetAddress{d[0]};
	case Kind::write:
		return WriteRegister{all, d[0], d[1], load_be32(d + 2)};
	case Kind::read:
		return ReadRegister{all, d[0], d[1]};
	case Kind::inactive:
		if (d[0] != 0 || d[1] != 0)
			return std::nullopt;
		return ChainInactive{};
	case Kind::midstate_job: {
		const std::size_t count = len == kLenOneMidstate ? 1 : 4;
		if (d[0] > kMaxJobId || d[1] != count)
			return std::nullopt;
		MidstateJob job;
		job.job_id = d[0];
		job.starting_nonce = load_le32(d + 2);
		job.nbits = load_le32(d + 6);
		job.ntime = load_le32(d + 10);
		job.merkle_tail = load_le32(d + 14);
		for (std::size_t i = 0; i < count; ++i)
			job.midstates.push_back(midstate_from_wire(d + 18 + 32 * i));
		return job;
	}
	case Kind::header_job: {
		if (d[0] > kMaxJobId || d[1] != 1)
			return std::nullopt;
		HeaderJob job;
		job.job_id = d[0];
		job.starting_nonce = load_le32(d + 2);
		job.nbits = load_le32(d + 6);
		job.ntime = load_le32(d + 10);
		job.merkle_root = words_reversed(d + 14);
		job.prev_hash = words_reversed(d + 46);
		job.version = load_le32(d + 78);
		return job;
	}
	}
	return std::nullopt;
}

} // namespace

void HostParser::reset()
{
	stats_.junk_bytes += buf_.size();
	buf_.clear();
}

void HostParser::feed(ByteSpan data, const std::function<void(const HostFrame &)> &sink)
{
	detail::feed_frames<HostFrame>(
	    buf_, stats_, data, kCmdPreamble,
	    [](ByteSpan b) -> detail::Judged<HostFrame> {
		    using detail::Verdict;
		    if (b.size() < kHeadLen)
			    return {Verdict::incomplete};
		    const std::uint8_t hdr = b[2];
		    const std::uint8_t len = b[3];
		    const auto kind = classify(hdr, len);
		    if (!kind)
			    return {Verdict::bad_frame};
		    const std::size_t total =
		        host_frame_size(*kind == Kind::header_job ? kLenHeaderJob : len);
		    if (b.size() < total)
			    return {Verdict::incomplete};
		    if (!crc_ok(*kind, b.data(), total))
			    return {Verdict::crc_error};
		    auto decoded = decode(*kind, hdr, len, b.data() + kHeadLen);
		    if (!decoded)
			    return {Verdict::bad_frame};
		    return {Verdict::frame, total, std::move(decoded)};
	    },
	    sink);
}

} // namespace hashboard::bm13xx
