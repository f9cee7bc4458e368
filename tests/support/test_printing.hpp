// SPDX-License-Identifier: MIT
// How Boost.Test shows the HAL's values in failure messages, for every test that
// compares them.
#pragma once

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/nonce_checker.hpp>

#include <ostream>

namespace hashboard::bm13xx {
inline std::ostream &operator<<(std::ostream &os, const ParserStats &s)
{
	return os << "{frames " << s.frames << ", crc_errors " << s.crc_errors << ", junk "
	          << s.junk_bytes << ", bad " << s.bad_frames << "}";
}
} // namespace hashboard::bm13xx

namespace hashboard {
inline std::ostream &operator<<(std::ostream &os, NonceVerdict v)
{
	return os << verdict_name(v);
}
} // namespace hashboard
