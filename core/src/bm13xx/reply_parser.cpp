// SPDX-License-Identifier: MIT
//
// Chip -> host stream parser. Replies have a fixed length, so a frame is decided as
// soon as reply_len bytes follow a preamble; the outcome therefore does not depend on
// how the stream was chunked. On a CRC failure only the preamble's first byte is
// dropped and the rest is rescanned: a real reply may start inside what looked like
// one (line noise that happens to read AA 55 just before it).
//
// Any reply with a good CRC is delivered: bits 6..5 of LAST and the two spare bytes of
// an 11-byte register reply are not checked, because what real chips put there is not
// documented and dropping a genuine nonce costs more than passing on a frame that the
// chain later rejects by job id or SHA-256 check. So bad_frames stays 0 here.

#include <hashboard/bm13xx/codec.hpp>

#include "preamble_scan.hpp"
#include "reply_layout.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace hashboard::bm13xx {
namespace {

using detail::check_reply_len;
using detail::kNonceFlag;

ChipFrame decode_reply(const std::uint8_t *frame, std::size_t len)
{
	const std::uint8_t *payload = frame + 2;
	if (frame[len - 1] & kNonceFlag) {
		NonceReply nonce;
		nonce.nonce = load_le32(payload);
		nonce.excess_difficulty = payload[4];
		nonce.job_byte = payload[5];
		if (len == kRollingReplyLen)
			nonce.version_bits = std::uint16_t(payload[6] << 8 | payload[7]);
		return nonce;
	}
	return RegisterReply{load_be32(payload), payload[4], payload[5]};
}

} // namespace

ReplyParser::ReplyParser(std::size_t reply_len) : reply_len_(reply_len)
{
	check_reply_len(reply_len);
}

void ReplyParser::set_reply_len(std::size_t reply_len)
{
	check_reply_len(reply_len);
	reply_len_ = reply_len;
}

void ReplyParser::reset()
{
	stats_.junk_bytes += buf_.size();
	buf_.clear();
}

void ReplyParser::feed(ByteSpan data, const std::function<void(const ChipFrame &)> &sink)
{
	detail::feed_frames<ChipFrame>(
	    buf_, stats_, data, kReplyPreamble,
	    [len = reply_len_](ByteSpan b) -> detail::Judged<ChipFrame> {
		    using detail::Verdict;
		    if (b.size() < len)
			    return {Verdict::incomplete};
		    if (crc5(b.subspan(2, len - 2)) != 0)
			    return {Verdict::crc_error};
		    return {Verdict::frame, len, decode_reply(b.data(), len)};
	    },
	    sink);
}

} // namespace hashboard::bm13xx
