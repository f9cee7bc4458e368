// SPDX-License-Identifier: MIT
#include <hbsim/physics.hpp>

#include "chip_model.hpp"
#include "sim_rng.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace hbsim {

double FrequencyLimitPhysics::wrong_nonce_probability(const ChipConditions &c) const
{
	if (limit_ <= 0 || c.freq_mhz <= limit_)
		return 0.0;
	return std::min(1.0, slope_ * (c.freq_mhz - limit_) / limit_);
}

namespace {

// Sized in docs/physics.md: f_ref = 1.25 x the family's nominal frequency at its usual
// voltage (a typical chip has a quarter of headroom, so a weak one still runs stock);
// C and leakage from the public J/TH of boards built on the chip.
const FamilyPhysics kBm1397{.v_ref_mv = 1300,
                            .f_ref_mhz = 531,
                            .v_th_mv = 700,
                            .alpha = 1.2,
                            .dyn_w_per_mhz_v2 = 0.0117,
                            .leak_w = 1.3};
const FamilyPhysics kBm1366{.v_ref_mv = 1200,
                            .f_ref_mhz = 606,
                            .v_th_mv = 700,
                            .alpha = 1.2,
                            .dyn_w_per_mhz_v2 = 0.0107,
                            .leak_w = 1.2};
const FamilyPhysics kBm1368{.v_ref_mv = 1200,
                            .f_ref_mhz = 612,
                            .v_th_mv = 700,
                            .alpha = 1.2,
                            .dyn_w_per_mhz_v2 = 0.0126,
                            .leak_w = 1.4};
const FamilyPhysics kBm1370{.v_ref_mv = 1150,
                            .f_ref_mhz = 656,
                            .v_th_mv = 700,
                            .alpha = 1.2,
                            .dyn_w_per_mhz_v2 = 0.017,
                            .leak_w = 2.0};

// Weak chips: at most one in eight, so a short chain (a Bitaxe, a test's four chips)
// has none unless it asks.
unsigned weak_count(const ProcessSpec &spec, unsigned chips)
{
	return std::min(spec.weak_chips, chips / 8);
}

} // namespace

const FamilyPhysics &family_physics(std::string_view family)
{
	if (family == "bm1397")
		return kBm1397;
	if (family == "bm1366")
		return kBm1366;
	if (family == "bm1368")
		return kBm1368;
	if (family == "bm1370")
		return kBm1370;
	throw std::invalid_argument("physics: no figures for chip '" + std::string(family) + "'");
}

double chip_hashes_per_second(std::string_view family, double mhz)
{
	return detail::chip_model(family).hashes_per_second(mhz);
}

ProcessPhysics::ProcessPhysics(std::string_view family, const ProcessSpec &spec, std::uint64_t seed,
                               unsigned chips)
    : family_(family_physics(family)), spec_(spec),
      dyn_(spec.dyn_w_per_mhz_v2 > 0 ? spec.dyn_w_per_mhz_v2 : family_.dyn_w_per_mhz_v2),
      leak_(spec.leak_w >= 0 ? spec.leak_w : family_.leak_w),
      log_odds_(std::log(1.0 / kStableErrorRate - 1.0))
{
	if (!(spec.error_width > 0) || !(spec.spread >= 0))
		throw std::invalid_argument("physics: error width must be > 0, spread >= 0");
	traits_.reserve(chips);
	for (unsigned pos = 0; pos < chips; ++pos) {
		detail::Rng rng(seed, detail::RngPurpose::process, pos);
		const double z = std::clamp(rng.normal(), -3.0, 3.0);
		traits_.push_back({1.0 + spec.spread * z, 1.0, false});
	}
	// The weak chips' places: drawn one by one from the positions not yet taken.
	detail::Rng pick(seed, detail::RngPurpose::process, std::uint64_t(chips) + 1);
	for (unsigned k = weak_count(spec, chips); k > 0; --k) {
		unsigned pos = unsigned(pick.below(chips));
		while (traits_[pos].weak)
			pos = (pos + 1) % chips;
		traits_[pos].weak = true;
		traits_[pos].speed = spec.weak_speed + 0.03 * (2.0 * pick.uniform() - 1.0);
	}
	// Fast silicon leaks more: e-fold per +33 % of speed (a guess, docs/physics.md).
	for (auto &t : traits_)
		t.leak = std::exp(3.0 * (t.speed - 1.0));
	floor_.assign(chips, 0.0);
	for (const auto &f : spec.error_floors) {
		if (f.position >= chips || !(f.rate >= 0 && f.rate <= 1))
			throw std::invalid_argument("physics: error floor at position " +
			                            std::to_string(f.position) + " of " +
			                            std::to_string(chips) + " chips, rate 0..1");
		floor_[f.position] = std::max(floor_[f.position], f.rate);
	}
}

