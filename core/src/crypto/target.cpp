// SPDX-License-Identifier: MIT
// 256-bit targets: compact nBits, difficulty, and how hashes compare against them.
#include <hashboard/target.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace hashboard {
namespace {

constexpr int limb_bits = 32;

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

U256 all_ones()
{
	U256 r;
	r.w.fill(0xffffffff);
	return r;
}

// v << shift for v below 2^32 and shift below 256; bits beyond 2^256 are the caller's
// concern (target_from_nbits rejects them first).
U256 shifted(std::uint64_t v, unsigned shift)
{
	U256 r;
	const unsigned limb = shift / limb_bits;
	const std::uint64_t wide = v << (shift % limb_bits);
	if (limb < 8)
		r.w[limb] = std::uint32_t(wide);
	if (limb + 1 < 8)
		r.w[limb + 1] = std::uint32_t(wide >> 32);
	return r;
}

} // namespace

U256 U256::from_hash(const Hash256 &hash)
{
	U256 r;
	for (std::size_t i = 0; i < r.w.size(); ++i)
		r.w[i] = load_le32(hash.data() + 4 * i);
	return r;
}

U256 U256::from_hex(const std::string &hex)
{
	std::string_view digits = hex;
	if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
		digits.remove_prefix(2);
	if (digits.empty() || digits.size() > 64)
		throw std::invalid_argument("U256::from_hex: want 1 to 64 hex digits, got \"" +
		                            hex + "\"");
	U256 r;
	// The last digit is the least significant nibble.
	for (std::size_t i = 0; i < digits.size(); ++i) {
		const int d = hex_digit(digits[digits.size() - 1 - i]);
		if (d < 0)
			throw std::invalid_argument("U256::from_hex: invalid character at offset " +
			                            std::to_string(hex.size() - 1 - i) + " in \"" +
			                            hex + "\"");
		r.w[i / 8] |= std::uint32_t(d) << (4 * (i % 8));
	}
	return r;
}

std::string U256::to_hex() const
{
	static constexpr char digits[] = "0123456789abcdef";
	std::string out(64, '0');
	for (std::size_t i = 0; i < 64; ++i)
		out[63 - i] = digits[(w[i / 8] >> (4 * (i % 8))) & 0xf];
	return out;
}

double U256::to_double() const
{
	double r = 0.0;
	for (int i = 7; i >= 0; --i)
		r = r * 4294967296.0 + double(w[std::size_t(i)]);
	return r;
}

// Compact form (as Bitcoin serialises nBits): exponent byte = size of the value in bytes,
// then a 23-bit mantissa and a sign bit. Value = mantissa * 256^(exponent - 3).
U256 target_from_nbits(std::uint32_t nbits)
{
	const unsigned exponent = nbits >> 24;
	const std::uint32_t mantissa = nbits & 0x007fffff;
	const bool sign = (nbits & 0x00800000) != 0;
	if (mantissa == 0)
		return U256{};
	if (sign)
		throw std::invalid_argument("target_from_nbits: negative compact value " +
		                            std::to_string(nbits));
	// Overflow when the mantissa's top byte would sit above bit 255.
	const unsigned mantissa_bytes = mantissa > 0xffff ? 3 : mantissa > 0xff ? 2 : 1;
	if (exponent > 32 + 3 - mantissa_bytes)
		throw std::invalid_argument("target_from_nbits: compact value " +
		                            std::to_string(nbits) + " overflows 256 bits");
	if (exponent <= 3)
		return shifted(mantissa >> (8 * (3 - exponent)), 0);
	return shifted(mantissa, 8 * (exponent - 3));
}

U256 difficulty1_target()
{
	return shifted(0xffff, 208);
}

// floor(difficulty1_target / difficulty), exactly: the double is split into an integer
// mantissa m < 2^53 and a power of two, and 0xFFFF * 2^(208 - e) is divided by m by long
// division, so integer difficulties up to 2^53 and any fraction come out exact.
U256 target_from_difficulty(double difficulty)
{
	if (!std::isfinite(difficulty) || !(difficulty > 0.0))
		throw std::invalid_argument(
		    "target_from_difficulty: difficulty must be finite and > 0, got " +
		    std::to_string(difficulty));
	int exp2 = 0;
	const double fraction = std::frexp(difficulty, &exp2);
	constexpr int mantissa_bits = std::numeric_limits<double>::digits;
	const auto m = static_cast<std::uint64_t>(std::ldexp(fraction, mantissa_bits));
	const int shift = 208 - (exp2 - mantissa_bits); // target = floor(0xFFFF * 2^shift / m)

	if (shift < 0) {
		// floor(floor(a / 2^k) / m) == floor(a / (2^k * m)).
		if (-shift >= 16)
			return U256{};
		return shifted((0xffffu >> -shift) / m, 0);
	}

	// Wide enough for any numerator whose quotient can still fit in 256 bits.
	constexpr int num_limbs = 16;
	if (shift + 16 > num_limbs * limb_bits)
		return all_ones();
	std::array<std::uint32_t, num_limbs> num{};
	const std::uint64_t top = std::uint64_t(0xffff) << (shift % limb_bits);
	const int limb = shift / limb_bits;
	num[std::size_t(limb)] = std::uint32_t(top);
	if (limb + 1 < num_limbs)
		num[std::size_t(limb) + 1] = std::uint32_t(top >> 32);

	std::array<std::uint32_t, num_limbs> quotient{};
	unsigned __int128 remainder = 0;
	for (int i = num_limbs - 1; i >= 0; --i) {
		remainder = remainder << limb_bits | num[std::size_t(i)];
		quotient[std::size_t(i)] = std::uint32_t(remainder / m);
		remainder %= m;
	}
	for (std::size_t i = 8; i < num_limbs; ++i)
		if (quotient[i] != 0)
			return all_ones(); // so easy that every hash meets it
	U256 r;
	std::copy_n(quotient.begin(), 8, r.w.begin());
	return r;
}

double hash_difficulty(const Hash256 &hash)
{
	const double h = U256::from_hash(hash).to_double();
	if (h == 0.0)
		return std::numeric_limits<double>::infinity();
	return difficulty1_target().to_double() / h;
}

bool hash_meets(const Hash256 &hash, const U256 &target)
{
	return U256::from_hash(hash) <= target;
}

int hash_leading_zeros(const Hash256 &hash)
{
	const U256 v = U256::from_hash(hash);
	int zeros = 0;
	for (int i = 7; i >= 0; --i) {
		const std::uint32_t limb = v.w[std::size_t(i)];
		if (limb != 0)
			return zeros + std::countl_zero(limb);
		zeros += limb_bits;
	}
	return zeros;
}

std::string hash_display_hex(const Hash256 &hash)
{
	Hash256 reversed;
	std::copy(hash.rbegin(), hash.rend(), reversed.begin());
	return to_hex(reversed);
}

} // namespace hashboard
