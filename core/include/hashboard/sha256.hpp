// SPDX-License-Identifier: MIT
#pragma once

#include <hashboard/bytes.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace hashboard::sha256 {

// The eight working words of SHA-256 (FIPS 180-4 H0..H7).
using State = std::array<std::uint32_t, 8>;

// Compression back-ends. The best one the CPU supports is chosen once, at first use;
// tests and benchmarks may pin one with use_impl().
enum class Impl { portable, shani };

bool impl_supported(Impl impl);
Impl active_impl();
// Throws std::invalid_argument if the CPU lacks the implementation.
void use_impl(Impl impl);
std::string_view impl_name(Impl impl);

State initial_state();
// Compress n consecutive 64-byte blocks into state, with the active implementation.
void compress(State &state, const std::uint8_t *blocks, std::size_t n);
// The same through one implementation explicitly (tests and bench compare them).
void compress_with(Impl impl, State &state, const std::uint8_t *blocks, std::size_t n);

// State words serialised big-endian (the digest byte order).
Hash256 state_bytes(const State &state);

// One-shot SHA-256 and SHA-256d of any message.
Hash256 digest(ByteSpan message);
Hash256 sha256d(ByteSpan message);

// Incremental hashing for long messages (the million-'a' vector, coinbases).
class Hasher {
public:
	Hasher();
	void update(ByteSpan data);
	Hash256 finish();

private:
	State state_;
	std::array<std::uint8_t, 64> buf_{};
	std::size_t buf_len_ = 0;
	std::uint64_t total_ = 0;
};

// Bitcoin header helpers. The header is the 80 serialised bytes as they are hashed.
using Header = std::array<std::uint8_t, 80>;

// SHA-256 state after the header's first 64 bytes.
State midstate(const Header &header);
// SHA-256d of a header given its midstate and bytes 64..79 (tail12 + nonce):
// the second-block compression plus the second SHA-256; what nonce checking costs.
Hash256 sha256d_from_midstate(const State &mid, const std::uint8_t *tail16);
Hash256 sha256d_header(const Header &header);

} // namespace hashboard::sha256
