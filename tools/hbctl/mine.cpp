// SPDX-License-Identifier: MIT
// hbctl mine: bring a chain up, feed it synthetic work, check every nonce, report.
#include "commands.hpp"
#include "scan_json.hpp"
#include "validators.hpp"

#include <hashboard/chain_job.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/work.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

namespace hbctl {
namespace {

using hashboard::ChipStats;
using hashboard::Duration;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

struct MineOptions {
	CommonOptions common;
	double seconds = 10;
	std::optional<double> freq_mhz; // unset: the family's nominal
	unsigned ticket_log2 = 0;
	std::optional<std::uint32_t> baud; // unset: the family's maximum
	std::optional<double> job_interval_s; // unset: from the nonce space, at most 1 s
	double report_interval_s = 5;
	double ramp_step_mhz = 6.25;
	double ramp_interval_ms = 100;
	bool quiet = false;
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

double ghs(double hashes, double seconds)
{
	return seconds > 0 ? hashes / seconds / 1e9 : 0.0;
}

void print_table(const hashboard::Chain &chain, const std::vector<ChipStats> &window_start,
		 double window_s, double total_s)
{
	std::printf("%-4s %-7s %9s %8s %6s %6s %10s %10s\n", "chip", "address", "nonces", "hw_err",
		    "dup", "stale", "GH/s now", "GH/s avg");
	const auto &stats = chain.chip_stats();
	for (const auto &c : chain.chips()) {
		if (!c.answered)
			continue;
		const ChipStats &s = stats[c.position];
		const double now_hashes = s.credited_hashes - window_start[c.position].credited_hashes;
		std::printf("%-4u 0x%02x    %9llu %8llu %6llu %6llu %10.1f %10.1f\n", c.position,
			    c.address, (unsigned long long)s.valid, (unsigned long long)s.hw_errors,
			    (unsigned long long)s.duplicates, (unsigned long long)s.stale,
			    ghs(now_hashes, window_s), ghs(s.credited_hashes, total_s));
	}
	std::fflush(stdout);
}

int run_mine(const MineOptions &o)
{
	// The validators checked each number; these are the conversions, checked again.
	const Duration run_time = hashboard::from_seconds(o.seconds, "--seconds");
	const Duration report_interval = hashboard::from_seconds(o.report_interval_s,
								 "--report-interval");
	Session s = open_session(o.common, [&](hashboard::ChainConfig &cfg) {
		cfg.ramp_step_mhz = o.ramp_step_mhz;
		cfg.ramp_interval =
			hashboard::from_seconds(o.ramp_interval_ms / 1000.0, "--ramp-interval-ms");
	});
	hashboard::Chain &chain = *s.chain;
	hashboard::Clock &clock = *s.clock;
	const auto &fam = chain.family();
	const bool text = !o.common.json && !o.quiet;
	// Refused before the chain is touched: a frequency the PLL cannot make, a baud the
	// family cannot reach.
	if (o.freq_mhz && !hashboard::pll_for_frequency(fam, *o.freq_mhz))
		throw std::invalid_argument("--freq: " + std::to_string(*o.freq_mhz) +
					    " MHz is outside the " + std::string(fam.name) +
					    " PLL's range");
	if (o.baud && *o.baud > fam.baud.max_baud)
		throw std::invalid_argument("--baud: " + std::to_string(*o.baud) + " is above the " +
					    std::string(fam.name) + " maximum " +
					    std::to_string(fam.baud.max_baud));

	const auto scan = chain.enumerate();
	if (text) {
		std::printf("chain: %s\n", s.transport->describe().c_str());
		print_scan_table(stdout, fam, scan);
	}
	if (scan.found() == 0) {
		if (o.common.json)
			std::cout << boost::json::serialize(boost::json::object{
					     {"scan", scan_to_json(fam, scan)}, {"error", "no chips"}})
				  << "\n";
		else
			std::fprintf(stderr, "hbctl: no chip answered; nothing to mine\n");
		return 1;
	}

	const std::uint32_t baud = o.baud.value_or(fam.baud.max_baud);
	if (baud != hashboard::kResetHostBaud)
		chain.set_baud(baud);
	chain.set_ticket_difficulty_log2(o.ticket_log2);
	const double freq = o.freq_mhz.value_or(fam.nominal_freq_mhz);
	if (text)
		std::printf("ramping PLLs %.2f -> %.2f MHz\n", chain.frequency_mhz(), freq);
	chain.ramp_frequency(freq);

	const Duration wire_floor = job_wire_time(fam, baud, o.common.seed);
	Duration job_interval =
		o.job_interval_s ? hashboard::from_seconds(*o.job_interval_s, "--job-interval")
				 : std::clamp(chain.job_interval(), Duration(milliseconds(1)),
					      Duration(milliseconds(1000)));
	if (job_interval < wire_floor && o.job_interval_s) {
		std::fprintf(stderr,
			     "hbctl: --job-interval %.6f s is shorter than one job frame takes on "
			     "the wire at %u Bd; using %.6f s\n",
			     hashboard::to_seconds(job_interval), baud,
			     hashboard::to_seconds(wire_floor));
	}
	job_interval = std::max(job_interval, wire_floor);
	hashboard::SyntheticWorkSource work(o.common.seed);
	chain.reset_stats();

	const Duration start = clock.now();
	const Duration end = start + run_time;
	Duration next_job = start;
	Duration next_report = start + report_interval;
	auto window = chain.chip_stats();
	Duration window_start = start;
	if (text)
		std::printf("mining %.1f s at %.2f MHz, ticket difficulty 2^%u, %u Bd, new job every "
			    "%.3f s\n",
			    o.seconds, chain.frequency_mhz(), o.ticket_log2, baud,
			    hashboard::to_seconds(job_interval));
	for (Duration now = clock.now(); now < end; now = clock.now()) {
		if (now >= next_job) {
			chain.send_work(work.next());
			next_job += job_interval;
			continue;
		}
		chain.poll(std::min({next_job, next_report, end}) - now, {});
		if (clock.now() >= next_report && text) {
			std::printf("-- %.1f s\n", hashboard::to_seconds(clock.now() - start));
			print_table(chain, window, hashboard::to_seconds(clock.now() - window_start),
				    hashboard::to_seconds(clock.now() - start));
			window = chain.chip_stats();
			window_start = clock.now();
			next_report += report_interval;
		}
	}
	const double elapsed = hashboard::to_seconds(clock.now() - start);
	const double mined_mhz = chain.frequency_mhz();
	chain.ramp_down_and_reset();

	// Totals and the nominal figure the chips should reach at this frequency.
	std::uint64_t valid = 0, hw = 0, dup = 0, stale = 0;
	double credited = 0;
	unsigned live = 0;
	boost::json::array chips;
	for (const auto &c : chain.chips()) {
		if (!c.answered)
			continue;
		++live;
		const ChipStats &st = chain.chip_stats()[c.position];
		valid += st.valid;
		hw += st.hw_errors;
		dup += st.duplicates;
		stale += st.stale;
		credited += st.credited_hashes;
		const double all = double(st.valid + st.hw_errors);
		chips.push_back({{"position", c.position},
				 {"address", c.address},
				 {"nonces", st.valid + st.hw_errors + st.duplicates + st.stale},
				 {"valid", st.valid},
				 {"hw_errors", st.hw_errors},
				 {"duplicates", st.duplicates},
				 {"stale", st.stale},
				 {"hw_pct", all > 0 ? 100.0 * double(st.hw_errors) / all : 0.0},
				 {"ghs", ghs(st.credited_hashes, elapsed)},
				 {"cores_seen", st.per_core_valid.size()}});
	}
	const double nominal_ghs = fam.hashes_per_second(mined_mhz) * live / 1e9;
	const double total_ghs = ghs(credited, elapsed);
	const auto &cs = chain.stats();
	if (o.common.json) {
		boost::json::object out{
			{"family", std::string(fam.name)},
			{"transport", s.transport->describe()},
			{"seconds", elapsed},
			{"freq_mhz", mined_mhz},
			{"ticket_log2", o.ticket_log2},
			{"baud", baud},
			{"scan", scan_to_json(fam, scan)},
			{"chips", chips},
			{"total",
			 {{"nonces", valid + hw + dup + stale},
			  {"valid", valid},
			  {"hw_errors", hw},
			  {"duplicates", dup},
			  {"stale", stale},
			  {"unattributed", cs.unattributed},
			  {"jobs", cs.jobs_sent},
			  {"crc_errors", cs.parser.crc_errors},
			  {"junk_bytes", cs.parser.junk_bytes},
			  {"ghs", total_ghs},
			  {"nominal_ghs", nominal_ghs}}}};
		std::cout << boost::json::serialize(out) << "\n";
	} else {
		std::printf("== summary after %.1f s\n", elapsed);
		print_table(chain, std::vector<ChipStats>(chain.chips().size()), elapsed, elapsed);
		std::printf("total: %llu valid, %llu hw errors, %llu duplicates, %llu stale, "
			    "%llu unattributed; %llu jobs; %llu CRC errors, %llu junk bytes\n",
			    (unsigned long long)valid, (unsigned long long)hw, (unsigned long long)dup,
			    (unsigned long long)stale, (unsigned long long)cs.unattributed,
			    (unsigned long long)cs.jobs_sent, (unsigned long long)cs.parser.crc_errors,
			    (unsigned long long)cs.parser.junk_bytes);
		std::printf("hashrate: %.1f GH/s measured from nonces, %.1f GH/s nominal (%u chips x "
			    "%u cores x %.2f MHz): %.1f %%\n",
			    total_ghs, nominal_ghs, live, fam.small_cores, mined_mhz,
			    nominal_ghs > 0 ? 100.0 * total_ghs / nominal_ghs : 0.0);
	}
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
	cmd->add_option("--job-interval", o->job_interval_s, "seconds between jobs (default: "
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
