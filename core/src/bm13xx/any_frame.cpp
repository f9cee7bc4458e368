// SPDX-License-Identifier: MIT
// Encoding a decoded frame whatever its kind: for the parsers' round trips (tests, fuzz
// targets) and the tools that re-send what they read.
#include <hashboard/bm13xx/codec.hpp>

#include <type_traits>

namespace hashboard::bm13xx {

Bytes encode_host_frame(const HostFrame &frame)
{
	return std::visit(
	    [](const auto &f) -> Bytes {
		    using T = std::decay_t<decltype(f)>;
		    if constexpr (std::is_same_v<T, SetAddress>)
			    return encode_set_address(f.address);
		    else if constexpr (std::is_same_v<T, WriteRegister>)
			    return encode_write_register(f.all, f.chip, f.reg, f.value);
		    else if constexpr (std::is_same_v<T, ReadRegister>)
			    return encode_read_register(f.all, f.chip, f.reg);
		    else if constexpr (std::is_same_v<T, ChainInactive>)
			    return encode_chain_inactive();
		    else
			    return encode_job(f);
	    },
	    frame);
}

Bytes encode_reply(const ChipFrame &reply, std::size_t reply_len)
{
	return std::visit([&](const auto &r) { return encode_reply(r, reply_len); }, reply);
}

} // namespace hashboard::bm13xx
