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

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace hashboard::bm13xx {
namespace {

constexpr std::uint8_t kNonceFlag = 0x80;

void check_reply_len(std::size_t reply_len)
{
	if (reply_len != 9 && reply_len != 11)
		throw std::invalid_argument("reply length must be 9 or 11, not " +
					    std::to_string(reply_len));
}

ChipFrame decode_reply(const std::uint8_t *frame, std::size_t len)
{
	const std::uint8_t *payload = frame + 2;
	if (frame[len - 1] & kNonceFlag) {
		NonceReply nonce;
		nonce.nonce = load_le32(payload);
		nonce.excess_difficulty = payload[4];
		nonce.job_byte = payload[5];
		if (len == 11)
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
	std::vector<ChipFrame> done;
	while (!data.empty()) {
		const std::size_t take = std::min(data.size(), detail::kFeedBlock);
		buf_.insert(buf_.end(), data.begin(), data.begin() + std::ptrdiff_t(take));
		data = data.subspan(take);

		std::size_t pos = 0;
		for (;;) {
			const std::size_t start = detail::find_preamble(buf_, pos, kReplyPreamble);
			stats_.junk_bytes += start - pos;
			pos = start;
			if (buf_.size() - pos < reply_len_)
				break;
			if (crc5(ByteSpan(buf_).subspan(pos + 2, reply_len_ - 2)) != 0) {
				++stats_.crc_errors;
				++stats_.junk_bytes;
				++pos;
				continue;
			}
			done.push_back(decode_reply(buf_.data() + pos, reply_len_));
			++stats_.frames;
			pos += reply_len_;
		}
		buf_.erase(buf_.begin(), buf_.begin() + std::ptrdiff_t(pos));

		// Delivered only once the parser's state is consistent, so a sink may call
		// reset() or set_reply_len(), or throw, without frames coming out twice.
		for (const auto &frame : done)
			sink(frame);
		done.clear();
	}
}

} // namespace hashboard::bm13xx
