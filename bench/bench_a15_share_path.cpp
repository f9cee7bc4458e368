// SPDX-License-Identifier: MIT
//
// The A15-class board (3 chains x 160 chips) in virtual time:
//  1. share-path efficiency: of the nonces the simulated chips found (honestly, with
//     SHA-256d), how many the host credited as valid, and the hashes credited over the
//     nominal chip hashes;
//  2. host cost per nonce: instructions (callgrind) from reply bytes in to a verified,
//     attributed nonce, against the instructions of the two SHA-256 compressions any
//     check must do, both measured in the same callgrind run.
// Phase 2 replays recorded wire traffic under valgrind in a child process of this same
// program, so the simulator's own hashing is not counted.
#include <hashboard/chain.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/transport.hpp>
#include <hashboard/work.hpp>

#include "transport/sim_transport.hpp"

#include <valgrind/callgrind.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace hashboard;
using std::chrono::milliseconds;

namespace {

constexpr unsigned kChains = 3;
constexpr unsigned kChipsPerChain = 160;
// The A15-class stand-in family (boards/a15-class-sim.toml): BM1370, whose nonces are
// attributed by CHIP_NONCE_OFFSET range, so 160 chips fit one chain.
constexpr const char *kFamily = "bm1370";
constexpr unsigned kZeroBits = 8;
constexpr double kFreqMhz = 525;
constexpr std::uint32_t kBaud = 1000000;

// Records every read (bytes and the clock after it) so a replay can feed a Chain the
// identical byte stream at the identical times.
class TapTransport final : public Transport {
public:
	TapTransport(Transport &inner, Clock &clock) : inner_(inner), clock_(clock) {}
	void write(ByteSpan d) override { inner_.write(d); }
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override
	{
		const std::size_t n = inner_.read(buf, timeout);
		log_.push_back({clock_.now(), Bytes(buf.begin(), buf.begin() + long(n))});
		return n;
	}
	void set_baud(std::uint32_t b) override { inner_.set_baud(b); }
	std::uint32_t baud() const override { return inner_.baud(); }
	void flush_input() override { inner_.flush_input(); }
	bool has_reset() const override { return inner_.has_reset(); }
	void set_reset(bool a) override { inner_.set_reset(a); }
	std::string describe() const override { return "tap(" + inner_.describe() + ")"; }

