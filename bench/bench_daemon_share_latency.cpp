// SPDX-License-Identifier: MIT
//
// hashboardd's share latency: from a nonce reply read off a chain's transport (the read
// that returned the frame's last byte, in the chain's poll on the mining thread) to its
// mining.submit line written to the pool socket (stratum's LineTap: the socket took the
// whole line), on the built-in simulated board in real time against an in-process test
// pool on loopback whose difficulty is low enough that every nonce is a share. Baseline:
// the same nonce's reply wire time on the chain (11 bytes x 10 bits / baud), the floor
// of a share's trip from the chip. Target: p99 <= 2 ms (issue 8).
#include "daemon_bench_rig.hpp"

#include <cstdio>

using namespace daemon_bench;

namespace {

constexpr std::size_t kShares = 250;
constexpr double kTargetP99Ms = 2.0;

std::uint32_t byte_swap(std::uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
}

} // namespace

int main()
{
	std::mutex mu;
	std::vector<double> latency_ms; // under mu
	std::size_t unmatched = 0;      // under mu
	Rig rig(1e-9, [&](Taps &taps, stratum::LineDirection dir, std::string_view line) {
		if (dir != stratum::LineDirection::sent)
			return;
		const auto now = Clock::now();
		const auto nonce = parse_submit_nonce(line);
		if (!nonce)
			return;
		std::optional<Clock::time_point> read;
		{
			std::lock_guard lock(taps.mu);
			for (const std::uint32_t key : {*nonce, byte_swap(*nonce)})
				if (auto it = taps.nonces.find(key); it != taps.nonces.end()) {
					read = it->second;
					taps.nonces.erase(it);
					break;
				}
		}
		std::lock_guard lock(mu);
		if (read)
			latency_ms.push_back(ms(now - *read));
		else
			++unmatched;
	});
	auto count = [&] {
		std::lock_guard lock(mu);
		return latency_ms.size();
	};

	std::printf("bench_daemon_share_latency: hashboardd on the built-in simulated board (%u "
	            "chains, %u baud, real time), an in-process test pool on loopback\n",
	            rig.chains(), rig.baud());
	std::printf("  measured: nonce reply returned by the chain transport's read -> its "
	            "mining.submit line taken by the pool socket\n");
	const auto start = Clock::now();
	rig.on_pool([](hbpool::TestPool &p) { p.new_job(true); });
	// A live pool's heartbeat: a new (not clean) job every second.
	const bool enough = Rig::wait_until(
	    [&, next = Clock::now() + 1s]() mutable {
		    if (Clock::now() >= next) {
			    rig.on_pool([](hbpool::TestPool &p) { p.new_job(false); });
			    next += 1s;
		    }
		    return count() >= kShares;
	    },
	    100s);
	const double took_s = std::chrono::duration<double>(Clock::now() - start).count();
	std::vector<double> v;
	std::size_t missed = 0;
	{
		std::lock_guard lock(mu);
		v = latency_ms;
		missed = unmatched;
	}
	if (v.size() < 50) {
		std::fprintf(stderr, "broken: only %zu shares in %.0f s\n", v.size(), took_s);
		return 1;
	}
	const auto accepted = rig.on_pool([](hbpool::TestPool &p) { return p.totals().accepted; });
	const double p50 = percentile(v, 50), p99 = percentile(v, 99), max = v.back();
	const double wire_ms = 11.0 * 10.0 / double(rig.baud()) * 1000.0;
	std::printf("  shares timed: %zu in %.1f s (%zu submits with no nonce read; pool accepted "
	            "%llu)%s\n",
	            v.size(), took_s, missed, static_cast<unsigned long long>(accepted),
	            enough ? "" : " - fewer than wanted");
	std::printf("  latency: p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", p50, p99, max);
	std::printf(
	    "  baseline (one nonce reply's wire time): %.3f ms; p50 = %.1f x, p99 = %.1f x\n",
	    wire_ms, p50 / wire_ms, p99 / wire_ms);
	std::printf("  p99 %.3f ms against the target <= %.1f ms: %s\n", p99, kTargetP99Ms,
	            p99 <= kTargetP99Ms ? "target met" : "target missed");
	return 0;
}
