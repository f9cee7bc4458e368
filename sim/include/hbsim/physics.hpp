// SPDX-License-Identifier: MIT
//
// The chips' physics (docs/physics.md): each chip has its own stable frequency as a
// function of voltage and temperature, scaled by a process factor drawn from the seed and
// its position (fast and slow chips, a few weak ones); past it, wrong nonces rise on a
// steep logistic curve; it draws P = C V^2 f + leakage(V, T). The per-chip factors are
// the model's hidden parameters: only the simulator and the oracle (tests, benches) may
// read them, never a tuner, which sees what a real board shows.
#pragma once

#include <hbsim/sim_chain.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

namespace hbsim {

// A family's typical chip. f_stable(V, T) = speed * f_ref * ((V - V_th)/(V_ref - V_th))^alpha
// * (1 - temp_coeff * (T - t_ref)); leakage(V, T) = leak_w * leak_factor *
// exp((V - V_ref) / leak_mv_per_e) * 2^((T - t_ref) / leak_doubling_c).
struct FamilyPhysics {
	double v_ref_mv;         // the family's usual core voltage
	double f_ref_mhz;        // a typical chip's stable frequency at v_ref, t_ref
	double v_th_mv;          // where the stable frequency would fall to 0
	double alpha;            // of the alpha-power law
	double dyn_w_per_mhz_v2; // C of P = C V^2 f
	double leak_w;           // a typical chip's leakage at v_ref, t_ref
	double t_ref_c = 60;
	double temp_coeff = 0.002;   // f_stable lost per degree C above t_ref
	double leak_mv_per_e = 250;  // leakage grows e-fold per this many mV
	double leak_doubling_c = 25; // and doubles per this many degrees C
};
// The model's figures for "bm1397", "bm1366", "bm1368", "bm1370" (std::invalid_argument
// otherwise). Sources and guesses: docs/physics.md.
const FamilyPhysics &family_physics(std::string_view family);
// SHA-256d per second a chip of the family does at mhz (the real chip's, not the sim's
// reduced work).
double chip_hashes_per_second(std::string_view family, double mhz);

// The wrong-nonce probability at a chip's stable frequency: "stable" means at most this.
inline constexpr double kStableErrorRate = 1e-3;

// How the chips of one chain vary, and board overrides of the family's power figures.
struct ProcessSpec {
	double spread = 0.04;     // sigma of the speed factor (clipped at 3 sigma)
	unsigned weak_chips = 2;  // per chain, at random positions
	double weak_speed = 0.84; // their speed factor's centre (+-0.03)
	// Width of the error curve in units of f / f_stable: 0.01 takes the wrong-nonce
	// rate from 0.1 % at f_stable to ~13 % at 5 % over it.
	double error_width = 0.01;
	double dyn_w_per_mhz_v2 = 0; // 0: the family's
	double leak_w = -1;          // < 0: the family's
	// The freq_limit fault: every chip also fails past this, p = slope * excess.
	double fault_limit_mhz = 0;
	double fault_slope = 4.0;
	// The weak_chip fault: a chip whose wrong-nonce probability never falls below rate,
	// whatever its frequency (a cracked die or a bad core a test station must find).
	struct ErrorFloor {
		unsigned position;
		double rate;
	};
	std::vector<ErrorFloor> error_floors;
};

// One chip's hidden parameters.
struct ChipTraits {
	double speed; // multiplies the family's stable frequency
	double leak;  // multiplies the family's leakage (fast silicon leaks more)
	bool weak;
};

class ProcessPhysics final : public ChipPhysics {
public:
	ProcessPhysics(std::string_view family, const ProcessSpec &spec, std::uint64_t seed,
	               unsigned chips);
	double wrong_nonce_probability(const ChipConditions &c) const override;
	double power_w(const ChipConditions &c) const override;

	// Hidden: for the simulator and the oracle only.
	double stable_mhz(unsigned position, double voltage_mv, double temperature_c) const;
	// The highest frequency whose wrong-nonce probability is at most p (0 < p < 1).
	double max_mhz_at_error(unsigned position, double voltage_mv, double temperature_c,
	                        double p) const;
	const ChipTraits &traits(unsigned position) const { return traits_.at(position); }
	unsigned chips() const { return unsigned(traits_.size()); }
	const FamilyPhysics &family() const { return family_; }
	double dyn_w_per_mhz_v2() const { return dyn_; }
	double leakage_w(unsigned position, double voltage_mv, double temperature_c) const;

private:
	FamilyPhysics family_;
	ProcessSpec spec_;
	double dyn_;
	double leak_;
	double log_odds_; // ln(1/kStableErrorRate - 1)
	std::vector<ChipTraits> traits_;
	std::vector<double> floor_; // per position, from spec.error_floors
};

// The conditions the board around a chain gives its chips, live: each chip's supply
// voltage and temperature. The board's twins write them, the chips read them at their
// next hash slice (<= 100 ms of chain time). Thread safe: in real time the chain runs on
// its own thread.
class LiveConditions {
public:
	LiveConditions(unsigned chips, double voltage_mv, double temperature_c);
	void set(unsigned position, double voltage_mv, double temperature_c);
	// Bumped by every change; the chain re-reads only when it moved.
	std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
	double voltage_mv(unsigned position) const;
	double temperature_c(unsigned position) const;
	unsigned chips() const { return unsigned(mv_.size()); }

private:
	mutable std::mutex mutex_;
	std::vector<double> mv_;
	std::vector<double> tc_;
	std::atomic<std::uint64_t> generation_{1};
};

} // namespace hbsim
