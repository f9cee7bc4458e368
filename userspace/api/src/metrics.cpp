// SPDX-License-Identifier: MIT
#include <hashboardd/api/metrics.hpp>

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <string_view>
#include <utility>

namespace hashboardd::api {

namespace {

// One metric family: HELP and TYPE once, then its samples, as the text format wants
// (all samples of a family together).
struct Family {
	std::string_view name;
	std::string_view type; // gauge or counter
	std::string_view help;
};

// Names follow Prometheus's conventions: the hashboard_ prefix, base units in the name
// (hashes_per_second, hertz, volts, celsius, watts, seconds), _total on counters.
constexpr Family kFamilies[] = {
    {"hashboard_build_info", "gauge", "Always 1; labels name the daemon's version and firmware"},
    {"hashboard_uptime_seconds", "gauge", "Seconds since the daemon started mining"},
    {"hashboard_hashrate_hashes_per_second", "gauge",
     "Hash rate of the whole miner from valid nonces, over the window label"},
    {"hashboard_hashrate_ideal_hashes_per_second", "gauge",
     "Hash rate the chips should give at their frequencies (chips x cores x frequency)"},
    {"hashboard_shares_accepted_total", "counter", "Shares the pools accepted"},
    {"hashboard_shares_rejected_total", "counter", "Shares the pools rejected"},
    {"hashboard_shares_stale_total", "counter", "Shares refused as stale or dropped"},
    {"hashboard_hardware_errors_total", "counter", "Nonces that failed the SHA-256d check"},
    {"hashboard_found_blocks_total", "counter", "Blocks found"},
    {"hashboard_local_work_total", "counter", "Jobs sent to the chips"},
    {"hashboard_best_share_difficulty", "gauge", "Highest share difficulty found"},
    {"hashboard_power_watts", "gauge", "Input power from the regulators' read-back"},
    {"hashboard_efficiency_joules_per_terahash", "gauge", "Power over hash rate"},
    {"hashboard_chain_state", "gauge", "1 for the chain's current state (state label)"},
    {"hashboard_chain_chips", "gauge", "Chips that answered enumeration"},
    {"hashboard_chain_chips_expected", "gauge", "Chips the board file expects"},
    {"hashboard_chain_hashrate_hashes_per_second", "gauge",
     "Chain hash rate from valid nonces, over the window label"},
    {"hashboard_chain_hashrate_ideal_hashes_per_second", "gauge",
     "Hash rate the chain's chips should give at their frequencies"},
    {"hashboard_chain_frequency_hertz", "gauge", "Average chip frequency on the chain"},
    {"hashboard_chain_nonces_total", "counter", "Valid nonces from the chain"},
    {"hashboard_chain_hardware_errors_total", "counter", "Bad nonces from the chain"},
    {"hashboard_chain_temperature_celsius", "gauge",
     "Chain temperature: sensor=chip (hottest chip) or sensor=board"},
    {"hashboard_chain_voltage_volts", "gauge", "Chain domain voltage from the regulator"},
    {"hashboard_chip_up", "gauge", "1 while the chip answers, 0 once it is marked bad"},
    {"hashboard_chip_frequency_hertz", "gauge", "Chip PLL frequency"},
    {"hashboard_chip_hashrate_hashes_per_second", "gauge",
     "Chip hash rate from its valid nonces over the last minute"},
    {"hashboard_chip_nonces_total", "counter", "Valid nonces from the chip"},
    {"hashboard_chip_hardware_errors_total", "counter", "Bad nonces attributed to the chip"},
    {"hashboard_chip_temperature_celsius", "gauge", "Chip temperature"},
    {"hashboard_fan_speed_rpm", "gauge", "Fan speed from its tachometer"},
    {"hashboard_fan_duty_ratio", "gauge", "Fan PWM duty, 0..1"},
    {"hashboard_sensor_temperature_celsius", "gauge", "Board temperature sensor reading"},
    {"hashboard_sensor_up", "gauge", "1 when the sensor's last read worked"},
    {"hashboard_pool_info", "gauge", "Always 1; labels name the pool's URL and user"},
    {"hashboard_pool_state", "gauge", "1 for the pool's current state (state label)"},
    {"hashboard_pool_active", "gauge", "1 for the pool work comes from now"},
    {"hashboard_pool_priority", "gauge", "Failover priority, lower is preferred"},
    {"hashboard_pool_difficulty", "gauge", "The pool's current share difficulty"},
    {"hashboard_pool_shares_accepted_total", "counter", "Shares the pool accepted"},
    {"hashboard_pool_shares_rejected_total", "counter", "Shares the pool rejected"},
    {"hashboard_pool_shares_stale_total", "counter", "Shares refused as stale"},
    {"hashboard_pool_difficulty_accepted_total", "counter",
     "Sum of the difficulty of accepted shares"},
    {"hashboard_pool_difficulty_rejected_total", "counter",
     "Sum of the difficulty of rejected shares"},
    {"hashboard_pool_works_total", "counter", "Jobs (notify messages) received"},
    {"hashboard_pool_get_failures_total", "counter", "Connects or subscribes that failed"},
    {"hashboard_pool_remote_failures_total", "counter", "Submits unanswered and connections lost"},
    {"hashboard_board_state", "gauge", "1 for the board's current state (state label)"},
    {"hashboard_safety_tripped", "gauge", "1 once the safety supervisor tripped"},
    {"hashboard_safety_trip_info", "gauge", "1 while tripped; the reason label says why"},
    {"hashboard_idle_no_pool", "gauge", "1 when the boards idle because every pool is dead"},
    {"hashboard_tuning_state", "gauge",
     "1 for the autotuner's current state (state label), mode label its goal"},
    {"hashboard_tuning_hashrate_hashes_per_second", "gauge",
     "Hash rate of the applied profile or the last tune's result"},
    {"hashboard_tuning_power_watts", "gauge",
     "Power of the applied profile or the last tune's result"},
    {"hashboard_tuning_efficiency_joules_per_terahash", "gauge",
     "Efficiency of the applied profile or the last tune's result"},
};

std::string escape_label(std::string_view v)
{
	std::string out;
	for (const char c : v) {
		if (c == '\\')
			out += "\\\\";
		else if (c == '"')
			out += "\\\"";
		else if (c == '\n')
			out += "\\n";
		else
			out += c;
	}
	return out;
}

std::string value_text(double v)
{
	if (std::isnan(v))
		return "NaN";
	if (std::isinf(v))
		return v > 0 ? "+Inf" : "-Inf";
	return fmt::format("{}", v);
}

using Labels = std::vector<std::pair<std::string_view, std::string>>;

class Writer {
public:
	void sample(std::string_view family, const Labels &labels, double value)
	{
		std::string line(family);
		if (!labels.empty()) {
			line += '{';
			for (std::size_t i = 0; i < labels.size(); ++i) {
				if (i)
					line += ',';
				line += fmt::format("{}=\"{}\"", labels[i].first,
				                    escape_label(labels[i].second));
			}
			line += '}';
		}
		line += ' ';
		line += value_text(value);
		line += '\n';
		samples_[std::string(family)] += line;
	}

