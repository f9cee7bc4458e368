// SPDX-License-Identifier: MIT
#include <hashboard/chip_family.hpp>

#include <cmath>

namespace hashboard {
namespace {

// PLL0 register layout: bit 30 enable, bit 28 VCO high range, FBDIV [27:16],
// REFDIV [13:8], POSTDIV1-1 [6:4], POSTDIV2-1 [2:0].
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

} // namespace

std::optional<PllSetting> pll_for_frequency(const ChipFamily &family, double freq_mhz)
{
	const PllLimits &l = family.pll;
	if (!(freq_mhz >= l.freq_min_mhz && freq_mhz <= l.freq_max_mhz))
		return std::nullopt;
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
					const double err = std::fabs(s.freq_mhz(l.ref_mhz) - freq_mhz);
					const double vco = s.vco_mhz(l.ref_mhz);
					if (!best || err < best_err - 1e-9 ||
					    (std::fabs(err - best_err) <= 1e-9 && vco < best_vco)) {
						best = s;
						best_err = err;
						best_vco = vco;
					}
				}
			}
	return best;
}

std::uint32_t pll_register_value(const ChipFamily &family, const PllSetting &pll)
{
	std::uint32_t v = kPllEnable;
	if (pll.vco_mhz(family.pll.ref_mhz) >= family.pll.vco_high_range_mhz)
		v |= kPllVcoHigh;
	v |= (pll.fbdiv & 0xFFFu) << 16;
	v |= (pll.refdiv & 0x3Fu) << 8;
	v |= ((pll.postdiv1 - 1) & 0x7u) << 4;
	v |= (pll.postdiv2 - 1) & 0x7u;
	return v;
}

std::optional<PllSetting> pll_from_register(const ChipFamily &family, std::uint32_t value)
{
	if (!(value & kPllEnable))
		return std::nullopt;
	const PllSetting s{(value >> 16) & 0xFFFu, (value >> 8) & 0x3Fu, ((value >> 4) & 0x7u) + 1,
			   (value & 0x7u) + 1};
	if (s.refdiv == 0 || !within(family.pll, s))
		return std::nullopt;
	return s;
}

} // namespace hashboard
