// SPDX-License-Identifier: MIT
// hbctl mine: the per-chip tables and the summary, as text or one JSON document.
#pragma once

#include <hashboard/chain.hpp>

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace hbctl {

// What a finished run was, beside what the chain counted.
struct MineRun {
	std::string transport;
	double seconds = 0; // mined, on the chain's clock
	double freq_mhz = 0;
	unsigned ticket_log2 = 0;
	std::uint32_t baud = 0;
};

// One row per answering chip: its nonce classes, the hashrate since window_start's
// counts (window_s long) and over the whole run (total_s).
void print_chip_table(const hashboard::Chain &chain,
                      const std::vector<hashboard::ChipStats> &window_start, double window_s,
                      double total_s);

// The table over the whole run, the totals and the hashrate against the nominal.
void print_mine_summary(const hashboard::Chain &chain, const MineRun &run);
boost::json::object mine_summary_json(const hashboard::Chain &chain, const MineRun &run,
                                      const hashboard::ScanResult &scan);

} // namespace hbctl
