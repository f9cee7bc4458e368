// SPDX-License-Identifier: MIT
// SHA-256 compression with the x86 SHA extensions. Built with -msha -msse4.1 (see
// hal/CMakeLists.txt); sha256.cpp calls in here only after CPUID reports SHA, SSSE3 and
// SSE4.1.
//
// The instructions keep the eight working words in two registers, laid out as
// ABEF = {F, E, B, A} and CDGH = {H, G, D, C} (dword 0 first). SHA256RNDS2 runs two
// rounds from CDGH, ABEF and two W+K sums in the low dwords of its third operand and
// returns the new ABEF; the old ABEF is then the new CDGH. SHA256MSG1/MSG2 compute four
// schedule words at a time.
#if defined(HB_HAVE_SHANI)

#include "crypto/sha256_backends.hpp"

#include <immintrin.h>

namespace hashboard::sha256::detail {
namespace {

struct Lanes {
	__m128i abef;
	__m128i cdgh;
};

// The state array is {A..D}, {E..H} in dword order; the instructions want ABEF, CDGH.
[[gnu::always_inline]] inline Lanes to_lanes(__m128i abcd, __m128i efgh)
{
	// unpack gives {E, F, A, B} and {G, H, C, D}; 0xB1 swaps the dwords of each pair.
	return {_mm_shuffle_epi32(_mm_unpacklo_epi64(efgh, abcd), 0xB1),
	        _mm_shuffle_epi32(_mm_unpackhi_epi64(efgh, abcd), 0xB1)};
}
[[gnu::always_inline]] inline void from_lanes(const Lanes &l, __m128i &abcd, __m128i &efgh)
{
	const __m128i efab = _mm_shuffle_epi32(l.abef, 0xB1);
	const __m128i ghcd = _mm_shuffle_epi32(l.cdgh, 0xB1);
	abcd = _mm_unpackhi_epi64(efab, ghcd);
	efgh = _mm_unpacklo_epi64(efab, ghcd);
}

// Byte order within each dword reversed: message and digest words are big-endian.
[[gnu::always_inline]] inline __m128i byteswap_dwords(__m128i v)
{
	return _mm_shuffle_epi8(v,
	                        _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3));
}

[[gnu::always_inline]] inline __m128i load128(const void *p)
{
	return _mm_loadu_si128(static_cast<const __m128i *>(p));
}

// Rounds 4g..4g+3 with schedule words w = W[4g..4g+3]. The two registers swap roles
// after two rounds (cdgh briefly holds ABEF) and are back in place after four.
[[gnu::always_inline]] inline void four_rounds(Lanes &l, __m128i w, int g)
{
	__m128i wk = _mm_add_epi32(w, load128(&round_constants[4 * g]));
	l.cdgh = _mm_sha256rnds2_epu32(l.cdgh, l.abef, wk);
	wk = _mm_shuffle_epi32(wk, 0x0E); // the upper two sums down to the low dwords
	l.abef = _mm_sha256rnds2_epu32(l.abef, l.cdgh, wk);
}

// W[t..t+3] from W[t-16..t-13], W[t-12..t-9], W[t-8..t-5], W[t-4..t-1]:
// MSG1 adds sigma0 of the next word to each of the first four, alignr supplies
// W[t-7..t-4], MSG2 adds sigma1 of W[t-2], W[t-1] and of the words it has just made.
[[gnu::always_inline]] inline __m128i next_words(__m128i w16, __m128i w12, __m128i w8, __m128i w4)
{
	const __m128i partial =
	    _mm_add_epi32(_mm_sha256msg1_epu32(w16, w12), _mm_alignr_epi8(w4, w8, 4));
	return _mm_sha256msg2_epu32(partial, w4);
}

// All 64 rounds over W[0..15] = m0..m3, added into the lanes as the feed-forward.
[[gnu::always_inline]] inline void compress_block(Lanes &state, __m128i m0, __m128i m1, __m128i m2,
                                                  __m128i m3)
{
	Lanes l = state;
	four_rounds(l, m0, 0);
	four_rounds(l, m1, 1);
	four_rounds(l, m2, 2);
	four_rounds(l, m3, 3);
	for (int g = 4; g < 16; g += 4) {
		m0 = next_words(m0, m1, m2, m3);
		four_rounds(l, m0, g);
		m1 = next_words(m1, m2, m3, m0);
		four_rounds(l, m1, g + 1);
		m2 = next_words(m2, m3, m0, m1);
		four_rounds(l, m2, g + 2);
		m3 = next_words(m3, m0, m1, m2);
		four_rounds(l, m3, g + 3);
	}
	state.abef = _mm_add_epi32(state.abef, l.abef);
	state.cdgh = _mm_add_epi32(state.cdgh, l.cdgh);
}

[[gnu::always_inline]] inline Lanes load_state(const State &s)
{
	return to_lanes(load128(&s[0]), load128(&s[4]));
}

} // namespace

void compress_shani(State &state, const std::uint8_t *blocks, std::size_t n)
{
	Lanes l = load_state(state);
	for (std::size_t i = 0; i < n; ++i, blocks += 64)
		compress_block(
		    l, byteswap_dwords(load128(blocks)), byteswap_dwords(load128(blocks + 16)),
		    byteswap_dwords(load128(blocks + 32)), byteswap_dwords(load128(blocks + 48)));
	__m128i abcd, efgh;
	from_lanes(l, abcd, efgh);
	_mm_storeu_si128(reinterpret_cast<__m128i *>(&state[0]), abcd);
	_mm_storeu_si128(reinterpret_cast<__m128i *>(&state[4]), efgh);
}

Hash256 sha256d_tail_shani(const State &mid, const std::uint8_t *tail16)
{
	// _mm_set_epi32 lists dwords from 3 down to 0.
	const __m128i pad_first = _mm_set_epi32(0, 0, 0, int(pad_bit_word));
	const __m128i zero = _mm_setzero_si128();

	Lanes inner = load_state(mid);
	compress_block(inner, byteswap_dwords(load128(tail16)), pad_first, zero,
	               _mm_set_epi32(int(header_bit_length), 0, 0, 0));

	// The inner digest's words are the outer message words as they are: no byte swap.
	__m128i w0, w1;
	from_lanes(inner, w0, w1);
	Lanes outer = load_state(initial_words);
	compress_block(outer, w0, w1, pad_first, _mm_set_epi32(int(digest_bit_length), 0, 0, 0));

	__m128i abcd, efgh;
	from_lanes(outer, abcd, efgh);
	Hash256 out;
	_mm_storeu_si128(reinterpret_cast<__m128i *>(out.data()), byteswap_dwords(abcd));
	_mm_storeu_si128(reinterpret_cast<__m128i *>(out.data() + 16), byteswap_dwords(efgh));
	return out;
}

} // namespace hashboard::sha256::detail

#endif // HB_HAVE_SHANI
