// SPDX-License-Identifier: MIT
//
// Seeded randomness for the simulator. Every purpose (wire bit errors, garbage bytes,
// wrong nonces) has its own generator, so turning one fault on never shifts the random
// stream of another, and a run replays exactly for the same seed. Draws are done here
// rather than with <random> distributions, whose output differs between standard
// libraries.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace hbsim::detail {

enum class RngPurpose : std::uint64_t {
	wire_errors = 0x7769726565727273, // "wireerrs"
	garbage = 0x67617262616765ff,
	wrong_nonces = 0x77726f6e676e6f6e,
	process = 0x70726f6365737373, // the chips' hidden process factors
};

// splitmix64 finaliser: spreads nearby seeds (1, 2, 3...) over the whole state.
constexpr std::uint64_t mix64(std::uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

class Rng {
public:
	Rng(std::uint64_t seed, RngPurpose purpose, std::uint64_t index = 0)
	    : gen_(mix64(mix64(seed ^ std::uint64_t(purpose)) + index))
	{
	}
	std::uint64_t next() { return gen_(); }
	std::uint8_t byte() { return std::uint8_t(gen_() >> 56); }
	// Uniform in [0, 1).
	double uniform() { return double(gen_() >> 11) * 0x1.0p-53; }
	// Standard normal (Box-Muller on two uniforms: the same on every standard library).
	double normal()
	{
		const double u = 1.0 - uniform(); // (0, 1]
		const double v = uniform();
		return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
	}
	bool chance(double p) { return p > 0 && (p >= 1 || uniform() < p); }
	// Uniform in [0, n), n > 0 (the modulo bias is below 2^-40 for the sizes used here).
	std::uint64_t below(std::uint64_t n) { return gen_() % n; }
	// Successes before the first failure for per-trial failure probability p (0 < p):
	// how many intact bits pass before the next bit error.
	std::uint64_t geometric_gap(double p)
	{
		if (p >= 1)
			return 0;
		const double u = 1.0 - uniform(); // (0, 1]
		const double gap = std::floor(std::log(u) / std::log1p(-p));
		constexpr double kCap = 0x1.0p62;
		return gap >= kCap ? std::uint64_t(kCap) : std::uint64_t(gap);
	}

private:
	std::mt19937_64 gen_;
};

} // namespace hbsim::detail
