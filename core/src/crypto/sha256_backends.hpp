// SPDX-License-Identifier: MIT
// Private to hashboard-core: what the SHA-256 back-ends share with the dispatcher.
#pragma once

#include <hashboard/sha256.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

namespace hashboard::sha256::detail {

// FIPS 180-4 section 4.2.2.
inline constexpr std::array<std::uint32_t, 64> round_constants{
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4 section 5.3.3.
inline constexpr State initial_words{
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

// Padding words of the two fixed-length blocks in a header's SHA-256d: the header's
// second block holds 16 message bytes (640 bits in all), the outer hash a 32-byte
// digest (256 bits). Both are one block, so the '1' bit lands in the word after the data.
inline constexpr std::uint32_t pad_bit_word = 0x80000000;
inline constexpr std::uint32_t header_bit_length = 80 * 8;
inline constexpr std::uint32_t digest_bit_length = 32 * 8;

void compress_portable(State &state, const std::uint8_t *blocks, std::size_t n);
Hash256 sha256d_tail_portable(const State &mid, const std::uint8_t *tail16);

#if defined(HB_HAVE_SHANI)
// Only call after the CPUID check in sha256.cpp: these execute SHA and SSE4.1 instructions.
void compress_shani(State &state, const std::uint8_t *blocks, std::size_t n);
Hash256 sha256d_tail_shani(const State &mid, const std::uint8_t *tail16);
#endif

} // namespace hashboard::sha256::detail