double ProcessPhysics::stable_mhz(unsigned position, double mv, double tc) const
{
	const FamilyPhysics &f = family_;
	if (mv <= f.v_th_mv)
		return 0.0;
	const double volt = std::pow((mv - f.v_th_mv) / (f.v_ref_mv - f.v_th_mv), f.alpha);
	const double temp = std::max(0.0, 1.0 - f.temp_coeff * (tc - f.t_ref_c));
	return traits(position).speed * f.f_ref_mhz * volt * temp;
}

double ProcessPhysics::max_mhz_at_error(unsigned position, double mv, double tc, double p) const
{
	// Inverts the logistic of wrong_nonce_probability.
	const double fs = stable_mhz(position, mv, tc);
	const double x = spec_.error_width * (log_odds_ - std::log(1.0 / p - 1.0));
	double f = fs * (1.0 + x);
	if (spec_.fault_limit_mhz > 0)
		f = std::min(f, spec_.fault_limit_mhz * (1.0 + p / spec_.fault_slope));
	return std::max(0.0, f);
}

double ProcessPhysics::wrong_nonce_probability(const ChipConditions &c) const
{
	if (c.freq_mhz <= 0)
		return 0.0;
	const double fs = stable_mhz(c.position, c.voltage_mv, c.temperature_c);
	double p = 1.0;
	if (fs > 0) {
		// A logistic in f / f_stable: kStableErrorRate at f_stable, steep past it.
		const double z = log_odds_ - (c.freq_mhz / fs - 1.0) / spec_.error_width;
		p = z > 700 ? 0.0 : 1.0 / (1.0 + std::exp(z));
	}
	if (spec_.fault_limit_mhz > 0 && c.freq_mhz > spec_.fault_limit_mhz) {
		const double q =
		    std::min(1.0, spec_.fault_slope * (c.freq_mhz - spec_.fault_limit_mhz) /
		                      spec_.fault_limit_mhz);
		p = 1.0 - (1.0 - p) * (1.0 - q);
	}
	if (c.position < floor_.size())
		p = 1.0 - (1.0 - p) * (1.0 - floor_[c.position]);
	return p;
}

double ProcessPhysics::leakage_w(unsigned position, double mv, double tc) const
{
	if (mv <= 0)
		return 0.0;
	const FamilyPhysics &f = family_;
	// Past 150 C the silicon is gone; the cap keeps a runaway finite for the safety
	// supervisor to trip on.
	tc = std::min(tc, 150.0);
	return leak_ * traits(position).leak * std::exp((mv - f.v_ref_mv) / f.leak_mv_per_e) *
	       std::exp2((tc - f.t_ref_c) / f.leak_doubling_c);
}

double ProcessPhysics::power_w(const ChipConditions &c) const
{
	if (c.voltage_mv <= 0)
		return 0.0;
	const double v = c.voltage_mv / 1000.0;
	return dyn_ * v * v * std::max(0.0, c.freq_mhz) +
	       leakage_w(c.position, c.voltage_mv, c.temperature_c);
}

LiveConditions::LiveConditions(unsigned chips, double mv, double tc)
    : mv_(chips, mv), tc_(chips, tc)
{
}

void LiveConditions::set(unsigned pos, double mv, double tc)
{
	std::lock_guard lock(mutex_);
	if (mv_.at(pos) == mv && tc_.at(pos) == tc)
		return;
	mv_[pos] = mv;
	tc_[pos] = tc;
	generation_.fetch_add(1, std::memory_order_release);
}

double LiveConditions::voltage_mv(unsigned pos) const
{
	std::lock_guard lock(mutex_);
	return mv_.at(pos);
}

double LiveConditions::temperature_c(unsigned pos) const
{
	std::lock_guard lock(mutex_);
	return tc_.at(pos);
}

} // namespace hbsim
