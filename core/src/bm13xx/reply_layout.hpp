// SPDX-License-Identifier: MIT
// What the reply encoders and the reply parser share about a reply's bytes.
#pragma once

#include <hashboard/bm13xx/wire.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace hashboard::bm13xx::detail {

// LAST bit 7: a nonce reply, not a register reply.
inline constexpr std::uint8_t kNonceFlag = 0x80;

inline void check_reply_len(std::size_t reply_len)
{
	if (reply_len != kReplyLen && reply_len != kRollingReplyLen)
		throw std::invalid_argument("reply length must be " + std::to_string(kReplyLen) +
		                            " or " + std::to_string(kRollingReplyLen) + ", not " +
		                            std::to_string(reply_len));
}

} // namespace hashboard::bm13xx::detail
