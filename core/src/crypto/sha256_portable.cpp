// SPDX-License-Identifier: MIT
// Portable SHA-256 compression (FIPS 180-4 section 6.2.2), plain C++ for any CPU.
#include "crypto/sha256_backends.hpp"

#include <hashboard/bytes.hpp>

#include <bit>

namespace hashboard::sha256::detail {
namespace {

using Words = std::array<std::uint32_t, 16>;

constexpr std::uint32_t big_sigma0(std::uint32_t x)
{
	return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22);
}
constexpr std::uint32_t big_sigma1(std::uint32_t x)
{
	return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25);
}
constexpr std::uint32_t small_sigma0(std::uint32_t x)
{
	return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3);
}
constexpr std::uint32_t small_sigma1(std::uint32_t x)
{
	return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10);
}
// Ch and Maj in forms with one operation fewer than the textbook ones.
constexpr std::uint32_t choose(std::uint32_t e, std::uint32_t f, std::uint32_t g)
{
	return g ^ (e & (f ^ g));
}
constexpr std::uint32_t majority(std::uint32_t a, std::uint32_t b, std::uint32_t c)
{
	return (a & b) | (c & (a | b));
}

// One round. The caller rotates the argument order instead of moving eight words each
// round: only d (the new e) and h (the new a) change.
[[gnu::always_inline]] inline void one_round(std::uint32_t a, std::uint32_t b, std::uint32_t c,
                                             std::uint32_t &d, std::uint32_t e, std::uint32_t f,
                                             std::uint32_t g, std::uint32_t &h,
                                             std::uint32_t k_plus_w)
{
	const std::uint32_t t1 = h + big_sigma1(e) + choose(e, f, g) + k_plus_w;
	d += t1;
	h = t1 + big_sigma0(a) + majority(a, b, c);
}

// W[t] for t >= 16 over a 16-word ring.
[[gnu::always_inline]] inline std::uint32_t schedule(Words &w, int t)
{
	w[t & 15] +=
	    small_sigma1(w[(t - 2) & 15]) + w[(t - 7) & 15] + small_sigma0(w[(t - 15) & 15]);
	return w[t & 15];
}

// Always inlined so that the fixed-length callers below get their constant padding
// words folded into the schedule.
[[gnu::always_inline]] inline void compress_block(State &s, Words w)
{
	std::uint32_t a = s[0], b = s[1], c = s[2], d = s[3];
	std::uint32_t e = s[4], f = s[5], g = s[6], h = s[7];
	const auto &k = round_constants;
	for (int t = 0; t < 16; t += 8) {
		one_round(a, b, c, d, e, f, g, h, k[t + 0] + w[t + 0]);
		one_round(h, a, b, c, d, e, f, g, k[t + 1] + w[t + 1]);
		one_round(g, h, a, b, c, d, e, f, k[t + 2] + w[t + 2]);
		one_round(f, g, h, a, b, c, d, e, k[t + 3] + w[t + 3]);
		one_round(e, f, g, h, a, b, c, d, k[t + 4] + w[t + 4]);
		one_round(d, e, f, g, h, a, b, c, k[t + 5] + w[t + 5]);
		one_round(c, d, e, f, g, h, a, b, k[t + 6] + w[t + 6]);
		one_round(b, c, d, e, f, g, h, a, k[t + 7] + w[t + 7]);
	}
	for (int t = 16; t < 64; t += 8) {
		one_round(a, b, c, d, e, f, g, h, k[t + 0] + schedule(w, t + 0));
		one_round(h, a, b, c, d, e, f, g, k[t + 1] + schedule(w, t + 1));
		one_round(g, h, a, b, c, d, e, f, k[t + 2] + schedule(w, t + 2));
		one_round(f, g, h, a, b, c, d, e, k[t + 3] + schedule(w, t + 3));
		one_round(e, f, g, h, a, b, c, d, k[t + 4] + schedule(w, t + 4));
		one_round(d, e, f, g, h, a, b, c, k[t + 5] + schedule(w, t + 5));
		one_round(c, d, e, f, g, h, a, b, k[t + 6] + schedule(w, t + 6));
		one_round(b, c, d, e, f, g, h, a, k[t + 7] + schedule(w, t + 7));
	}
	s[0] += a;
	s[1] += b;
	s[2] += c;
	s[3] += d;
	s[4] += e;
	s[5] += f;
	s[6] += g;
	s[7] += h;
}

} // namespace

void compress_portable(State &state, const std::uint8_t *blocks, std::size_t n)
{
	for (std::size_t i = 0; i < n; ++i, blocks += 64) {
		Words w;
		for (int t = 0; t < 16; ++t)
			w[t] = load_be32(blocks + 4 * t);
		compress_block(state, w);
	}
}

Hash256 sha256d_tail_portable(const State &mid, const std::uint8_t *tail16)
{
	State inner = mid;
	const Words second_block{load_be32(tail16),
	                         load_be32(tail16 + 4),
	                         load_be32(tail16 + 8),
	                         load_be32(tail16 + 12),
	                         pad_bit_word,
	                         0,
	                         0,
	                         0,
	                         0,
	                         0,
	                         0,
	                         0,
	                         0,
	                         0,
	                         0,
	                         header_bit_length};
	compress_block(inner, second_block);
	State outer = initial_words;
	const Words digest_block{
	    inner[0], inner[1],         inner[2], inner[3], inner[4], inner[5], inner[6],
	    inner[7], pad_bit_word,     0,        0,        0,        0,        0,
	    0,        digest_bit_length};
	compress_block(outer, digest_block);
	Hash256 out;
	for (int i = 0; i < 8; ++i)
		store_be32(out.data() + 4 * i, outer[i]);
	return out;
}

} // namespace hashboard::sha256::detail
