// SPDX-License-Identifier: MIT
// hbctl mine: bring a chain up, feed it synthetic work, check every nonce, report.
#include "commands.hpp"
#include "mine_report.hpp"
#include "scan_json.hpp"
#include "validators.hpp"

#include <hashboard/chain_job.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/work.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

namespace hbctl {
namespace {

using hashboard::ChipStats;
using hashboard::Duration;
using std::chrono::milliseconds;

struct MineOptions {
	CommonOptions common;
	double seconds = 10;
	std::optional<double> freq_mhz; // unset: the family's nominal
	unsigned ticket_log2 = 0;
	std::optional<std::uint32_t> baud;    // unset: the family's maximum
	std::optional<double> job_interval_s; // unset: from the nonce space, at most 1 s
	double report_interval_s = 5;
	double ramp_step_mhz = 6.25;
	double ramp_interval_ms = 100;
	bool quiet = false;

	bool text() const { return !common.json && !quiet; }
};

// What the chain mines with once it is up.
struct MiningPlan {
	std::uint32_t baud = 0;
	Duration job_interval{};
};

// The shortest job interval the wire carries: one job frame at the chain's baud. Jobs
// any closer queue up behind each other, and the chips answer jobs that were already
// replaced: hw errors and stale nonces on healthy chips.
Duration job_wire_time(const hashboard::ChipFamily &fam, std::uint32_t baud, std::uint64_t seed)
{
	hashboard::SyntheticWorkSource sample(seed);
	const std::size_t bytes = hashboard::encode_chain_job(fam, sample.next(), 0).frame.size();
	return hashboard::wire_time(bytes, double(baud));
}

Session open_mining_session(const MineOptions &o)
{
	return open_session(o.common, [&](hashboard::ChainConfig &cfg) {
		cfg.ramp_step_mhz = o.ramp_step_mhz;
		cfg.ramp_interval =
		    hashboard::from_seconds(o.ramp_interval_ms / 1000.0, "--ramp-interval-ms");
	});
}

// Refused before the chain is touched: a frequency the PLL cannot make, a baud the
// family cannot reach.
void check_clock_requests(const hashboard::ChipFamily &fam, const MineOptions &o)
{
	if (o.freq_mhz && !hashboard::pll_for_frequency(fam, *o.freq_mhz))
		throw std::invalid_argument("--freq: " + std::to_string(*o.freq_mhz) +
		                            " MHz is outside the " + std::string(fam.name) +
		                            " PLL's range");
	if (o.baud && *o.baud > fam.baud.max_baud)
		throw std::invalid_argument("--baud: " + std::to_string(*o.baud) +
		                            " is above the " + std::string(fam.name) + " maximum " +
		                            std::to_string(fam.baud.max_baud));
}

// Shows the scan; false (and says so) when no chip answered, so there is nothing to mine.
bool report_scan(const Session &s, const hashboard::ScanResult &scan, const MineOptions &o)
{
	const auto &fam = s.chain->family();
	if (o.text()) {
		fmt::print("chain: {}\n", s.transport->describe());
		print_scan_table(stdout, fam, scan);
	}
	if (scan.found() > 0)
		return true;
	if (o.common.json)
		std::cout << boost::json::serialize(boost::json::object{
		                 {"scan", scan_to_json(fam, scan)}, {"error", "no chips"}})
		          << "\n";
	else
		std::fprintf(stderr, "hbctl: no chip answered; nothing to mine\n");
	return false;
}

// The default interval comes from the nonce space the chips search; either way it is
// never shorter than the wire carries (with a message when the user asked for less).
Duration paced_job_interval(const hashboard::Chain &chain, std::uint32_t baud, const MineOptions &o)
{
	const Duration wire_floor = job_wire_time(chain.family(), baud, o.common.seed);
	const Duration asked = o.job_interval_s
	                           ? hashboard::from_seconds(*o.job_interval_s, "--job-interval")
	                           : std::clamp(chain.job_interval(), Duration(milliseconds(1)),
	                                        Duration(milliseconds(1000)));
	if (asked < wire_floor && o.job_interval_s)
		fmt::print(stderr,
		           "hbctl: --job-interval {:.6f} s is shorter than one job frame takes on "
		           "the wire at {} Bd; using {:.6f} s\n",
		           hashboard::to_seconds(asked), baud, hashboard::to_seconds(wire_floor));
	return std::max(asked, wire_floor);
}

// Baud, ticket and the PLL ramp, in the order the chips need them.
MiningPlan configure_chain(hashboard::Chain &chain, const MineOptions &o)
{
	const auto &fam = chain.family();
	MiningPlan plan;
	plan.baud = o.baud.value_or(fam.baud.max_baud);
	if (plan.baud != hashboard::kResetHostBaud)
		chain.set_baud(plan.baud);
	chain.set_ticket_difficulty_log2(o.ticket_log2);
	const double freq = o.freq_mhz.value_or(fam.nominal_freq_mhz);
	if (o.text())
		fmt::print("ramping PLLs {:.2f} -> {:.2f} MHz\n", chain.frequency_mhz(), freq);
	chain.ramp_frequency(freq);
	plan.job_interval = paced_job_interval(chain, plan.baud, o);
	return plan;
}

// The live table every report interval: this window's rate beside the run's average.
class LiveReport {
public:
	LiveReport(const hashboard::Chain &chain, Duration start, Duration interval)
	    : chain_(chain), start_(start), interval_(interval), next_(start + interval),
	      window_(chain.chip_stats()), window_start_(start)
	{
	}
	Duration next() const { return next_; }
	void print_if_due(Duration now)
	{
		if (now < next_)
			return;
		fmt::print("-- {:.1f} s\n", hashboard::to_seconds(now - start_));
		print_chip_table(chain_, window_, hashboard::to_seconds(now - window_start_),
		                 hashboard::to_seconds(now - start_));
		window_ = chain_.chip_stats();
		window_start_ = now;
		next_ += interval_;
	}

private:
	const hashboard::Chain &chain_;
	Duration start_, interval_, next_;
	std::vector<ChipStats> window_;
	Duration window_start_;
};

// Sends a job every interval and polls in between until the time is up; the seconds mined.
double mine_for(hashboard::Chain &chain, hashboard::Clock &clock, const MiningPlan &plan,
                const MineOptions &o)
{
	hashboard::SyntheticWorkSource work(o.common.seed);
	chain.reset_stats();
	const Duration start = clock.now();
	const Duration end = start + hashboard::from_seconds(o.seconds, "--seconds");
	// The validators checked each number; this is the conversion, checked again.
	LiveReport live(chain, start,
	                hashboard::from_seconds(o.report_interval_s, "--report-interval"));
	Duration next_job = start;
	if (o.text())
		fmt::print("mining {:.1f} s at {:.2f} MHz, ticket difficulty 2^{}, {} Bd, new job "
		           "every {:.3f} s\n",
		           o.seconds, chain.frequency_mhz(), o.ticket_log2, plan.baud,
		           hashboard::to_seconds(plan.job_interval));
	for (Duration now = clock.now(); now < end; now = clock.now()) {
		if (now >= next_job) {
			chain.send_work(work.next());
			next_job += plan.job_interval;
			continue;
		}
		const Duration until = std::min({next_job, o.text() ? live.next() : end, end});
		chain.poll(until - now, {});
		if (o.text())
			live.print_if_due(clock.now());
	}
	return hashboard::to_seconds(clock.now() - start);
}

int run_mine(const MineOptions &o)
{
	Session s = open_mining_session(o);
	hashboard::Chain &chain = *s.chain;
	check_clock_requests(chain.family(), o);
	const auto scan = chain.enumerate();
	if (!report_scan(s, scan, o))
		return 1;
	const MiningPlan plan = configure_chain(chain, o);
	const double elapsed = mine_for(chain, *s.clock, plan, o);
	const double mined_mhz = chain.frequency_mhz();
	chain.ramp_down_and_reset();

	const MineRun run{s.transport->describe(), elapsed, mined_mhz, o.ticket_log2, plan.baud};
	if (o.common.json)
		std::cout << boost::json::serialize(mine_summary_json(chain, run, scan)) << "\n";
	else
		print_mine_summary(chain, run);
	return scan.ok() ? 0 : 1;
}

} // namespace

Runner add_mine_command(CLI::App &app)
{
	auto o = std::make_shared<MineOptions>();
	auto *cmd = app.add_subcommand("mine", "bring a chain up and mine synthetic work, checking "
	                                       "every nonce");
	add_common_options(*cmd, o->common);
	cmd->add_option("-s,--seconds", o->seconds, "how long to mine (clock time, at most a day)")
	    ->check(positive_up_to(kMaxRunSeconds));
	cmd->add_option("--freq", o->freq_mhz, "chip frequency in MHz (default: family nominal)")
	    ->check(positive_up_to(10000));
	cmd->add_option("--ticket-log2", o->ticket_log2, "ticket difficulty 2^k the chips report")
	    ->transform(whole_range(0, 31));
	cmd->add_option("--baud", o->baud, "chain baud after bring-up (default: family maximum)")
	    ->transform(whole_range(9600, 100000000));
	cmd->add_option("--job-interval", o->job_interval_s,
	                "seconds between jobs (default: "
	                "from the nonce space, at most 1)")
	    ->check(positive_up_to(kMaxRunSeconds));
	cmd->add_option("--report-interval", o->report_interval_s, "seconds between live tables")
	    ->check(finite_range(kMinReportSeconds, kMaxRunSeconds));
	cmd->add_option("--ramp-step", o->ramp_step_mhz, "PLL ramp step in MHz")
	    ->check(finite_range(kMinRampStepMhz, kMaxRampStepMhz));
	cmd->add_option("--ramp-interval-ms", o->ramp_interval_ms, "time between ramp steps")
	    ->check(finite_range(0, kMaxRampIntervalMs));
	cmd->add_flag("-q,--quiet", o->quiet, "print only the summary");
	return [o]() { return run_mine(*o); };
}

} // namespace hbctl
