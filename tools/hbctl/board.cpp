// SPDX-License-Identifier: MIT
// hbctl board up|mine|down|status: a whole board from its board file, in the order the
// hardware needs, with the safety supervisor watching while it mines.
#include "board_args.hpp"
#include "board_report.hpp"
#include "board_session.hpp"
#include "commands.hpp"
#include "validators.hpp"

#include <hashboard/board/board.hpp>
#include <hashboard/board/board_config.hpp>
#include <hashboard/board/safety.hpp>
#include <hashboard/tuning/profile.hpp>
#include <hashboard/work.hpp>
#include <hbsim/sim_chain.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

namespace hbctl {
namespace {

using hashboard::Board;
using hashboard::BoardConfig;
using hashboard::BoardState;
using hashboard::Duration;
using namespace std::chrono_literals;

// The control loop's period: the supervisor checks every device this often.
constexpr Duration kTick = 100ms;

struct BoardOptions {
	std::string action;
	std::string file;
	bool sim = false;
	std::optional<double> freq_mhz;
	std::vector<std::string> chip_freqs;       // CHAIN:POS=MHZ
	std::vector<std::string> domain_voltages;  // NAME=MV
	std::vector<std::string> chain_transports; // ID=URI
	ChainOverrides overrides;
	double seconds = 10;
	double report_interval_s = 5;
	bool json = false;
	bool chips = true;
	std::string profile; // a saved tune (hbctl tune, hashboardd) to start at
};

// Mines until the time is up or the board trips; returns the seconds mined.
double mine(BoardSession &s, const BoardOptions &o, hashboard::SafetySupervisor &supervisor,
            std::vector<std::string> &warnings)
{
	Board &board = *s.board;
	hashboard::Clock &clock = *s.clock;
	hashboard::SyntheticWorkSource work(
	    board.config().sim.seed.value_or(hbsim::SimChainConfig{}.seed));
	for (unsigned id : board.chain_ids())
		board.chain(id).reset_stats();
	const Duration interval = job_interval(board);
	const Duration start = clock.now();
	const Duration end = start + hashboard::from_seconds(o.seconds, "--seconds");
	const Duration report_every =
	    hashboard::from_seconds(o.report_interval_s, "--report-interval");
	Duration next_job = start, next_tick = start + kTick, next_report = start + report_every;
	if (!o.json)
		std::fprintf(stderr, "mining %.1f s, a new job every %.3f s per chain\n", o.seconds,
		             hashboard::to_seconds(interval));
	while (board.state() != BoardState::tripped) {
		const Duration now = clock.now();
		if (now >= end)
			break;
		if (now >= next_job) {
			board.send_work([&] { return work.next(); });
			next_job += interval;
			continue;
		}
		if (board.state() == BoardState::mining)
			board.poll(std::min({next_job, next_tick, end}) - now, {});
		if (clock.now() >= next_tick) {
			board.update(clock.now());
			supervisor.tick(clock.now());
			for (const auto &w : supervisor.warnings())
				if (std::find(warnings.begin(), warnings.end(), w) ==
				    warnings.end())
					warnings.push_back(w);
			next_tick += kTick;
		}
		if (clock.now() >= next_report && !o.json) {
			std::uint64_t valid = 0;
			double credited = 0;
			for (unsigned id : board.chain_ids())
				for (const auto &st : board.chain(id).chip_stats()) {
					valid += st.valid;
					credited += st.credited_hashes;
				}
			const double t = hashboard::to_seconds(clock.now() - start);
			std::fprintf(stderr,
			             "-- %.1f s: %llu valid nonces, %.1f GH/s, hottest %.1f C\n", t,
			             (unsigned long long)valid, credited / t / 1e9,
			             supervisor.hottest_c().value_or(NAN));
			next_report += report_every;
		}
	}
	supervisor.disarm();
	return hashboard::to_seconds(clock.now() - start);
}

void print(Board &board, const BoardSnapshot &snap, const BoardOptions &o)
{
	if (o.json)
		std::cout << boost::json::serialize(board_report_json(board, snap)) << "\n";
	else
		print_board_report(stdout, board, snap, o.chips);
}

// The board file with the command line's changes, every argument checked against it
// before anything is switched on.
struct BoardPlan {
	BoardConfig cfg;
	std::vector<ChipFreq> chip_freqs;
	std::vector<DomainVoltage> voltages;
};

// A saved profile's rails and chips as the plan's voltages and frequencies, checked
// against today's board file: a profile of another board, or one whose frequencies the
// board no longer allows, is refused before anything is switched on.
void add_profile(BoardPlan &p, const std::string &file)
{
	const hashboard::TuneProfile prof = hashboard::load_profile(file);
	if (prof.board != p.cfg.name)
		throw std::invalid_argument("--profile " + file + ": a profile of board '" +
		                            prof.board + "', not '" + p.cfg.name + "'");
	for (const auto &[regulator, mv] : prof.rail_mv) {
		bool used = false;
		for (const auto &d : p.cfg.domains)
			if (d.regulator == regulator) {
				p.voltages.push_back({d.name, mv});
				used = true;
			}
		if (!used)
			throw std::invalid_argument("--profile " + file + ": board '" + p.cfg.name +
			                            "' has no domain on regulator '" + regulator +
			                            "'");
	}
	for (const auto &[chain, mhz] : prof.chip_mhz) {
		const unsigned id =
		    chain; // a lambda cannot capture a structured binding (clang 14)
		const auto spec = std::find_if(p.cfg.chains.begin(), p.cfg.chains.end(),
		                               [id](const auto &c) { return c.id == id; });
		if (spec == p.cfg.chains.end() || mhz.size() > spec->chips)
			throw std::invalid_argument("--profile " + file + ": chain " +
			                            std::to_string(chain) +
			                            " of the profile is not on "
			                            "board '" +
			                            p.cfg.name + "' as it was tuned");
		for (unsigned pos = 0; pos < mhz.size(); ++pos) {
			check_frequency(p.cfg, chain, mhz[pos], "--profile");
			p.chip_freqs.push_back({chain, pos, mhz[pos]});
		}
	}
}

BoardPlan plan_board(const BoardOptions &o)
{
	BoardPlan p{hashboard::load_board_config(o.file), {}, {}};
	ChainOverrides overrides = o.overrides;
	for (const auto &a : o.chain_transports)
		overrides.transports.push_back(parse_chain_transport(a, p.cfg));
	apply_chain_overrides(p.cfg, overrides);
	if (!o.profile.empty())
		add_profile(p, o.profile);
	// The command line's own settings after the profile's: they win.
	for (const auto &a : o.chip_freqs)
		p.chip_freqs.push_back(parse_chip_freq(a, p.cfg));
	for (const auto &a : o.domain_voltages)
		p.voltages.push_back(parse_domain_voltage(a, p.cfg));
	if (o.freq_mhz)
		for (const auto &c : p.cfg.chains)
			check_frequency(p.cfg, c.id, *o.freq_mhz, "--freq");
	return p;
}

// up and mine: brought up and, for mine, mined under the supervisor (and, in real time,
// its watchdog); the snapshot taken while still powered, then powered down unless it
// tripped (a trip has switched it off already).
BoardSnapshot run_powered(BoardSession &s, const BoardOptions &o, const BoardPlan &plan)
{
	Board &board = *s.board;
	hashboard::SafetySupervisor supervisor(board);
	board.set_progress([&](std::string_view) { supervisor.kick(s.clock->now()); });
	std::optional<hashboard::Watchdog> watchdog;
	if (!s.clock->is_virtual())
		watchdog.emplace(supervisor, *s.clock, kWatchdogPeriod);

	bring_up(board, o.freq_mhz, plan.chip_freqs, plan.voltages);
	std::vector<std::string> warnings;
	double seconds = 0;
	if (o.action == "mine")
		seconds = mine(s, o, supervisor, warnings);
	BoardSnapshot snap = snapshot(board, o.action, o.file, s.simulated, seconds);
	snap.warnings = warnings;
	watchdog.reset();
	if (board.state() != BoardState::tripped)
		board.power_down();
	return snap;
}

int run_board(const BoardOptions &o)
{
	const BoardPlan plan = plan_board(o);
	const BoardTarget target{o.sim, o.overrides.sim_devices};
	refuse_virtual_real_hashing(o.file, target, plan.cfg);
	BoardSession s = open_board(target, plan.cfg);
	Board &board = *s.board;
	if (o.action == "status" || o.action == "down") {
		if (o.action == "down")
			board.power_down();
		print(board, snapshot(board, o.action, o.file, s.simulated, 0), o);
		return 0;
	}
	print(board, run_powered(s, o, plan), o);
	return board_exit_status(board);
}

} // namespace

Runner add_board_command(CLI::App &app)
{
	auto o = std::make_shared<BoardOptions>();
	auto *cmd = app.add_subcommand(
	    "board", "a whole board from its board file: up (bring up, report, power down), "
	             "mine (bring up, mine synthetic work under the safety supervisor, report, "
	             "power down), down (switch everything off), status (devices, board off)");
	cmd->add_option("action", o->action, "up, mine, down or status")
	    ->required()
	    ->check(CLI::IsMember({"up", "mine", "down", "status"}));
	cmd->add_option("-b,--board", o->file, "board file (boards/*.toml)")->required();
	auto *sim = cmd->add_flag("--sim", o->sim,
	                          "run on the simulator: every chain in-process, every device "
	                          "its twin, virtual time (boards whose parts are all "
	                          "simulated run there anyway)");
	auto *sim_devices = cmd->add_flag(
	    "--sim-devices", o->overrides.sim_devices,
	    "every regulator, sensor, fan and GPIO line its twin, every chain on its own link, "
	    "in real time: with --chain-transport, a board on hbsim --board's ptys");
	auto *chain_transport =
	    cmd->add_option("--chain-transport", o->chain_transports,
	                    "replace a chain's transport: ID=URI, e.g. "
	                    "0=tty:/dev/pts/5?reset=hbsim:/tmp/chain0.ctl (repeatable)");
	cmd->add_option("--zero-bits", o->overrides.zero_bits,
	                "leading zero bits of a difficulty-1 nonce on the chains --chain-transport "
	                "replaces (hbsim's --zero-bits; default: with --sim-devices the board's "
	                "[sim] zero_bits, else each chain's zero_bits key)")
	    ->transform(whole_range(1, 32))
	    ->needs(chain_transport);
	sim->excludes(sim_devices);
	sim->excludes(chain_transport);
	cmd->add_option("--freq", o->freq_mhz,
	                "every chip's frequency in MHz (default: the "
	                "board file's)")
	    ->check(positive_up_to(10000));
	cmd->add_option("--chip-freq", o->chip_freqs,
	                "one chip's frequency: CHAIN:POS=MHZ "
	                "(repeatable)");
	cmd->add_option(
	    "--domain-voltage", o->domain_voltages,
	    "a voltage domain's millivolts: NAME=MV, clamped to the limits (repeatable)");
	cmd->add_option("--ramp-step", o->overrides.ramp_step_mhz,
	                "PLL ramp step in MHz (default 6.25)")
	    ->check(finite_range(kMinRampStepMhz, kMaxRampStepMhz));
	cmd->add_option("--ramp-interval-ms", o->overrides.ramp_interval_ms,
	                "time between PLL ramp steps (default 100)")
	    ->check(finite_range(0, kMaxRampIntervalMs));
	cmd->add_option("-s,--seconds", o->seconds, "how long to mine (board clock, at most a day)")
	    ->check(positive_up_to(kMaxRunSeconds));
	cmd->add_option("--report-interval", o->report_interval_s,
	                "seconds between progress lines while mining")
	    ->check(finite_range(kMinReportSeconds, kMaxRunSeconds));
	cmd->add_option("--profile", o->profile,
	                "start at a saved tune (hbctl tune's or hashboardd's profile file, "
	                "docs/tuning.md); --chip-freq and --domain-voltage still win")
	    ->excludes("--freq");
	cmd->add_flag("--json", o->json, "print one JSON document instead of tables");
	cmd->add_flag("!--no-chips", o->chips, "leave out the per-chip table");
	return [o]() { return run_board(*o); };
}

} // namespace hbctl
