// SPDX-License-Identifier: MIT
//
// The web dashboard's page load on an A15-class board (3 chains x 160 chips): what the
// server spends answering the requests a first visit makes (the page, its script and
// style, the session, the status with every chip, the history) and how many bytes they
// are. WebApp is driven without a socket, so the time is the server's own (routing, the
// status snapshot to JSON, the assets), measured over many loads; the baseline beside it
// is one status snapshot copied, the least any status reader pays. Targets (issue 13):
// under 200 ms of server time and under 500 kB a load.
#include <hashboardd/web/web_app.hpp>

#include <hashboard/clock.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace hashboardd;

namespace {

constexpr unsigned kChains = 3;
constexpr unsigned kChips = 160;
constexpr int kLoads = 200;
constexpr double kTargetMs = 200;
constexpr double kTargetKb = 500;

struct A15Control final : DaemonControl {
	DaemonStatus s;
	A15Control()
	{
		s.board_model = "a15-class-sim";
		s.summary.hashrate_ghs_5s = 514000;
		for (unsigned id = 0; id < kChains; ++id) {
			ChainStatus c;
			c.id = id;
			c.family = "BM1370";
			c.state = "running";
			c.chips_expected = c.chips_found = kChips;
			c.voltage_mv = 1250;
			c.chip_temp_c = 61.5;
			for (unsigned p = 0; p < kChips; ++p) {
				ChipStatus chip;
				chip.position = p;
				chip.alive = true;
				chip.freq_mhz = 525 + p % 7;
				chip.hashrate_ghs = 1071.3 + p;
				chip.valid = 123456 + p;
				chip.hw_errors = p % 5;
				chip.temperature_c = 55 + p * 0.05;
				c.chips.push_back(chip);
			}
			s.chains.push_back(std::move(c));
		}
		for (unsigned i = 0; i < 3; ++i) {
			PoolStatus p;
			p.index = i;
			p.url = fmt::format("stratum+tcp://pool{}.example.com:3333", i);
			p.user = "farm.rig01";
			s.pools.push_back(p);
		}
	}
	DaemonStatus status() const override { return s; }
	unsigned add_pool(const NewPool &) override { return 0; }
	void remove_pool(unsigned) override {}
	void switch_pool(unsigned) override {}
	void enable_pool(unsigned) override {}
	void disable_pool(unsigned) override {}
	void set_chain_frequency(unsigned, double) override {}
	void set_chip_frequency(unsigned, unsigned, double) override {}
	void set_chain_voltage(unsigned, double) override {}
	void restart() override {}
	void quit() override {}
};

double percentile(std::vector<double> v, double p)
{
	std::sort(v.begin(), v.end());
	return v[static_cast<std::size_t>(p * double(v.size() - 1))];
}

} // namespace

int main()
{
	A15Control control;
	hashboard::VirtualClock clock;
	web::WebOptions o;
	o.password_file = "/nonexistent/web-password"; // no login needed to read
	web::WebApp app(control, clock, o);
	for (int i = 0; i < 360; ++i) // a full history: six hours of samples
		app.sample(), clock.sleep_for(std::chrono::seconds(60));

	const char *load[] = {"/",           "/app.js",     "/style.css", "/api/session",
	                      "/api/status", "/api/history"};
	using C = std::chrono::steady_clock;
	std::vector<double> load_ms, copy_ms;
	std::size_t bytes = 0;
	for (int n = 0; n < kLoads; ++n) {
		std::size_t b = 0;
		const auto t0 = C::now();
		for (const char *target : load) {
			api::HttpRequest r;
			r.method = "GET";
			r.target = target;
			r.headers.emplace_back("host", "miner.local:8080");
			const auto res = app.handle(r);
			if (res.status != 200) {
				std::fprintf(stderr, "%s answered %u\n", target, res.status);
				return 1;
			}
			b += res.body.size();
		}
		const auto t1 = C::now();
		const DaemonStatus copy = control.status();
		const auto t2 = C::now();
		if (copy.chains.size() != kChains)
			return 1;
		load_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
		copy_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
		bytes = b;
	}
	const double p50 = percentile(load_ms, 0.5), p99 = percentile(load_ms, 0.99);
	const double base = percentile(copy_ms, 0.5);
	const double kb = double(bytes) / 1000;
	std::printf("bench_web_dashboard: a first visit's %zu requests on %u chains x %u chips, "
	            "%d loads, WebApp without a socket\n",
	            std::size(load), kChains, kChips, kLoads);
	std::printf("  server time a load: p50 %.2f ms, p99 %.2f ms (baseline: one status "
	            "snapshot copied, %.3f ms: %.0f x)\n",
	            p50, p99, base, base > 0 ? p50 / base : 0.0);
	std::printf("  bytes a load: %.1f kB (uncompressed)\n", kb);
	std::printf("  target < %.0f ms of server time: %s\n", kTargetMs,
	            p99 < kTargetMs ? "target met" : "target missed");
	std::printf("  target < %.0f kB: %s\n", kTargetKb,
	            kb < kTargetKb ? "target met" : "target missed");
	return 0;
}
