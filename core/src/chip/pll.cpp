// SPDX-License-Identifier: MIT
#include <hashboard/chip_family.hpp>

#include <cmath>

namespace hashboard {
namespace {

// PLL0 register layout (skot's pll_parameter notes): bit 30 enable, flag byte [31:24]
// (0x40, or 0x50 with the VCO-high bit 28 on BM1366+), FBDIV [27:16], REFDIV [13:8],
// POSTDIV1 [6:4], POSTDIV2 [2:0] (minus one on BM1366+, raw on BM1397).
constexpr std::uint32_t kPllEnable = 1u << 30;
constexpr std::uint32_t kPllVcoHigh = 1u << 28;

bool within(const PllLimits &l, const PllSetting &s)
{
	const double vco = s.vco_mhz(l.ref_mhz);
	return s.fbdiv >= l.fbdiv_min && s.fbdiv <= l.fbdiv_max && s.refdiv >= l.refdiv_min &&
	       s.refdiv <= l.refdiv_max && s.postdiv1 >= l.postdiv_min &&
	       s.postdiv1 <= l.postdiv_max && s.postdiv2 >= l.postdiv_min &&
	       s.postdiv2 <= s.postdiv1 && vco >= l.vco_min_mhz && vco <= l.vco_max_mhz;
}

std::optional<PllSetting> lowest_vco(const PllLimits &l, double freq_mhz)
{
	std::optional<PllSetting> best;
	double best_err = 0, best_vco = 0;
	// The search space is a few thousand settings: exhaustive is simplest and exact.
	for (unsigned refdiv = l.refdiv_min; refdiv <= l.refdiv_max; ++refdiv)
		for (unsigned p1 = l.postdiv_min; p1 <= l.postdiv_max; ++p1)
			for (unsigned p2 = l.postdiv_min; p2 <= p1; ++p2) {
				const double fb = freq_mhz * refdiv * p1 * p2 / l.ref_mhz;
				for (double cand : {std::floor(fb), std::ceil(fb)}) {
					const PllSetting s{unsigned(cand), refdiv, p1, p2};
					if (!within(l, s))
						continue;
					const double err =
					    std::fabs(s.freq_mhz(l.ref_mhz) - freq_mhz);
					const double vco = s.vco_mhz(l.ref_mhz);
					// On a tie the larger POSTDIV1 (S21 Pro: 600 MHz as 4 x 1,
					// 0x50C00230, not 2 x 2).
					const bool same_err = std::fabs(err - best_err) <= 1e-9;
					const bool same_vco = std::fabs(vco - best_vco) <= 1e-9;
					if (!best || err < best_err - 1e-9 ||
					    (same_err && vco < best_vco - 1e-9) ||
					    (same_err && same_vco && p1 > best->postdiv1)) {
						best = s;
						best_err = err;
						best_vco = vco;
					}
				}
			}
	return best;
}

std::optional<PllSetting> first_within_1mhz(const PllLimits &l, double freq_mhz)
{
	// No VCO band: that firmware bounded FBDIV only.
	for (unsigned refdiv = l.refdiv_max; refdiv >= l.refdiv_min && refdiv > 0; --refdiv)
		for (unsigned p1 = l.postdiv_max; p1 >= l.postdiv_min && p1 > 0; --p1)
			for (unsigned p2 = p1; p2 >= l.postdiv_min && p2 > 0; --p2) {
				const double fb =
				    std::ceil(freq_mhz * refdiv * p1 * p2 / l.ref_mhz - 1e-9);
				if (fb < l.fbdiv_min || fb > l.fbdiv_max)
					continue;
				const PllSetting s{unsigned(fb), refdiv, p1, p2};
				// Never a word outside the family's VCO band, where the PLL does
				// not lock (REFDIV 1 puts every FBDIV above 3200 MHz).
				const double vco = s.vco_mhz(l.ref_mhz);
				if (vco < l.vco_min_mhz || vco > l.vco_max_mhz)
					continue;
				if (std::fabs(s.freq_mhz(l.ref_mhz) - freq_mhz) < 1.0)
					return s;
			}
	return std::nullopt;
}

} // namespace

std::optional<PllSetting> pll_for_frequency(const ChipFamily &family, double freq_mhz,
                                            PllSolver solver)
{
	const PllLimits &l = family.pll;
	if (!(freq_mhz >= l.freq_min_mhz && freq_mhz <= l.freq_max_mhz))
		return std::nullopt;
	if (solver == PllSolver::first_within_1mhz)
		if (const auto s = first_within_1mhz(l, freq_mhz))
			return s;
	// Off ESP-Miner's grid (nothing within 1 MHz in the band): the closest in-band word.
	return lowest_vco(l, freq_mhz);
}

std::uint32_t pll_register_value(const ChipFamily &family, const PllSetting &pll)
{
	const PllLimits &l = family.pll;
	std::uint32_t v = kPllEnable;
	if (l.has_vco_range_flag && pll.vco_mhz(l.ref_mhz) >= l.vco_high_range_mhz)
		v |= kPllVcoHigh;
	const unsigned bias = l.postdiv_minus_one ? 1 : 0;
	v |= (pll.fbdiv & 0xFFFu) << 16;
	v |= (pll.refdiv & 0x3Fu) << 8;
	v |= ((pll.postdiv1 - bias) & 0x7u) << 4;
	v |= (pll.postdiv2 - bias) & 0x7u;
	return v;
}

std::optional<PllSetting> pll_from_register(const ChipFamily &family, std::uint32_t value)
{
	if (!(value & kPllEnable))
		return std::nullopt;
	const unsigned bias = family.pll.postdiv_minus_one ? 1 : 0;
	const PllSetting s{(value >> 16) & 0xFFFu, (value >> 8) & 0x3Fu,
	                   ((value >> 4) & 0x7u) + bias, (value & 0x7u) + bias};
	if (s.refdiv == 0 || s.postdiv1 == 0 || s.postdiv2 == 0)
		return std::nullopt;
	return s;
}

} // namespace hashboard
