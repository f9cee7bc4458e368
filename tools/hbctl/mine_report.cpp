// SPDX-License-Identifier: MIT
#include "mine_report.hpp"
#include "nonce_tally.hpp"
#include "scan_json.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace hbctl {
namespace {

using hashboard::ChipStats;

// What the chips should reach at this frequency, from the family's hashing units.
double nominal_ghs(const hashboard::Chain &chain, const MineRun &run, unsigned chips)
{
	return chain.family().hashes_per_second(run.freq_mhz) * chips / 1e9;
}

boost::json::object chip_json(const hashboard::ChipInfo &c, const ChipStats &st, double seconds)
{
	const double judged = double(st.valid + st.hw_errors);
	return {{"position", c.position},
	        {"address", c.address},
	        {"nonces", tally_of(st).nonces()},
	        {"valid", st.valid},
	        {"hw_errors", st.hw_errors},
	        {"duplicates", st.duplicates},
	        {"stale", st.stale},
	        {"unknown_job", st.unknown_job},
	        {"hw_pct", judged > 0 ? 100.0 * double(st.hw_errors) / judged : 0.0},
	        {"ghs", ghs(st.credited_hashes, seconds)},
	        {"cores_seen", st.cores_seen()}};
}

} // namespace

void print_chip_table(const hashboard::Chain &chain, const std::vector<ChipStats> &window_start,
                      double window_s, double total_s)
{
	fmt::print("{:<4} {:<7} {:>9} {:>8} {:>6} {:>6} {:>7} {:>10} {:>10}\n", "chip", "address",
	           "nonces", "hw_err", "dup", "stale", "unk_job", "GH/s now", "GH/s avg");
	const auto &stats = chain.chip_stats();
	for (const auto &c : chain.chips()) {
		if (!c.answered)
			continue;
		const ChipStats &s = stats[c.position];
		const double now_hashes =
		    s.credited_hashes - window_start[c.position].credited_hashes;
		fmt::print("{:<4} 0x{:02x}    {:9} {:8} {:6} {:6} {:7} {:10.1f} {:10.1f}\n",
		           c.position, c.address, s.valid, s.hw_errors, s.duplicates, s.stale,
		           s.unknown_job, ghs(now_hashes, window_s),
		           ghs(s.credited_hashes, total_s));
	}
	std::fflush(stdout);
}

void print_mine_summary(const hashboard::Chain &chain, const MineRun &run)
{
	const NonceTally t = tally_chips(chain);
	const auto &cs = chain.stats();
	const double total_ghs = ghs(t.credited_hashes, run.seconds);
	const double nominal = nominal_ghs(chain, run, t.chips);
	fmt::print("== summary after {:.1f} s\n", run.seconds);
	print_chip_table(chain, std::vector<ChipStats>(chain.chips().size()), run.seconds,
	                 run.seconds);
	fmt::print("total: {} valid, {} hw errors, {} duplicates, {} stale, {} unknown job, {} "
	           "unattributed; {} jobs; {} CRC errors, {} junk bytes\n",
	           t.valid, t.hw_errors, t.duplicates, t.stale, t.unknown_job, cs.unattributed,
	           cs.jobs_sent, cs.parser.crc_errors, cs.parser.junk_bytes);
	fmt::print("hashrate: {:.1f} GH/s measured from nonces, {:.1f} GH/s nominal ({} chips x "
	           "{} cores x {:.2f} MHz): {:.1f} %\n",
	           total_ghs, nominal, t.chips, chain.family().small_cores, run.freq_mhz,
	           nominal > 0 ? 100.0 * total_ghs / nominal : 0.0);
}

boost::json::object mine_summary_json(const hashboard::Chain &chain, const MineRun &run,
                                      const hashboard::ScanResult &scan)
{
	boost::json::array chips;
	for (const auto &c : chain.chips())
		if (c.answered)
			chips.push_back(chip_json(c, chain.chip_stats()[c.position], run.seconds));
	const NonceTally t = tally_chips(chain);
	const auto &cs = chain.stats();
	return {{"family", std::string(chain.family().name)},
	        {"transport", run.transport},
	        {"seconds", run.seconds},
	        {"freq_mhz", run.freq_mhz},
	        {"ticket_log2", run.ticket_log2},
	        {"baud", run.baud},
	        {"scan", scan_to_json(chain.family(), scan)},
	        {"chips", chips},
	        {"total",
	         {{"nonces", t.nonces()},
	          {"valid", t.valid},
	          {"hw_errors", t.hw_errors},
	          {"duplicates", t.duplicates},
	          {"stale", t.stale},
	          {"unknown_job", t.unknown_job},
	          {"unattributed", cs.unattributed},
	          {"jobs", cs.jobs_sent},
	          {"crc_errors", cs.parser.crc_errors},
	          {"junk_bytes", cs.parser.junk_bytes},
	          {"ghs", ghs(t.credited_hashes, run.seconds)},
	          {"nominal_ghs", nominal_ghs(chain, run, t.chips)}}}};
}

} // namespace hbctl
