// SPDX-License-Identifier: MIT
//
// Chip -> host replies: AA 55 | PAYLOAD | LAST, 9 or 11 bytes. LAST holds the nonce
// flag in bit 7 and, in its low five bits, the CRC5 of everything before those bits
// (see crc.cpp for why). The simulator and the tests use these encoders.

#include <hashboard/bm13xx/codec.hpp>

#include "reply_layout.hpp"

#include <stdexcept>
#include <string>

namespace hashboard::bm13xx {
namespace {

using detail::check_reply_len;
using detail::kNonceFlag;

// payload: the bytes between preamble and LAST; flags: LAST's top three bits.
Bytes finish_reply(const std::uint8_t *payload, std::size_t len, std::uint8_t flags)
{
	Bytes frame;
	frame.reserve(len + 3);
	frame.push_back(kReplyPreamble[0]);
	frame.push_back(kReplyPreamble[1]);
	frame.insert(frame.end(), payload, payload + len);
	frame.push_back(flags);
	const ByteSpan covered = ByteSpan(frame).subspan(2);
	frame.back() = std::uint8_t(flags | crc5_bits(covered, covered.size() * 8 - 5));
	return frame;
}

} // namespace

Bytes encode_reply(const RegisterReply &reply, std::size_t reply_len)
{
	check_reply_len(reply_len);
	std::uint8_t payload[8] = {}; // value, chip, reg, and two zero bytes when 11 long
	store_be32(payload, reply.value);
	payload[4] = reply.chip;
	payload[5] = reply.reg;
	return finish_reply(payload, reply_len - 3, 0);
}

Bytes encode_reply(const NonceReply &reply, std::size_t reply_len)
{
	check_reply_len(reply_len);
	const bool long_reply = reply_len == kRollingReplyLen;
	if (long_reply != reply.version_bits.has_value())
		throw std::invalid_argument(long_reply
		                                ? "an 11-byte nonce reply needs version bits"
		                                : "a 9-byte nonce reply cannot carry version bits");
	std::uint8_t payload[8] = {};
	store_le32(payload, reply.nonce);
	payload[4] = reply.excess_difficulty;
	payload[5] = reply.job_byte;
	if (long_reply) {
		payload[6] = std::uint8_t(*reply.version_bits >> 8);
		payload[7] = std::uint8_t(*reply.version_bits);
	}
	return finish_reply(payload, reply_len - 3, kNonceFlag);
}

} // namespace hashboard::bm13xx
