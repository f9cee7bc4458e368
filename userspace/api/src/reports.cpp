// SPDX-License-Identifier: MIT
#include "reports.hpp"

#include "codes.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace hashboardd::api {

namespace {

using boost::json::array;
using boost::json::object;

// Every double that goes out is finite: a NaN from a broken sensor or a division by a
// zero elapsed time would make the reply unreadable (JSON has no NaN).
double num(double v)
{
	return std::isfinite(v) ? v : 0.0;
}

double num(const std::optional<double> &v)
{
	return v ? num(*v) : 0.0;
}

double percent(double part, double whole)
{
	return whole > 0 ? num(100.0 * part / whole) : 0.0;
}

double per_minute(double count, double elapsed_s)
{
	return elapsed_s > 0 ? num(count * 60.0 / elapsed_s) : 0.0;
}

std::uint64_t valid_nonces(const DaemonStatus &s)
{
	std::uint64_t n = 0;
	for (const ChainStatus &c : s.chains)
		n += c.valid;
	return n;
}

const PoolStatus *active_pool(const DaemonStatus &s)
{
	for (const PoolStatus &p : s.pools)
		if (p.active)
			return &p;
	return nullptr;
}

std::optional<double> hottest_chip(const DaemonStatus &s)
{
	std::optional<double> t;
	for (const ChainStatus &c : s.chains)
		if (c.chip_temp_c && std::isfinite(*c.chip_temp_c) && (!t || *c.chip_temp_c > *t))
			t = c.chip_temp_c;
	return t;
}

std::string chain_name(const ChainStatus &c)
{
	return c.family.empty() ? std::string("HB") : c.family;
}

// The ASC's Status as cgminer words it: Alive while it hashes, Sick with chips
// missing, Dead with none.
const char *chain_health(const ChainStatus &c)
{
	if (c.chips_found == 0)
		return "Dead";
	if (c.chips_found < c.chips_expected)
		return "Sick";
	return "Alive";
}

bool chain_enabled(const ChainStatus &c)
{
	return c.chips_found > 0 && c.state != "off";
}

// "stratum+tcp://host:port" -> "host:port", cgminer's "Stratum URL".
std::string stratum_host(const std::string &url)
{
	const auto p = url.find("://");
	return p == std::string::npos ? url : url.substr(p + 3);
}

std::string chip_string(const ChainStatus &c)
{
	std::string acs;
	for (const ChipStatus &chip : c.chips)
		acs += chip.alive ? 'o' : 'x';
	// Chips the board file expects that never answered are problem chips too.
	while (acs.size() < c.chips_expected)
		acs += 'x';
	return acs;
}

Section section(std::string name, array records, bool plain_named)
{
	Section s;
	s.name = std::move(name);
	s.records = std::move(records);
	s.plain_named = plain_named;
	return s;
}

} // namespace

