// SPDX-License-Identifier: MIT
#include "board_report.hpp"
#include "nonce_tally.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace hbctl {
namespace {

namespace json = boost::json;
using hashboard::Board;
using hashboard::ChainBringUp;
using hashboard::ChipStats;

const ChainBringUp *bring_up_of(const Board &board, unsigned id)
{
	for (const auto &r : board.bring_up_report())
		if (r.chain_id == id)
			return &r;
	return nullptr;
}

// A chain's nonce classes, and what its chips should hash at their programmed PLLs.
struct ChainTotals {
	NonceTally nonces;
	double nominal_ghs = 0;
};

ChainTotals totals(const hashboard::Chain &chain, const std::vector<double> &mhz)
{
	ChainTotals t;
	t.nonces = tally_chips(chain);
	for (const auto &c : chain.chips())
		if (c.answered && c.position < chain.chip_stats().size() && c.position < mhz.size())
			t.nominal_ghs += chain.family().hashes_per_second(mhz[c.position]) / 1e9;
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

json::value optional_json(const std::optional<double> &v)
{
	return v ? json::value(*v) : json::value(nullptr);
}

// ---- text ------------------------------------------------------------------------------

void print_chain_table(std::FILE *out, Board &board, const BoardSnapshot &snap)
{
	fmt::print(out,
	           "{:<5} {:<7} {:<6} {:<12} {:>8} {:>5} {:>8} {:>8} {:>9} {:>8} {:>6} {:>7} {:>6} "
	           "{:>9} {:>9}\n",
	           "chain", "family", "chips", "break", "baud", "tkt", "MHz", "valid", "hw_err",
	           "dup", "stale", "unk_job", "jobs", "GH/s", "nominal");
	for (unsigned id : board.chain_ids()) {
		const auto &chain = board.chain(id);
		const ChainBringUp *r = bring_up_of(board, id);
		const ChainTotals t = totals(chain, snap.chip_mhz.at(id));
		const std::string found =
		    r ? fmt::format("{}/{}", r->scan.found(), r->scan.expected)
		      : fmt::format("-/{}", board.config().chain(id).chips);
		fmt::print(
		    out,
		    "{:<5} {:<7} {:<6} {:<12} {:8} {:5} {:8.2f} {:8} {:9} {:8} {:6} {:7} {:6} "
		    "{:9.1f} {:9.1f}\n",
		    id, chain.family().name, found, break_text(r), r ? r->baud : 0u,
		    r ? r->ticket_log2 : 0u, r ? r->max_mhz : 0.0, t.nonces.valid,
		    t.nonces.hw_errors, t.nonces.duplicates, t.nonces.stale, t.nonces.unknown_job,
		    chain.stats().jobs_sent, ghs(t.nonces.credited_hashes, snap.seconds),
		    snap.seconds > 0 ? t.nominal_ghs : 0.0);
	}
}

void print_chip_table(std::FILE *out, Board &board, const BoardSnapshot &snap)
{
	fmt::print(out, "{:<5} {:<4} {:<7} {:>8} {:>8} {:>8} {:>6} {:>6} {:>7} {:>9}\n", "chain",
	           "chip", "address", "MHz", "valid", "hw_err", "dup", "stale", "unk_job", "GH/s");
	for (unsigned id : board.chain_ids()) {
		const auto &chain = board.chain(id);
		const auto &mhz = snap.chip_mhz.at(id);
		for (const auto &c : chain.chips()) {
			if (!c.answered) {
				fmt::print(out, "{:<5} {:<4} 0x{:02x}    {:>8}\n", id, c.position,
				           c.address, "no answer");
				continue;
			}
			const ChipStats &s = chain.chip_stats().at(c.position);
			fmt::print(
			    out,
			    "{:<5} {:<4} 0x{:02x}    {:8.2f} {:8} {:8} {:6} {:6} {:7} {:9.1f}\n",
			    id, c.position, c.address, mhz.at(c.position), s.valid, s.hw_errors,
			    s.duplicates, s.stale, s.unknown_job,
			    ghs(s.credited_hashes, snap.seconds));
		}
	}
}

// The regulator's error, then its faults; without either, whether it has power good.
std::string regulator_status(const hashboard::RegulatorReading &r)
{
	std::vector<std::string> parts;
	if (!r.error.empty())
		parts.push_back(r.error);
	if (r.status)
		parts.insert(parts.end(), r.status->faults.begin(), r.status->faults.end());
	if (!parts.empty())
		return fmt::format("{}", fmt::join(parts, ","));
	return r.status && r.status->power_good ? "power good" : "off";
}

void print_domains(std::FILE *out, const Board &board, const BoardSnapshot &snap)
{
	fmt::print(out, "{:<10} {:<10} {:<6} {:>9} {:>8} {:>8} {}\n", "domain", "regulator",
	           "chain", "mV", "A", "W", "status");
	for (const auto &d : board.config().domains) {
		const auto it = std::find_if(snap.regulators.begin(), snap.regulators.end(),
		                             [&](const auto &r) { return r.name == d.regulator; });
		if (it == snap.regulators.end())
			continue;
		fmt::print(out, "{:<10} {:<10} {:<6} {:9.1f} {:8.2f} {:8.1f} {}\n", d.name,
		           d.regulator, d.chain, it->vout_mv.value_or(0), it->iout_a.value_or(0),
		           it->power_w(), regulator_status(*it));
	}
}

void print_sensors_and_fans(std::FILE *out, const BoardSnapshot &snap)
{
	for (const auto &s : snap.sensors) {
		if (s.celsius)
			fmt::print(out, "sensor {:<12} {:6.1f} C\n", s.name, *s.celsius);
		else
			fmt::print(out, "sensor {:<12} {}\n", s.name, s.error);
	}
	for (const auto &f : snap.fans) {
		if (f.rpm)
			fmt::print(out, "fan    {:<12} {:5.0f} % duty, {:6.0f} rpm\n", f.name,
			           f.duty * 100, *f.rpm);
		else
			fmt::print(out, "fan    {:<12} {:5.0f} % duty, {}\n", f.name, f.duty * 100,
			           f.error);
	}
}

void print_warnings_and_trip(std::FILE *out, const Board &board, const BoardSnapshot &snap)
{
	for (const auto &w : snap.warnings)
		fmt::print(out, "WARNING {}\n", w);
	if (const auto trip = board.trip_reason())
		fmt::print(out, "TRIPPED at {:.2f} s: {}\n", hashboard::to_seconds(trip->when),
		           trip->message());
}

// ---- JSON ------------------------------------------------------------------------------

json::array chips_json(const hashboard::Chain &chain, const std::vector<double> &mhz,
                       double seconds)
{
	json::array out;
	const auto &stats = chain.chip_stats();
	for (const auto &c : chain.chips()) {
		json::object o{
		    {"position", c.position}, {"address", c.address}, {"answered", c.answered}};
		if (c.answered && c.position < stats.size()) {
			const ChipStats &s = stats[c.position];
			o["mhz"] = mhz.at(c.position);
			o["valid"] = s.valid;
			o["hw_errors"] = s.hw_errors;
			o["duplicates"] = s.duplicates;
			o["stale"] = s.stale;
			o["unknown_job"] = s.unknown_job;
			o["ghs"] = ghs(s.credited_hashes, seconds);
			o["cores_seen"] = s.cores_seen();
		}
		out.push_back(std::move(o));
	}
	return out;
}

// What bring-up found on the chain: chips, break, and the baud, ticket and PLLs it set.
void add_bring_up(json::object &c, const ChainBringUp &r)
{
	c["found"] = r.scan.found();
	c["break_after"] =
	    r.scan.break_after ? json::value(*r.scan.break_after) : json::value(nullptr);
	json::array silent;
	for (unsigned p : r.scan.silent_positions)
		silent.push_back(p);
	c["silent_positions"] = std::move(silent);
	c["baud"] = r.baud;
	c["ticket_log2"] = r.ticket_log2;
	c["max_mhz"] = r.max_mhz;
}

json::object chain_json(const Board &board, unsigned id, const ChainTotals &t,
                        const BoardSnapshot &snap)
{
	const auto &chain = board.chain(id);
	json::object c{{"id", id},
	               {"family", std::string(chain.family().name)},
	               {"link", board.link_description(id)},
	               {"expected", board.config().chain(id).chips},
	               {"jobs", chain.stats().jobs_sent},
	               {"valid", t.nonces.valid},
	               {"hw_errors", t.nonces.hw_errors},
	               {"duplicates", t.nonces.duplicates},
	               {"stale", t.nonces.stale},
	               {"unknown_job", t.nonces.unknown_job},
	               {"unattributed", chain.stats().unattributed},
	               {"ghs", ghs(t.nonces.credited_hashes, snap.seconds)},
	               {"nominal_ghs", snap.seconds > 0 ? t.nominal_ghs : 0.0},
	               {"chips", chips_json(chain, snap.chip_mhz.at(id), snap.seconds)}};
	if (const ChainBringUp *r = bring_up_of(board, id))
		add_bring_up(c, *r);
	return c;
}

json::array domains_json(const Board &board, const BoardSnapshot &snap)
{
	json::array out;
	for (const auto &d : board.config().domains) {
		json::object o{{"name", d.name},
		               {"regulator", d.regulator},
		               {"chain", d.chain},
		               {"chips", d.chip_count()}};
		for (const auto &r : snap.regulators) {
			if (r.name != d.regulator)
				continue;
			o["vout_mv"] = optional_json(r.vout_mv);
			o["iout_a"] = optional_json(r.iout_a);
			o["power_w"] = r.power_w();
			json::array faults;
			if (r.status)
				for (const auto &f : r.status->faults)
					faults.push_back(json::value(f));
			o["faults"] = std::move(faults);
			o["error"] = r.error;
		}
		out.push_back(std::move(o));
	}
	return out;
}

json::array sensors_json(const BoardSnapshot &snap)
{
	json::array out;
	for (const auto &s : snap.sensors)
		out.push_back(
		    {{"name", s.name}, {"celsius", optional_json(s.celsius)}, {"error", s.error}});
	return out;
}

json::array fans_json(const BoardSnapshot &snap)
{
	json::array out;
	for (const auto &f : snap.fans)
		out.push_back({{"name", f.name},
		               {"duty", f.duty},
		               {"rpm", optional_json(f.rpm)},
		               {"error", f.error}});
	return out;
}

json::value trip_json(const Board &board)
{
	const auto t = board.trip_reason();
	if (!t)
		return nullptr;
	return json::object{{"cause", std::string(hashboard::trip_cause_name(t->cause))},
	                    {"device", t->device},
	                    {"detail", t->detail},
	                    {"at_s", hashboard::to_seconds(t->when)},
	                    {"message", t->message()}};
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
	fmt::print(out, "board {} ({}){}: {}\n", board.config().name, snap.file,
	           snap.simulated ? ", simulated" : "", hashboard::board_state_name(board.state()));
	print_chain_table(out, board, snap);
	if (chips)
		print_chip_table(out, board, snap);
	print_domains(out, board, snap);
	print_sensors_and_fans(out, snap);
	print_warnings_and_trip(out, board, snap);
}

json::object board_report_json(Board &board, const BoardSnapshot &snap)
{
	json::array chains;
	NonceTally all;
	double nominal = 0;
	for (unsigned id : board.chain_ids()) {
		const ChainTotals t = totals(board.chain(id), snap.chip_mhz.at(id));
		all.valid += t.nonces.valid;
		all.hw_errors += t.nonces.hw_errors;
		all.unknown_job += t.nonces.unknown_job;
		all.credited_hashes += t.nonces.credited_hashes;
		nominal += t.nominal_ghs;
		chains.push_back(chain_json(board, id, t, snap));
	}
	json::array warnings;
	for (const auto &w : snap.warnings)
		warnings.push_back(json::value(w));
	return json::object{{"board", board.config().name},
	                    {"file", snap.file},
	                    {"action", snap.action},
	                    {"simulated", snap.simulated},
	                    {"state", std::string(hashboard::board_state_name(board.state()))},
	                    {"seconds", snap.seconds},
	                    {"chains", std::move(chains)},
	                    {"domains", domains_json(board, snap)},
	                    {"sensors", sensors_json(snap)},
	                    {"fans", fans_json(snap)},
	                    {"warnings", std::move(warnings)},
	                    {"trip", trip_json(board)},
	                    {"total",
	                     {{"valid", all.valid},
	                      {"hw_errors", all.hw_errors},
	                      {"unknown_job", all.unknown_job},
	                      {"ghs", ghs(all.credited_hashes, snap.seconds)},
	                      {"nominal_ghs", snap.seconds > 0 ? nominal : 0.0}}}};
}

} // namespace hbctl