	std::string text() const
	{
		std::string out;
		for (const Family &f : kFamilies) {
			const auto it = samples_.find(std::string(f.name));
			if (it == samples_.end())
				continue;
			out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name,
			                   f.type);
			out += it->second;
		}
		return out;
	}

private:
	std::map<std::string, std::string> samples_;
};

constexpr double kGiga = 1e9;
constexpr double kMega = 1e6;

} // namespace

std::string render_metrics(const DaemonStatus &s)
{
	Writer w;
	const Summary &m = s.summary;
	w.sample("hashboard_build_info",
	         {{"version", s.version}, {"firmware", kFirmwareName}, {"model", s.board_model}},
	         1);
	w.sample("hashboard_uptime_seconds", {}, m.elapsed_s);
	const std::pair<const char *, double> windows[] = {{"5s", m.hashrate_ghs_5s},
	                                                   {"1m", m.hashrate_ghs_1m},
	                                                   {"5m", m.hashrate_ghs_5m},
	                                                   {"15m", m.hashrate_ghs_15m},
	                                                   {"avg", m.hashrate_ghs_avg}};
	for (const auto &[window, ghs] : windows)
		w.sample("hashboard_hashrate_hashes_per_second", {{"window", window}}, ghs * kGiga);
	w.sample("hashboard_hashrate_ideal_hashes_per_second", {}, m.hashrate_ideal_ghs * kGiga);
	w.sample("hashboard_shares_accepted_total", {}, static_cast<double>(m.accepted));
	w.sample("hashboard_shares_rejected_total", {}, static_cast<double>(m.rejected));
	w.sample("hashboard_shares_stale_total", {}, static_cast<double>(m.stale));
	w.sample("hashboard_hardware_errors_total", {}, static_cast<double>(m.hw_errors));
	w.sample("hashboard_found_blocks_total", {}, static_cast<double>(m.found_blocks));
	w.sample("hashboard_local_work_total", {}, static_cast<double>(m.local_work));
	w.sample("hashboard_best_share_difficulty", {}, m.best_share);
	w.sample("hashboard_power_watts", {}, m.power_w);
	if (m.efficiency_j_per_th)
		w.sample("hashboard_efficiency_joules_per_terahash", {}, *m.efficiency_j_per_th);

	for (const ChainStatus &c : s.chains) {
		const std::string chain = std::to_string(c.id);
		w.sample("hashboard_chain_state", {{"chain", chain}, {"state", c.state}}, 1);
		w.sample("hashboard_chain_chips", {{"chain", chain}}, c.chips_found);
		w.sample("hashboard_chain_chips_expected", {{"chain", chain}}, c.chips_expected);
		w.sample("hashboard_chain_hashrate_hashes_per_second",
		         {{"chain", chain}, {"window", "5s"}}, c.hashrate_ghs_5s * kGiga);
		w.sample("hashboard_chain_hashrate_hashes_per_second",
		         {{"chain", chain}, {"window", "avg"}}, c.hashrate_ghs_avg * kGiga);
		w.sample("hashboard_chain_hashrate_ideal_hashes_per_second", {{"chain", chain}},
		         c.hashrate_ideal_ghs * kGiga);
		w.sample("hashboard_chain_frequency_hertz", {{"chain", chain}},
		         c.freq_avg_mhz * kMega);
		w.sample("hashboard_chain_nonces_total", {{"chain", chain}},
		         static_cast<double>(c.valid));
		w.sample("hashboard_chain_hardware_errors_total", {{"chain", chain}},
		         static_cast<double>(c.hw_errors));
		if (c.chip_temp_c)
			w.sample("hashboard_chain_temperature_celsius",
			         {{"chain", chain}, {"sensor", "chip"}}, *c.chip_temp_c);
		if (c.board_temp_c)
			w.sample("hashboard_chain_temperature_celsius",
			         {{"chain", chain}, {"sensor", "board"}}, *c.board_temp_c);
		if (c.voltage_mv)
			w.sample("hashboard_chain_voltage_volts", {{"chain", chain}},
			         *c.voltage_mv / 1000);
		for (const ChipStatus &chip : c.chips) {
			const Labels l = {{"chain", chain},
			                  {"chip", std::to_string(chip.position)}};
			w.sample("hashboard_chip_up", l, chip.alive ? 1 : 0);
			w.sample("hashboard_chip_frequency_hertz", l, chip.freq_mhz * kMega);
			w.sample("hashboard_chip_hashrate_hashes_per_second", l,
			         chip.hashrate_ghs * kGiga);
			w.sample("hashboard_chip_nonces_total", l, static_cast<double>(chip.valid));
			w.sample("hashboard_chip_hardware_errors_total", l,
			         static_cast<double>(chip.hw_errors));
			if (chip.temperature_c)
				w.sample("hashboard_chip_temperature_celsius", l,
				         *chip.temperature_c);
		}
	}
	for (const FanStatus &f : s.fans) {
		if (f.rpm)
			w.sample("hashboard_fan_speed_rpm", {{"fan", f.name}}, *f.rpm);
		w.sample("hashboard_fan_duty_ratio", {{"fan", f.name}}, f.duty);
	}
	for (const SensorStatus &t : s.sensors) {
		if (t.celsius)
			w.sample("hashboard_sensor_temperature_celsius", {{"sensor", t.name}},
			         *t.celsius);
		w.sample("hashboard_sensor_up", {{"sensor", t.name}}, t.error.empty() ? 1 : 0);
	}
	for (const PoolStatus &p : s.pools) {
		const std::string pool = std::to_string(p.index);
		const Labels l = {{"pool", pool}};
		w.sample("hashboard_pool_info", {{"pool", pool}, {"url", p.url}, {"user", p.user}},
		         1);
		static constexpr std::pair<PoolState, const char *> kStates[] = {
		    {PoolState::alive, "alive"},
		    {PoolState::dead, "dead"},
		    {PoolState::connecting, "connecting"},
		    {PoolState::disabled, "disabled"}};
		// Every state with 0 or 1, so a query for one state sees it fall to 0.
		for (const auto &[state, name] : kStates)
			w.sample("hashboard_pool_state", {{"pool", pool}, {"state", name}},
			         p.state == state ? 1 : 0);
		w.sample("hashboard_pool_active", l, p.active ? 1 : 0);
		w.sample("hashboard_pool_priority", l, p.priority);
		w.sample("hashboard_pool_difficulty", l, p.difficulty);
		w.sample("hashboard_pool_shares_accepted_total", l,
		         static_cast<double>(p.accepted));
		w.sample("hashboard_pool_shares_rejected_total", l,
		         static_cast<double>(p.rejected));
		w.sample("hashboard_pool_shares_stale_total", l, static_cast<double>(p.stale));
		w.sample("hashboard_pool_difficulty_accepted_total", l, p.difficulty_accepted);
		w.sample("hashboard_pool_difficulty_rejected_total", l, p.difficulty_rejected);
		w.sample("hashboard_pool_works_total", l, static_cast<double>(p.works));
		w.sample("hashboard_pool_get_failures_total", l,
		         static_cast<double>(p.get_failures));
		w.sample("hashboard_pool_remote_failures_total", l,
		         static_cast<double>(p.remote_failures));
	}
	w.sample("hashboard_board_state", {{"state", s.safety.board_state}}, 1);
	w.sample("hashboard_safety_tripped", {}, s.safety.trip_reason ? 1 : 0);
	if (s.safety.trip_reason)
		w.sample("hashboard_safety_trip_info", {{"reason", *s.safety.trip_reason}}, 1);
	w.sample("hashboard_idle_no_pool", {}, s.safety.idle_no_pool ? 1 : 0);

	const TuningStatus &t = s.tuning;
	// Every state with 0 or 1, as the pools' states, so a query for one sees it fall.
	for (const char *state : {"off", "applied", "tuning", "tuned", "failed"})
		w.sample("hashboard_tuning_state", {{"mode", t.mode}, {"state", state}},
		         t.state == state ? 1 : 0);
	if (t.hashrate_ths)
		w.sample("hashboard_tuning_hashrate_hashes_per_second", {}, *t.hashrate_ths * 1e12);
	if (t.power_w)
		w.sample("hashboard_tuning_power_watts", {}, *t.power_w);
	if (t.j_per_th)
		w.sample("hashboard_tuning_efficiency_joules_per_terahash", {}, *t.j_per_th);
	return w.text();
}

const std::vector<std::string> &metric_names()
{
	// Built on first use from the constant table; never changes after.
	static const std::vector<std::string> names = [] {
		std::vector<std::string> n;
		for (const Family &f : kFamilies)
			n.emplace_back(f.name);
		return n;
	}();
	return names;
}

} // namespace hashboardd::api
