// SPDX-License-Identifier: MIT
#include <hashboardd/api/status_json.hpp>

#include "json_writer.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace hashboardd::api {

namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

value opt(const std::optional<double> &v)
{
	if (v && std::isfinite(*v))
		return *v;
	return nullptr;
}

double seconds_since_epoch(std::chrono::system_clock::time_point t)
{
	return std::chrono::duration<double>(t.time_since_epoch()).count();
}

const char *pool_state_name(PoolState s)
{
	switch (s) {
	case PoolState::alive:
		return "alive";
	case PoolState::dead:
		return "dead";
	case PoolState::connecting:
		return "connecting";
	case PoolState::disabled:
		return "disabled";
	}
	return "dead";
}

object summary_json(const Summary &m)
{
	object o;
	o["elapsed_s"] = m.elapsed_s;
	o["hashrate_ghs_5s"] = m.hashrate_ghs_5s;
	o["hashrate_ghs_1m"] = m.hashrate_ghs_1m;
	o["hashrate_ghs_5m"] = m.hashrate_ghs_5m;
	o["hashrate_ghs_15m"] = m.hashrate_ghs_15m;
	o["hashrate_ghs_avg"] = m.hashrate_ghs_avg;
	o["hashrate_ideal_ghs"] = m.hashrate_ideal_ghs;
	o["accepted"] = m.accepted;
	o["rejected"] = m.rejected;
	o["stale"] = m.stale;
	o["hw_errors"] = m.hw_errors;
	o["found_blocks"] = m.found_blocks;
	o["discarded"] = m.discarded;
	o["get_failures"] = m.get_failures;
	o["remote_failures"] = m.remote_failures;
	o["local_work"] = m.local_work;
	o["difficulty_accepted"] = m.difficulty_accepted;
	o["difficulty_rejected"] = m.difficulty_rejected;
	o["difficulty_stale"] = m.difficulty_stale;
	o["best_share"] = m.best_share;
	o["power_w"] = m.power_w;
	o["efficiency_j_per_th"] = opt(m.efficiency_j_per_th);
	return o;
}

object chain_json(const ChainStatus &c)
{
	object o;
	o["id"] = c.id;
	o["family"] = c.family;
	o["state"] = c.state;
	o["chips_expected"] = c.chips_expected;
	o["chips_found"] = c.chips_found;
	o["hashrate_ghs_5s"] = c.hashrate_ghs_5s;
	o["hashrate_ghs_avg"] = c.hashrate_ghs_avg;
	o["hashrate_ideal_ghs"] = c.hashrate_ideal_ghs;
	o["freq_avg_mhz"] = c.freq_avg_mhz;
	o["valid"] = c.valid;
	o["hw_errors"] = c.hw_errors;
	o["chip_temp_c"] = opt(c.chip_temp_c);
	o["board_temp_c"] = opt(c.board_temp_c);
	o["voltage_mv"] = opt(c.voltage_mv);
	array chips;
	for (const ChipStatus &chip : c.chips) {
		object k;
		k["position"] = chip.position;
		k["alive"] = chip.alive;
		k["freq_mhz"] = chip.freq_mhz;
		k["hashrate_ghs"] = chip.hashrate_ghs;
		k["valid"] = chip.valid;
		k["hw_errors"] = chip.hw_errors;
		k["temperature_c"] = opt(chip.temperature_c);
		chips.push_back(std::move(k));
	}
	o["chips"] = std::move(chips);
	return o;
}

object pool_json(const PoolStatus &p)
{
	object o;
	o["index"] = p.index;
	o["priority"] = p.priority;
	o["url"] = p.url;
	o["user"] = p.user;
	o["state"] = pool_state_name(p.state);
	o["active"] = p.active;
	o["accepted"] = p.accepted;
	o["rejected"] = p.rejected;
	o["stale"] = p.stale;
	o["works"] = p.works;
	o["discarded"] = p.discarded;
	o["get_failures"] = p.get_failures;
	o["remote_failures"] = p.remote_failures;
	o["difficulty"] = p.difficulty;
	o["difficulty_accepted"] = p.difficulty_accepted;
	o["difficulty_rejected"] = p.difficulty_rejected;
	o["difficulty_stale"] = p.difficulty_stale;
	o["last_share_difficulty"] = p.last_share_difficulty;
	if (p.last_share_time)
		o["last_share_time"] = seconds_since_epoch(*p.last_share_time);
	else
		o["last_share_time"] = nullptr;
	o["best_share"] = p.best_share;
	o["version_rolling"] = p.version_rolling;
	o["version_mask"] = p.version_mask;
	return o;
}

object tuning_json(const TuningStatus &t)
{
	object o;
	o["mode"] = t.mode;
	o["state"] = t.state;
	o["profile_serial"] = t.profile_serial;
	o["target"] = opt(t.target);
	o["hashrate_ths"] = opt(t.hashrate_ths);
	o["power_w"] = opt(t.power_w);
	o["j_per_th"] = opt(t.j_per_th);
	o["error"] = t.error;
	array sweep;
	for (const auto &p : t.sweep)
		sweep.push_back(object{{"mv", p.mv},
		                       {"median_mhz", p.median_mhz},
		                       {"hashrate_ths", p.hashrate_ths},
		                       {"power_w", p.power_w},
		                       {"j_per_th", p.j_per_th}});
	o["sweep"] = std::move(sweep);
	return o;
}

} // namespace

value status_to_json(const DaemonStatus &s)
{
	object o;
	o["firmware"] = kFirmwareName;
	o["version"] = s.version;
	o["board_model"] = s.board_model;
	o["board_serial"] = s.board_serial;
	o["now"] = seconds_since_epoch(s.now);
	o["started"] = seconds_since_epoch(s.started);
	o["summary"] = summary_json(s.summary);
	array chains;
	for (const ChainStatus &c : s.chains)
		chains.push_back(chain_json(c));
	o["chains"] = std::move(chains);
	array pools;
	for (const PoolStatus &p : s.pools)
		pools.push_back(pool_json(p));
	o["pools"] = std::move(pools);
	array fans;
	for (const FanStatus &f : s.fans) {
		object k;
		k["name"] = f.name;
		k["duty"] = f.duty;
		k["rpm"] = opt(f.rpm);
		fans.push_back(std::move(k));
	}
	o["fans"] = std::move(fans);
	array sensors;
	for (const SensorStatus &t : s.sensors) {
		object k;
		k["name"] = t.name;
		k["celsius"] = opt(t.celsius);
		k["error"] = t.error;
		sensors.push_back(std::move(k));
	}
	o["sensors"] = std::move(sensors);
	object safety;
	safety["board_state"] = s.safety.board_state;
	if (s.safety.trip_reason)
		safety["trip_reason"] = *s.safety.trip_reason;
	else
		safety["trip_reason"] = nullptr;
	safety["idle_no_pool"] = s.safety.idle_no_pool;
	o["safety"] = std::move(safety);
	o["tuning"] = tuning_json(s.tuning);
	return o;
}

std::string status_json_text(const DaemonStatus &s)
{
	return json_text(status_to_json(s));
}

} // namespace hashboardd::api