std::string firmware_description(const DaemonStatus &s)
{
	return s.version.empty() ? std::string(kFirmwareName)
	                         : fmt::format("{} {}", kFirmwareName, s.version);
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t)
{
	return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

const char *pool_status_name(PoolState state)
{
	switch (state) {
	case PoolState::alive:
		return "Alive";
	case PoolState::dead:
		return "Dead";
	case PoolState::connecting:
		// cgminer shows a pool it has not reached yet as not alive; "Dead" keeps
		// clients that test Status == "Alive" right.
		return "Dead";
	case PoolState::disabled:
		return "Disabled";
	}
	return "Dead";
}

Reply version_report(const DaemonStatus &s)
{
	object v;
	// Key names as clients read them; each value is our own: hashboardd's version,
	// the firmware name and the board model, never another firmware's.
	v["Miner"] = firmware_description(s);
	v["CGMiner"] = s.version;
	v["API"] = "3.7";
	v["Type"] = s.board_model.empty() ? std::string(kFirmwareName) : s.board_model;
	v["Firmware"] = kFirmwareName;
	v["Serial"] = s.board_serial;
	Reply r = ok_reply(code::kVersion, fmt::format("{} versions", kFirmwareName));
	r.sections.push_back(section("VERSION", array{std::move(v)}, true));
	return r;
}

Reply summary_report(const DaemonStatus &s)
{
	const Summary &m = s.summary;
	const double diff_all = m.difficulty_accepted + m.difficulty_rejected + m.difficulty_stale;
	const auto valid = static_cast<double>(valid_nonces(s));
	std::uint64_t getworks = 0;
	for (const PoolStatus &p : s.pools)
		getworks += p.works;
	object o;
	o["Elapsed"] = static_cast<std::int64_t>(num(m.elapsed_s));
	o["GHS 5s"] = num(m.hashrate_ghs_5s);
	o["GHS av"] = num(m.hashrate_ghs_avg);
	o["MHS 5s"] = num(m.hashrate_ghs_5s * 1000);
	o["MHS 1m"] = num(m.hashrate_ghs_1m * 1000);
	o["MHS 5m"] = num(m.hashrate_ghs_5m * 1000);
	o["MHS 15m"] = num(m.hashrate_ghs_15m * 1000);
	o["MHS av"] = num(m.hashrate_ghs_avg * 1000);
	o["Found Blocks"] = m.found_blocks;
	o["Getworks"] = getworks;
	o["Accepted"] = m.accepted;
	o["Rejected"] = m.rejected;
	o["Hardware Errors"] = m.hw_errors;
	o["Utility"] = per_minute(static_cast<double>(m.accepted), m.elapsed_s);
	o["Discarded"] = m.discarded;
	o["Stale"] = m.stale;
	o["Get Failures"] = m.get_failures;
	o["Local Work"] = m.local_work;
	o["Remote Failures"] = m.remote_failures;
	o["Network Blocks"] = 0;
	o["Total MH"] = num(m.hashrate_ghs_avg * 1000 * m.elapsed_s);
	o["Work Utility"] = per_minute(diff_all, m.elapsed_s);
	o["Difficulty Accepted"] = num(m.difficulty_accepted);
	o["Difficulty Rejected"] = num(m.difficulty_rejected);
	o["Difficulty Stale"] = num(m.difficulty_stale);
	o["Best Share"] = num(m.best_share);
	o["Device Hardware%"] =
	    percent(static_cast<double>(m.hw_errors), static_cast<double>(m.hw_errors) + valid);
	o["Device Rejected%"] = percent(m.difficulty_rejected, diff_all);
	o["Pool Rejected%"] = percent(m.difficulty_rejected, diff_all);
	o["Pool Stale%"] = percent(m.difficulty_stale, diff_all);
	o["Last getwork"] = unix_seconds(s.now);
	o["Power"] = num(m.power_w);
	if (m.efficiency_j_per_th)
		o["Efficiency"] = num(m.efficiency_j_per_th);
	Reply r = ok_reply(code::kSummary, "Summary");
	r.sections.push_back(section("SUMMARY", array{std::move(o)}, true));
	return r;
}

Reply devs_report(const DaemonStatus &s, bool enabled_only)
{
	array devs;
	const double elapsed = num(s.summary.elapsed_s);
	for (std::size_t i = 0; i < s.chains.size(); ++i) {
		const ChainStatus &c = s.chains[i];
		if (enabled_only && !chain_enabled(c))
			continue;
		object d;
		d["ASC"] = i;
		d["Name"] = chain_name(c);
		d["ID"] = c.id;
		d["Enabled"] = chain_enabled(c) ? "Y" : "N";
		d["Status"] = chain_health(c);
		d["Temperature"] = num(c.chip_temp_c);
		d["MHS av"] = num(c.hashrate_ghs_avg * 1000);
		d["MHS 5s"] = num(c.hashrate_ghs_5s * 1000);
		d["GHS av"] = num(c.hashrate_ghs_avg);
		d["GHS 5s"] = num(c.hashrate_ghs_5s);
		d["Hardware Errors"] = c.hw_errors;
		d["Diff1 Work"] = c.valid;
		d["Total MH"] = num(c.hashrate_ghs_avg * 1000 * elapsed);
		d["Device Hardware%"] = percent(static_cast<double>(c.hw_errors),
		                                static_cast<double>(c.hw_errors + c.valid));
		d["Device Elapsed"] = static_cast<std::int64_t>(elapsed);
		d["Frequency"] = num(c.freq_avg_mhz);
		d["Chips"] = c.chips_found;
		d["Chips Expected"] = c.chips_expected;
		d["State"] = c.state;
		devs.push_back(std::move(d));
	}
	Reply r;
	if (s.chains.empty()) {
		r = error_reply(code::kNoDevs, "No ASCs");
	} else {
		r = ok_reply(code::kDevs, fmt::format("{} ASC(s)", devs.size()));
	}
	r.sections.push_back(section("DEVS", std::move(devs), false));
	return r;
}

Reply pools_report(const DaemonStatus &s)
{
	array pools;
	for (const PoolStatus &p : s.pools) {
		const double diff_all =
		    p.difficulty_accepted + p.difficulty_rejected + p.difficulty_stale;
		object o;
		o["POOL"] = p.index;
		o["URL"] = p.url;
		o["Status"] = pool_status_name(p.state);
		o["Priority"] = p.priority;
		o["Quota"] = 1;
		o["Long Poll"] = "N";
		o["Getworks"] = p.works;
		o["Accepted"] = p.accepted;
		o["Rejected"] = p.rejected;
		o["Works"] = p.works;
		o["Discarded"] = p.discarded;
		o["Stale"] = p.stale;
		o["Get Failures"] = p.get_failures;
		o["Remote Failures"] = p.remote_failures;
		o["User"] = p.user;
		o["Last Share Time"] =
		    p.last_share_time ? unix_seconds(*p.last_share_time) : std::int64_t{0};
		o["Difficulty Accepted"] = num(p.difficulty_accepted);
		o["Difficulty Rejected"] = num(p.difficulty_rejected);
		o["Difficulty Stale"] = num(p.difficulty_stale);
		o["Last Share Difficulty"] = num(p.last_share_difficulty);
		o["Has Stratum"] = true;
		o["Stratum Active"] = p.active;
		o["Stratum URL"] = p.active ? stratum_host(p.url) : std::string();
		o["Stratum Difficulty"] = num(p.difficulty);
		o["Has Vmask"] = p.version_rolling;
		o["Version Mask"] = fmt::format("{:08x}", p.version_mask);
		o["Best Share"] = num(p.best_share);
		o["Pool Rejected%"] = percent(p.difficulty_rejected, diff_all);
		o["Pool Stale%"] = percent(p.difficulty_stale, diff_all);
		pools.push_back(std::move(o));
	}
	Reply r;
	if (s.pools.empty())
		r = error_reply(code::kNoPool, "No pools");
	else
		r = ok_reply(code::kPool, fmt::format("{} Pool(s)", s.pools.size()));
	r.sections.push_back(section("POOLS", std::move(pools), false));
	return r;
}

Reply stats_report(const DaemonStatus &s)
{
	// STATS[0] is the version block, STATS[1] the miner's own, as bmminer lays them
	// out and pyasic's and Hive OS's readers index them.
	object head;
	head["STATS"] = 0;
	head["ID"] = kFirmwareName;
	head["Elapsed"] = static_cast<std::int64_t>(num(s.summary.elapsed_s));
	head["Miner"] = firmware_description(s);
	head["Type"] = s.board_model.empty() ? std::string(kFirmwareName) : s.board_model;

	object m;
	m["STATS"] = 1;
	m["ID"] = fmt::format("{}0", kFirmwareName);
	m["Elapsed"] = static_cast<std::int64_t>(num(s.summary.elapsed_s));
	m["GHS 5s"] = num(s.summary.hashrate_ghs_5s);
	m["GHS av"] = num(s.summary.hashrate_ghs_avg);
	m["rate_unit"] = "GH";
	m["miner_count"] = s.chains.size();
	m["fan_num"] = s.fans.size();
	for (std::size_t f = 0; f < s.fans.size(); ++f)
		m[fmt::format("fan{}", f + 1)] =
		    static_cast<std::int64_t>(std::lround(num(s.fans[f].rpm)));
	m["temp_num"] = s.chains.size();
	double rate = 0, ideal = 0, freq_sum = 0;
	unsigned acn = 0;
	double temp_max = 0;
	for (std::size_t i = 0; i < s.chains.size(); ++i) {
		const ChainStatus &c = s.chains[i];
		// Chains are numbered from 1, as bmminer's S9 numbering that readers scan.
		const std::size_t n = i + 1;
		m[fmt::format("chain_acn{}", n)] = c.chips_found;
		m[fmt::format("chain_acs{}", n)] = chip_string(c);
		m[fmt::format("chain_hw{}", n)] = c.hw_errors;
		m[fmt::format("chain_rate{}", n)] = num(c.hashrate_ghs_5s);
		m[fmt::format("chain_rateideal{}", n)] = num(c.hashrate_ideal_ghs);
		m[fmt::format("freq_avg{}", n)] = num(c.freq_avg_mhz);
		m[fmt::format("temp{}", n)] = num(c.chip_temp_c);
		m[fmt::format("temp2_{}", n)] = num(c.board_temp_c);
		m[fmt::format("temp_chip{}", n)] = num(c.chip_temp_c);
		m[fmt::format("chain_vol{}", n)] = num(c.voltage_mv);
		rate += num(c.hashrate_ghs_5s);
		ideal += num(c.hashrate_ideal_ghs);
		freq_sum += num(c.freq_avg_mhz);
		acn += c.chips_found;
		temp_max = std::max(temp_max, num(c.chip_temp_c));
	}
	m["temp_max"] = temp_max;
	m["total_rateideal"] = ideal;
	m["total_rate"] = rate;
	m["total_freqavg"] =
	    s.chains.empty() ? 0.0 : num(freq_sum / static_cast<double>(s.chains.size()));
	m["total_acn"] = acn;
	m["board_state"] = s.safety.board_state;
	m["trip_reason"] = s.safety.trip_reason.value_or("");
	Reply r = ok_reply(code::kMineStats, fmt::format("{} stats", kFirmwareName));
	r.sections.push_back(section("STATS", array{std::move(head), std::move(m)}, false));
	return r;
}

Reply config_report(const DaemonStatus &s)
{
	object o;
	o["ASC Count"] = s.chains.size();
	o["PGA Count"] = 0;
	o["Pool Count"] = s.pools.size();
	o["Strategy"] = "Failover";
	o["Log Interval"] = 5;
	o["Device Code"] = "ASC";
	o["OS"] = "Linux";
	o["Hotplug"] = "None";
	Reply r = ok_reply(code::kMineConfig, fmt::format("{} config", kFirmwareName));
	r.sections.push_back(section("CONFIG", array{std::move(o)}, true));
	return r;
}

Reply devdetails_report(const DaemonStatus &s)
{
	array out;
	for (std::size_t i = 0; i < s.chains.size(); ++i) {
		const ChainStatus &c = s.chains[i];
		object d;
		d["DEVDETAILS"] = i;
		d["Name"] = chain_name(c);
		d["ID"] = c.id;
		d["Driver"] = "hashboard";
		d["Kernel"] = "";
		d["Model"] = s.board_model;
		d["Device Path"] = fmt::format("chain{}", c.id);
		d["Firmware"] = kFirmwareName;
		d["Chips Expected"] = c.chips_expected;
		out.push_back(std::move(d));
	}
	Reply r = ok_reply(code::kDevDetails, "Device Details");
	r.sections.push_back(section("DEVDETAILS", std::move(out), false));
	return r;
}

Reply coin_report(const DaemonStatus &)
{
	object o;
	o["Hash Method"] = "sha256";
	Reply r = ok_reply(code::kMineCoin, fmt::format("{} coin", kFirmwareName));
	r.sections.push_back(section("COIN", array{std::move(o)}, true));
	return r;
}

Reply lcd_report(const DaemonStatus &s)
{
	const PoolStatus *p = active_pool(s);
	object o;
	o["Elapsed"] = static_cast<std::int64_t>(num(s.summary.elapsed_s));
	o["GHS av"] = num(s.summary.hashrate_ghs_avg);
	o["GHS 5m"] = num(s.summary.hashrate_ghs_5m);
	o["GHS 5s"] = num(s.summary.hashrate_ghs_5s);
	o["Temperature"] = num(hottest_chip(s));
	o["Last Share Difficulty"] = p ? num(p->last_share_difficulty) : 0.0;
	o["Last Share Time"] =
	    p && p->last_share_time ? unix_seconds(*p->last_share_time) : std::int64_t{0};
	o["Best Share"] = num(s.summary.best_share);
	o["Found Blocks"] = s.summary.found_blocks;
	o["Current Pool"] = p ? p->url : std::string();
	o["User"] = p ? p->user : std::string();
	Reply r = ok_reply(code::kLcd, "LCD");
	r.sections.push_back(section("LCD", array{std::move(o)}, true));
	return r;
}

} // namespace hashboardd::api
