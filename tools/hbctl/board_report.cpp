// SPDX-License-Identifier: MIT
#include "board_report.hpp"

#include <algorithm>

namespace hbctl {
namespace {

using hashboard::Board;
using hashboard::ChainBringUp;
using hashboard::ChipStats;

double ghs(double hashes, double seconds)
{
	return seconds > 0 ? hashes / seconds / 1e9 : 0.0;
}

const ChainBringUp *bring_up_of(const Board &board, unsigned id)
{
	for (const auto &r : board.bring_up_report())
		if (r.chain_id == id)
			return &r;
	return nullptr;
}

struct ChainTotals {
	std::uint64_t valid = 0, hw = 0, dup = 0, stale = 0;
	double credited = 0, nominal_ghs = 0;
};

ChainTotals totals(const hashboard::Chain &chain, const std::vector<double> &mhz)
{
	ChainTotals t;
	const auto &stats = chain.chip_stats();
	for (const auto &c : chain.chips()) {
		if (!c.answered || c.position >= stats.size())
			continue;
		const ChipStats &s = stats[c.position];
		t.valid += s.valid;
		t.hw += s.hw_errors;
		t.dup += s.duplicates;
		t.stale += s.stale;
		t.credited += s.credited_hashes;
		if (c.position < mhz.size())
			t.nominal_ghs += chain.family().hashes_per_second(mhz[c.position]) / 1e9;
	}
	return t;
}

std::string break_text(const ChainBringUp *r)
{
	if (!r)
		return "-";
	if (!r->scan.break_after)
		return r->scan.silent_positions.empty() ? "none" : "silent chips";
	return *r->scan.break_after ? "after " + std::to_string(*r->scan.break_after - 1) : "at 0";
}

} // namespace

BoardSnapshot snapshot(Board &board, std::string action, std::string file, bool simulated,
                       double seconds)
{
	BoardSnapshot s;
	s.action = std::move(action);
	s.file = std::move(file);
	s.simulated = simulated;
	s.seconds = seconds;
	s.sensors = board.read_sensors();
	s.fans = board.read_fans();
	s.regulators = board.read_regulators();
	for (unsigned id : board.chain_ids())
		s.chip_mhz[id] = board.chain(id).chip_frequencies_mhz();
	return s;
}

void print_board_report(std::FILE *out, Board &board, const BoardSnapshot &snap, bool chips)
{
	const auto &cfg = board.config();
	std::fprintf(out, "board %s (%s)%s: %s\n", cfg.name.c_str(), snap.file.c_str(),
	             snap.simulated ? ", simulated" : "",
	             std::string(hashboard::board_state_name(board.state())).c_str());
	std::fprintf(out, "%-5s %-7s %-6s %-12s %8s %5s %8s %8s %9s %8s %6s %6s %9s %9s\n", "chain",
	             "family", "chips", "break", "baud", "tkt", "MHz", "valid", "hw_err", "dup",
	             "stale", "jobs", "GH/s", "nominal");
	for (unsigned id : board.chain_ids()) {
		const auto &chain = board.chain(id);
		const ChainBringUp *r = bring_up_of(board, id);
		const ChainTotals t = totals(chain, snap.chip_mhz.at(id));
		const std::string found =
		    r ? std::to_string(r->scan.found()) + "/" + std::to_string(r->scan.expected)
		      : "-/" + std::to_string(cfg.chain(id).chips);
		std::fprintf(out,
		             "%-5u %-7s %-6s %-12s %8u %5u %8.2f %8llu %9llu %8llu %6llu %6llu "
		             "%9.1f %9.1f\n",
		             id, std::string(chain.family().name).c_str(), found.c_str(),
		             break_text(r).c_str(), r ? r->baud : 0u, r ? r->ticket_log2 : 0u,
		             r ? r->max_mhz : 0.0, (unsigned long long)t.valid,
		             (unsigned long long)t.hw, (unsigned long long)t.dup,
		             (unsigned long long)t.stale,
		             (unsigned long long)chain.stats().jobs_sent,
		             ghs(t.credited, snap.seconds), snap.seconds > 0 ? t.nominal_ghs : 0.0);
	}
	if (chips) {
		std::fprintf(out, "%-5s %-4s %-7s %8s %8s %8s %6s %6s %9s\n", "chain", "chip",
		             "address", "MHz", "valid", "hw_err", "dup", "stale", "GH/s");
		for (unsigned id : board.chain_ids()) {
			const auto &chain = board.chain(id);
			const auto &stats = chain.chip_stats();
			const auto &mhz = snap.chip_mhz.at(id);
			for (const auto &c : chain.chips()) {
				if (!c.answered) {
					std::fprintf(out, "%-5u %-4u 0x%02x    %8s\n", id,
					             c.position, c.address, "no answer");
					continue;
				}
				const ChipStats &s = stats.at(c.position);
				std::fprintf(
				    out,
				    "%-5u %-4u 0x%02x    %8.2f %8llu %8llu %6llu %6llu %9.1f\n", id,
				    c.position, c.address, mhz.at(c.position),
				    (unsigned long long)s.valid, (unsigned long long)s.hw_errors,
				    (unsigned long long)s.duplicates, (unsigned long long)s.stale,
				    ghs(s.credited_hashes, snap.seconds));
			}
		}
	}
	std::fprintf(out, "%-10s %-10s %-6s %9s %8s %8s %s\n", "domain", "regulator", "chain", "mV",
	             "A", "W", "status");
	for (const auto &d : cfg.domains) {
		const auto it = std::find_if(snap.regulators.begin(), snap.regulators.end(),
		                             [&](const auto &r) { return r.name == d.regulator; });
		if (it == snap.regulators.end())
			continue;
		std::string status = it->error;
		if (it->status)
			for (const auto &f : it->status->faults)
				status += (status.empty() ? "" : ",") + f;
		if (status.empty())
			status = it->status && it->status->power_good ? "power good" : "off";
		std::fprintf(out, "%-10s %-10s %-6u %9.1f %8.2f %8.1f %s\n", d.name.c_str(),
		             d.regulator.c_str(), d.chain, it->vout_mv.value_or(0),
		             it->iout_a.value_or(0), it->power_w(), status.c_str());
	}
	for (const auto &s : snap.sensors) {
		if (s.celsius)
			std::fprintf(out, "sensor %-12s %6.1f C\n", s.name.c_str(), *s.celsius);
		else
			std::fprintf(out, "sensor %-12s %s\n", s.name.c_str(), s.error.c_str());
	}
	for (const auto &f : snap.fans) {
		if (f.rpm)
			std::fprintf(out, "fan    %-12s %5.0f %% duty, %6.0f rpm\n", f.name.c_str(),
			             f.duty * 100, *f.rpm);
		else
			std::fprintf(out, "fan    %-12s %5.0f %% duty, %s\n", f.name.c_str(),
			             f.duty * 100, f.error.c_str());
	}
	for (const auto &w : snap.warnings)
		std::fprintf(out, "WARNING %s\n", w.c_str());
	if (const auto trip = board.trip_reason())
		std::fprintf(out, "TRIPPED at %.2f s: %s\n", hashboard::to_seconds(trip->when),
		             trip->message().c_str());
}

boost::json::object board_report_json(Board &board, const BoardSnapshot &snap)
{
	namespace json = boost::json;
	const auto &cfg = board.config();
	json::array chains;
	double total_credited = 0, total_nominal = 0;
	std::uint64_t total_valid = 0, total_hw = 0;
	for (unsigned id : board.chain_ids()) {
		const auto &chain = board.chain(id);
		const ChainBringUp *r = bring_up_of(board, id);
		const ChainTotals t = totals(chain, snap.chip_mhz.at(id));
		total_credited += t.credited;
		total_nominal += t.nominal_ghs;
		total_valid += t.valid;
		total_hw += t.hw;
		json::array chip_list;
		const auto &stats = chain.chip_stats();
		const auto &mhz = snap.chip_mhz.at(id);
		for (const auto &c : chain.chips()) {
			json::object o{{"position", c.position},
			               {"address", c.address},
			               {"answered", c.answered}};
			if (c.answered && c.position < stats.size()) {
				const ChipStats &s = stats[c.position];
				o["mhz"] = mhz.at(c.position);
				o["valid"] = s.valid;
				o["hw_errors"] = s.hw_errors;
				o["duplicates"] = s.duplicates;
				o["stale"] = s.stale;
				o["ghs"] = ghs(s.credited_hashes, snap.seconds);
				o["cores_seen"] = s.per_core_valid.size();
			}
			chip_list.push_back(std::move(o));
		}
		json::object c{{"id", id},
		               {"family", std::string(chain.family().name)},
		               {"link", board.link_description(id)},
		               {"expected", cfg.chain(id).chips},
		               {"jobs", chain.stats().jobs_sent},
		               {"valid", t.valid},
		               {"hw_errors", t.hw},
		               {"duplicates", t.dup},
		               {"stale", t.stale},
		               {"unattributed", chain.stats().unattributed},
		               {"ghs", ghs(t.credited, snap.seconds)},
		               {"nominal_ghs", snap.seconds > 0 ? t.nominal_ghs : 0.0},
		               {"chips", std::move(chip_list)}};
		if (r) {
			c["found"] = r->scan.found();
			c["break_after"] = r->scan.break_after ? json::value(*r->scan.break_after)
			                                       : json::value(nullptr);
			json::array silent;
			for (unsigned p : r->scan.silent_positions)
				silent.push_back(p);
			c["silent_positions"] = std::move(silent);
			c["baud"] = r->baud;
			c["ticket_log2"] = r->ticket_log2;
			c["max_mhz"] = r->max_mhz;
		}
		chains.push_back(std::move(c));
	}
	json::array domains;
	for (const auto &d : cfg.domains) {
		json::object o{{"name", d.name},
		               {"regulator", d.regulator},
		               {"chain", d.chain},
		               {"chips", d.chip_count()}};
		for (const auto &r : snap.regulators) {
			if (r.name != d.regulator)
				continue;
			o["vout_mv"] = r.vout_mv ? json::value(*r.vout_mv) : json::value(nullptr);
			o["iout_a"] = r.iout_a ? json::value(*r.iout_a) : json::value(nullptr);
			o["power_w"] = r.power_w();
			json::array faults;
			if (r.status)
				for (const auto &f : r.status->faults)
					faults.push_back(json::value(f));
			o["faults"] = std::move(faults);
			o["error"] = r.error;
		}
		domains.push_back(std::move(o));
	}
	json::array sensors, fans, warnings;
	for (const auto &s : snap.sensors)
		sensors.push_back(
		    {{"name", s.name},
		     {"celsius", s.celsius ? json::value(*s.celsius) : json::value(nullptr)},
		     {"error", s.error}});
	for (const auto &f : snap.fans)
		fans.push_back({{"name", f.name},
		                {"duty", f.duty},
		                {"rpm", f.rpm ? json::value(*f.rpm) : json::value(nullptr)},
		                {"error", f.error}});
	for (const auto &w : snap.warnings)
		warnings.push_back(json::value(w));
	json::value trip = nullptr;
	if (const auto t = board.trip_reason())
		trip = json::object{{"cause", std::string(hashboard::trip_cause_name(t->cause))},
		                    {"device", t->device},
		                    {"detail", t->detail},
		                    {"at_s", hashboard::to_seconds(t->when)},
		                    {"message", t->message()}};
	return json::object{{"board", cfg.name},
	                    {"file", snap.file},
	                    {"action", snap.action},
	                    {"simulated", snap.simulated},
	                    {"state", std::string(hashboard::board_state_name(board.state()))},
	                    {"seconds", snap.seconds},
	                    {"chains", std::move(chains)},
	                    {"domains", std::move(domains)},
	                    {"sensors", std::move(sensors)},
	                    {"fans", std::move(fans)},
	                    {"warnings", std::move(warnings)},
	                    {"trip", std::move(trip)},
	                    {"total",
	                     {{"valid", total_valid},
	                      {"hw_errors", total_hw},
	                      {"ghs", ghs(total_credited, snap.seconds)},
	                      {"nominal_ghs", snap.seconds > 0 ? total_nominal : 0.0}}}};
}

} // namespace hbctl
