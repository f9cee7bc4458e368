// SPDX-License-Identifier: MIT
//
// Parallel bring-up and power-down of the A15-class board (3 chains x 160 BM1366) in
// virtual time. The baselines are measured in the same run: the same board cut down to
// its first chain, and the PLL ramp floor (ramp steps x ramp interval, from the chain's
// ramp_step_mhz, ramp_interval and target frequency), which no bring-up can beat.
// Board time is virtual and deterministic; host wall-clock time is printed beside it.
//
//   bench_board_bringup [board.toml]     (default: boards/a15-class-sim.toml)
//
// Exits 1 only when it cannot run; a missed target prints "target missed".
#include <hashboard/board/board.hpp>
#include <hashboard/board/board_config.hpp>
#include <hashboard/board/sim_board.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/clock.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

using namespace hashboard;

namespace {

constexpr double kTarget = 1.1;

struct Figures {
	Duration bring_up{};
	Duration power_down{};
	double wall_s = 0;
	unsigned chips_found = 0;
};

// The board with its first chain only: that chain's domains, the regulators they name,
// the GPIO lines that serve it, its faults; sensors and fans as they are.
BoardConfig first_chain_only(const BoardConfig &c)
{
	BoardConfig one = c;
	const unsigned id = c.chains.front().id;
	one.chains.resize(1);
	std::erase_if(one.domains, [&](const DomainSpec &d) { return d.chain != id; });
	if (!one.domains.empty())
		std::erase_if(one.regulators, [&](const RegulatorSpec &r) {
			return std::none_of(
			    one.domains.begin(), one.domains.end(),
			    [&](const DomainSpec &d) { return d.regulator == r.name; });
		});
	std::erase_if(one.gpios, [&](const GpioSpec &g) { return !g.serves(id); });
	std::erase_if(one.sim.faults,
	              [&](const SimFault &f) { return f.device.empty() && f.chain != id; });
	return one;
}

Figures run(const BoardConfig &config)
{
	SteadyClock wall;
	const Duration w0 = wall.now();
	VirtualClock clock;
	auto twins = std::make_shared<SimDeviceFactory>(config, clock);
	Board board(config, clock, twins);
	Figures f;
	board.power_up();
	const Duration t0 = clock.now();
	for (const auto &r : board.start_chains())
		f.chips_found += r.scan.found();
	const Duration t1 = clock.now();
	board.power_down();
	f.bring_up = t1 - t0;
	f.power_down = clock.now() - t1;
	f.wall_s = to_seconds(wall.now() - w0);
	return f;
}

// Steps of a ramp from the family's reset frequency to the chain's target, each one
// ramp_interval long: the time the PLLs alone need, up or down.
Duration ramp_floor(const ChainSpec &c)
{
	const double span = std::fabs(c.frequency_mhz - c.family->default_freq_mhz);
	const auto steps = static_cast<long>(std::ceil(span / c.ramp_step_mhz - 1e-9));
	return steps * c.ramp_interval;
}

const char *verdict(double ratio)
{
	return ratio <= kTarget ? "target met" : "target missed";
}

} // namespace

int main(int argc, char **argv)
{
	try {
		const std::string file =
		    argc > 1 ? argv[1] : HB_SOURCE_DIR "/boards/a15-class-sim.toml";
		const BoardConfig all = load_board_config(file);
		const BoardConfig one = first_chain_only(all);
		const ChainSpec &spec = all.chains.front();
		const Duration floor = ramp_floor(spec);

		const Figures base = run(one);
		const Figures par = run(all);
		const double n = double(all.chains.size());
		const double up = to_seconds(par.bring_up), up1 = to_seconds(base.bring_up);
		const double down = to_seconds(par.power_down), down1 = to_seconds(base.power_down);
		const double fl = to_seconds(floor);

		const std::string family(spec.family->name);
		std::printf("board %s: %zu chains, %u chips answered; %s at %.2f MHz, ramp %.2f "
		            "MHz per %.0f ms (floor %.3f s)\n",
		            all.name.c_str(), all.chains.size(), par.chips_found, family.c_str(),
		            spec.frequency_mhz, spec.ramp_step_mhz,
		            to_seconds(spec.ramp_interval) * 1000, fl);
		std::printf("  bring-up   1 chain %8.3f s   %zu chains %8.3f s   ratio %.3f "
		            "(target <= %.1f): %s\n",
		            up1, all.chains.size(), up, up / up1, kTarget, verdict(up / up1));
		std::printf("             vs the ramp floor %.3f s: %.3f x; one after another "
		            "would be %.3f s (%.2f x faster)\n",
		            fl, up / fl, n * up1, n * up1 / up);
		std::printf("  power-down 1 chain %8.3f s   %zu chains %8.3f s   ratio %.3f "
		            "(target <= %.1f): %s\n",
		            down1, all.chains.size(), down, down / down1, kTarget,
		            verdict(down / down1));
		std::printf("             vs the ramp floor %.3f s: %.3f x; one after another "
		            "would be %.3f s (%.2f x faster)\n",
		            fl, down / fl, n * down1, n * down1 / down);
		std::printf("  host wall clock: 1 chain %.3f s, %zu chains %.3f s (bring-up and "
		            "power-down, virtual time)\n",
		            base.wall_s, all.chains.size(), par.wall_s);
		return 0;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "bench_board_bringup: %s\n", e.what());
		return 1;
	}
}