	struct Read {
		Duration after;
		Bytes bytes;
	};
	const std::vector<Read> &log() const { return log_; }

private:
	Transport &inner_;
	Clock &clock_;
	std::vector<Read> log_;
};

class ReplayTransport final : public Transport {
public:
	ReplayTransport(std::vector<TapTransport::Read> log, VirtualClock &clock)
	    : log_(std::move(log)), clock_(clock)
	{
	}
	void write(ByteSpan) override {}
	std::size_t read(std::span<std::uint8_t> buf, Duration) override
	{
		if (next_ >= log_.size())
			throw TransportError(
			    "replay exhausted: the replay diverged from the recording");
		const auto &r = log_[next_++];
		if (r.bytes.size() > buf.size())
			throw TransportError("replay: read buffer smaller than recorded");
		std::memcpy(buf.data(), r.bytes.data(), r.bytes.size());
		clock_.advance_to(r.after);
		return r.bytes.size();
	}
	void set_baud(std::uint32_t b) override { baud_ = b; }
	std::uint32_t baud() const override { return baud_; }
	void flush_input() override {}
	bool has_reset() const override { return true; }
	void set_reset(bool) override {}
	std::string describe() const override { return "replay"; }
	bool exhausted() const { return next_ == log_.size(); }

private:
	std::vector<TapTransport::Read> log_;
	VirtualClock &clock_;
	std::size_t next_ = 0;
	std::uint32_t baud_ = kResetHostBaud;
};

ChainConfig chain_config()
{
	ChainConfig cfg;
	cfg.family = &family_by_name(kFamily);
	cfg.expected_chips = kChipsPerChain;
	cfg.zero_bits = kZeroBits;
	return cfg;
}

// Bring-up as hbctl mine does it; returns the ticket difficulty chosen for the wire.
unsigned bring_up(Chain &chain)
{
	const auto scan = chain.enumerate();
	if (!scan.ok())
		throw std::runtime_error("A15-class chain did not enumerate");
	chain.set_baud(kBaud);
	chain.ramp_frequency(kFreqMhz);
	const unsigned k = chain.ticket_log2_for_wire(kBaud, 0.5);
	chain.set_ticket_difficulty_log2(k);
	chain.reset_stats();
	return k;
}

// The mining loop shared by the live run and the replay: identical calls, so the replay
// consumes exactly the recorded reads.
void mine_loop(std::vector<Chain *> &chains, Clock &clock, SyntheticWorkSource &work, Duration span,
               Duration job_interval)
{
	const Duration end = clock.now() + span;
	Duration next_job = clock.now();
	while (clock.now() < end) {
		if (clock.now() >= next_job) {
			const Work w = work.next();
			for (auto *c : chains)
				c->send_work(w);
			next_job += job_interval;
		}
		for (auto *c : chains)
			c->poll(milliseconds(5), {});
	}
}

struct SimCounts {
	std::uint64_t found = 0, wrong = 0;
	double nominal = 0;
};

SimCounts sim_counts(transport::SimTransport &t)
{
	SimCounts c;
	for (unsigned i = 0; i < t.chain().chip_count(); ++i) {
		const auto v = t.chain().chip(i);
		c.found += v.nonces_found;
		c.wrong += v.nonces_wrong;
	}
	c.nominal = t.chain().nominal_hashes();
	return c;
}

void write_recording(const std::string &path, const std::vector<TapTransport::Read> &log)
{
	std::ofstream out(path, std::ios::binary);
	for (const auto &r : log) {
		const std::int64_t t = r.after.count();
		const std::uint32_t n = std::uint32_t(r.bytes.size());
		out.write(reinterpret_cast<const char *>(&t), sizeof t);
		out.write(reinterpret_cast<const char *>(&n), sizeof n);
		out.write(reinterpret_cast<const char *>(r.bytes.data()), n);
	}
}

std::vector<TapTransport::Read> read_recording(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::vector<TapTransport::Read> log;
	for (;;) {
		std::int64_t t;
		std::uint32_t n;
		if (!in.read(reinterpret_cast<char *>(&t), sizeof t))
			break;
		in.read(reinterpret_cast<char *>(&n), sizeof n);
		Bytes b(n);
		in.read(reinterpret_cast<char *>(b.data()), n);
		log.push_back({Duration(t), std::move(b)});
	}
	return log;
}

constexpr Duration kMineSpan = std::chrono::seconds(20);
constexpr Duration kReplaySpan = std::chrono::seconds(2);
constexpr Duration kJobInterval = milliseconds(500);

int run_efficiency(double ber)
{
	VirtualClock clock;
	std::vector<std::unique_ptr<transport::SimTransport>> sims;
	std::vector<std::unique_ptr<Chain>> chains;
	std::vector<Chain *> ptrs;
	for (unsigned i = 0; i < kChains; ++i) {
		auto t = open_transport(
		    std::string("sim:") + kFamily + "?chips=" + std::to_string(kChipsPerChain) +
		        "&zero_bits=" + std::to_string(kZeroBits) +
		        "&seed=" + std::to_string(100 + i) +
		        (ber > 0 ? "&ber=" + std::to_string(ber) : std::string()),
		    clock);
		sims.emplace_back(static_cast<transport::SimTransport *>(t.release()));
		chains.push_back(std::make_unique<Chain>(*sims.back(), clock, chain_config()));
		ptrs.push_back(chains.back().get());
	}
	unsigned k = 0;
	for (auto &c : chains)
		k = bring_up(*c);
	std::vector<SimCounts> before;
	for (auto &s : sims)
		before.push_back(sim_counts(*s));
	SyntheticWorkSource work(1);
	mine_loop(ptrs, clock, work, kMineSpan, kJobInterval);
	// Stop every PLL at once, then drain: every nonce found is on the wire or read.
	for (auto &c : chains)
		c->write_register(std::nullopt, c->family().regs.pll0, 0);
	for (auto *c : ptrs)
		c->poll(milliseconds(200), {});

	std::uint64_t found = 0, wrong = 0, valid = 0, hw = 0, stale = 0, dup = 0;
	double nominal = 0, credited = 0;
	for (unsigned i = 0; i < kChains; ++i) {
		const SimCounts after = sim_counts(*sims[i]);
		found += after.found - before[i].found;
		wrong += after.wrong - before[i].wrong;
		nominal += after.nominal - before[i].nominal;
		for (const auto &s : chains[i]->chip_stats()) {
			valid += s.valid;
			hw += s.hw_errors;
			stale += s.stale;
			dup += s.duplicates;
			credited += s.credited_hashes;
		}
	}
	const double eff = double(valid) / double(found - wrong);
	const double sigma = 1.0 / std::sqrt(double(valid));
	std::uint64_t crc_errors = 0, unattributed = 0;
	for (const auto &c : chains) {
		crc_errors += c->stats().parser.crc_errors;
		unattributed += c->stats().unattributed;
	}
	std::printf("A15-class board: %u x %u %s at %.0f MHz, %u Bd, ticket 2^%u, %.0f s virtual, "
	            "wire bit-error rate %g\n",
	            kChains, kChipsPerChain, kFamily, kFreqMhz, kBaud, k, to_seconds(kMineSpan),
	            ber);
	std::printf("  real encodings: byte-5 job ids per family, 11-byte replies, nonces "
	            "attributed by counter range\n");
	std::printf("  wire: %" PRIu64 " replies failed their CRC, %" PRIu64 " unattributed\n",
	            crc_errors, unattributed);
	std::printf("  nonces found by chips      %" PRIu64 " (%" PRIu64
	            " corrupted by the chips)\n",
	            found, wrong);
	std::printf("  host: valid %" PRIu64 ", hw errors %" PRIu64 ", stale %" PRIu64
	            ", duplicates %" PRIu64 "\n",
	            valid, hw, stale, dup);
	std::printf(
	    "  share-path efficiency (valid / good nonces found): %.4f %%  (target >= 99.9 %%)\n",
	    100.0 * eff);
	std::printf(
	    "  hashes credited / nominal chip hashes: %.4f %% +- %.2f %% (Poisson, 1 sigma)\n",
	    100.0 * credited / nominal, 100.0 * sigma);
	return 0;
}

// Runs inside valgrind: replay the recording, instrumenting the mining part only.
int run_replay(const std::string &path)
{
	sha256::use_impl(sha256::Impl::portable); // valgrind does not emulate SHA-NI
	VirtualClock clock;
	ReplayTransport replay(read_recording(path), clock);
	Chain chain(replay, clock, chain_config());
	bring_up(chain);
	std::vector<Chain *> ptrs{&chain};
	SyntheticWorkSource work(1);
	CALLGRIND_ZERO_STATS;
	CALLGRIND_START_INSTRUMENTATION;
	mine_loop(ptrs, clock, work, kReplaySpan, kJobInterval);
	CALLGRIND_STOP_INSTRUMENTATION;
	CALLGRIND_DUMP_STATS_AT("host");
	std::uint64_t replies = 0;
	for (const auto &s : chain.chip_stats())
		replies += s.valid + s.hw_errors + s.stale + s.duplicates;
	replies += chain.stats().unattributed;

	// The baseline: the two compressions of a SHA-256d from a midstate.
	const sha256::State mid = sha256::midstate(sha256::Header{});
	std::uint8_t tail[16] = {};
	constexpr unsigned kLoops = 20000;
	std::uint8_t sink = 0;
	CALLGRIND_ZERO_STATS;
	CALLGRIND_START_INSTRUMENTATION;
	for (unsigned i = 0; i < kLoops; ++i) {
		tail[12] = std::uint8_t(i);
		tail[13] = std::uint8_t(i >> 8);
		sink ^= sha256::sha256d_from_midstate(mid, tail)[31];
	}
	CALLGRIND_STOP_INSTRUMENTATION;
	CALLGRIND_DUMP_STATS_AT("baseline");
	std::printf("replay: %" PRIu64 " replies, %u baseline loops (%u)%s\n", replies, kLoops,
	            unsigned(sink), replay.exhausted() ? "" : " [recording not fully used]");
	return 0;
}

std::uint64_t callgrind_total(const std::string &file)
{
	std::ifstream in(file);
	std::string line;
	while (std::getline(in, line))
		// "summary:" is the whole run's (zero outside instrumented regions); "totals:"
		// is this dump's.
		if (line.rfind("totals:", 0) == 0)
			return std::strtoull(line.c_str() + line.find(':') + 1, nullptr, 10);
	return 0;
}

int run_host_cost(const char *self)
{
	// Record one chain's traffic for the replay.
	VirtualClock clock;
	auto t = open_transport(std::string("sim:") + kFamily +
	                            "?chips=" + std::to_string(kChipsPerChain) +
	                            "&zero_bits=" + std::to_string(kZeroBits) + "&seed=100",
	                        clock);
	TapTransport tap(*t, clock);
	Chain chain(tap, clock, chain_config());
	bring_up(chain);
	std::vector<Chain *> ptrs{&chain};
	SyntheticWorkSource work(1);
	mine_loop(ptrs, clock, work, kReplaySpan, kJobInterval);
	std::uint64_t replies = 0;
	for (const auto &s : chain.chip_stats())
		replies += s.valid + s.hw_errors + s.stale + s.duplicates;

	const std::string dir = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
	const std::string rec = dir + "/hb-a15-replay-" + std::to_string(::getpid()) + ".bin";
	const std::string out = dir + "/hb-a15-callgrind-" + std::to_string(::getpid());
	write_recording(rec, tap.log());
	const std::string cmd =
	    "valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=" + out + " " +
	    self + " --replay " + rec + " >/dev/null 2>&1";
	const int rc = std::system(cmd.c_str());
	std::remove(rec.c_str());
	if (rc != 0) {
		std::printf(
		    "host cost per nonce: valgrind run failed (%d); is valgrind installed?\n", rc);
		return 1;
	}
	// Dumps are numbered in order: .1 the host path, .2 the baseline.
	const std::uint64_t host = callgrind_total(out + ".1");
	const std::uint64_t base = callgrind_total(out + ".2");
	for (const char *suffix : {"", ".1", ".2"})
		std::remove((out + suffix).c_str());
	if (!host || !base || !replies) {
		std::printf("host cost per nonce: no callgrind totals found\n");
		return 1;
	}
	const double per_nonce = double(host) / double(replies);
	const double per_check = double(base) / 20000.0;
	std::printf(
	    "host cost per nonce (callgrind, portable SHA-256, one %u-chip chain, %.0f s):\n",
	    kChipsPerChain, to_seconds(kReplaySpan));
	std::printf("  %" PRIu64
	            " replies, %.0f instructions per nonce, frame in to verified nonce\n",
	            replies, per_nonce);
	std::printf("  two SHA-256 compressions (SHA-256d from a midstate): %.0f instructions\n",
	            per_check);
	std::printf("  ratio: %.2f x the two compressions (jobs, parsing, a version-rolled\n"
	            "  midstate per nonce, attribution and bookkeeping included)\n",
	            per_nonce / per_check);
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	try {
		if (argc == 3 && std::string(argv[1]) == "--replay")
			return run_replay(argv[2]);
		int rc = run_efficiency(0.0);
		rc |= run_efficiency(1e-6);
		rc |= run_host_cost(argv[0]);
		return rc;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "bench_a15_share_path: %s\n", e.what());
		return 1;
	}
}
