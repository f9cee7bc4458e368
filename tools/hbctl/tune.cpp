// SPDX-License-Identifier: MIT
// hbctl tune: a board brought up as hbctl board does, tuned to a goal under the safety
// supervisor (docs/tuning.md), the result saved as the board serial's profile and, on
// request, a JSON report and an SVG plot.
#include "board_session.hpp"
#include "commands.hpp"
#include "tune_plot.hpp"
#include "tune_report.hpp"
#include "validators.hpp"

#include <hashboard/board/board.hpp>
#include <hashboard/board/board_config.hpp>
#include <hashboard/board/safety.hpp>
#include <hashboard/tuning/profile.hpp>
#include <hashboard/tuning/tuner.hpp>
#include <hashboard/tuning/tuning_port.hpp>
#include <hashboard/work.hpp>
#include <hbsim/sim_chain.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

namespace hbctl {
namespace {

namespace fs = std::filesystem;
using hashboard::Board;
using hashboard::BoardState;
using hashboard::TuneMode;

// The most a board draws or heats with: far above any hashboard, below nonsense.
constexpr double kMaxWatts = 100000;
constexpr double kMaxThs = 1e6;
// A temperature ceiling above this is beyond every board's trip limit.
constexpr double kMaxCeilingC = 150;

struct TuneOptions {
	std::string file;
	BoardTarget target;
	std::string mode;
	std::optional<double> power_limit_w;
	std::optional<double> min_ths;
	std::optional<double> temp_ceiling_c;
	std::optional<double> heat_w;
	std::optional<double> fan_cap;
	std::optional<double> fixed_mhz;
	std::string serial; // empty: the board's name
	std::string profile_dir;
	std::string json_file;
	std::string plot_file;
	std::optional<double> time_budget_s;
	bool no_save = false;
};

// An option that only some modes read is refused with the others, so a typo in --mode
// never tunes to a goal nobody asked for.
void refuse_unless(bool used, bool allowed, const char *option, const char *modes)
{
	if (used && !allowed)
		throw std::invalid_argument(std::string(option) + " is for " + modes + " mode");
}

hashboard::TuneGoal goal_from(const TuneOptions &o)
{
	hashboard::TuneGoal g;
	g.mode = hashboard::parse_tune_mode(o.mode);
	const bool heat = g.mode == TuneMode::heat || g.mode == TuneMode::quiet;
	refuse_unless(o.min_ths.has_value(), g.mode == TuneMode::efficiency, "--min-ths",
	              "efficiency");
	refuse_unless(o.heat_w.has_value(), heat, "--heat", "heat or quiet");
	refuse_unless(o.fixed_mhz.has_value(), g.mode == TuneMode::fixed, "--fixed-mhz", "fixed");
	if (heat && !o.heat_w)
		throw std::invalid_argument("--mode " + o.mode + " needs --heat W");
	if (g.mode == TuneMode::fixed && !o.fixed_mhz)
		throw std::invalid_argument("--mode fixed needs --fixed-mhz M");
	g.power_limit_w = o.power_limit_w;
	g.min_ths = o.min_ths.value_or(0);
	g.temp_ceiling_c = o.temp_ceiling_c;
	g.heat_w = o.heat_w.value_or(0);
	g.fan_cap = o.fan_cap.value_or(g.mode == TuneMode::quiet ? hashboard::kQuietFanCap : 1.0);
	g.fixed_mhz = o.fixed_mhz.value_or(0);
	hashboard::validate_goal(g);
	return g;
}

// The goal against the board file: a power limit above the board's, a ceiling at or
// above its trip point, a fixed frequency outside its chains' range.
void check_goal_against_board(const hashboard::TuneGoal &g, const hashboard::BoardConfig &cfg,
                              const std::string &file)
{
	const auto &lim = cfg.limits;
	if (g.power_limit_w && lim.power_max_w && *g.power_limit_w > *lim.power_max_w)
		throw std::invalid_argument(fmt::format("--power-limit {:g} W is above {}'s "
		                                        "limits.power_max_w {:g} W",
		                                        *g.power_limit_w, file, *lim.power_max_w));
	if (g.temp_ceiling_c && *g.temp_ceiling_c >= lim.temp_trip_c)
		throw std::invalid_argument(fmt::format("--temp-ceiling {:g} C is at or above {}'s "
		                                        "limits.temp_trip_c {:g} C",
		                                        *g.temp_ceiling_c, file, lim.temp_trip_c));
	if (g.mode == TuneMode::fixed)
		for (const auto &c : cfg.chains)
			check_frequency(cfg, c.id, g.fixed_mhz, "--fixed-mhz");
}

// $HBCTL_PROFILE_DIR, else $XDG_STATE_HOME/hashboard/profiles, else
// ~/.local/state/hashboard/profiles (the XDG base directory default).
fs::path profile_dir(const TuneOptions &o)
{
	if (!o.profile_dir.empty())
		return o.profile_dir;
	const auto env = [](const char *name) -> std::string {
		const char *v = std::getenv(name);
		return v ? v : "";
	};
	if (const std::string d = env("HBCTL_PROFILE_DIR"); !d.empty())
		return d;
	// XDG: a relative path in the variable is invalid and ignored.
	if (const std::string d = env("XDG_STATE_HOME"); !d.empty() && d.front() == '/')
		return fs::path(d) / "hashboard" / "profiles";
	if (const std::string h = env("HOME"); !h.empty())
		return fs::path(h) / ".local" / "state" / "hashboard" / "profiles";
	throw std::invalid_argument("no profile directory: give --profile-dir, set "
	                            "HBCTL_PROFILE_DIR or HOME, or pass --no-save");
}

void write_file(const std::string &file, const std::string &text, const char *what)
{
	std::ofstream out(file, std::ios::binary | std::ios::trunc);
	out << text;
	out.close();
	if (!out)
		throw std::runtime_error(file + ": cannot write the " + what);
}

// Everything checked before the board is switched on.
struct TunePlan {
	hashboard::BoardConfig cfg;
	hashboard::TuneGoal goal;
	std::string serial;
	std::optional<fs::path> profile; // unset: --no-save
};

TunePlan plan_tune(const TuneOptions &o)
{
	TunePlan p{hashboard::load_board_config(o.file), goal_from(o), o.serial, std::nullopt};
	refuse_virtual_real_hashing(o.file, o.target, p.cfg);
	check_goal_against_board(p.goal, p.cfg, o.file);
	if (p.serial.empty())
		p.serial = p.cfg.name;
	try {
		hashboard::check_serial(p.serial);
	} catch (const std::invalid_argument &e) {
		throw std::invalid_argument(std::string(o.serial.empty()
		                                            ? "the board's name as the "
		                                              "serial (give --serial): "
		                                            : "--serial: ") +
		                            e.what());
	}
	if (!o.no_save)
		p.profile = hashboard::profile_path(profile_dir(o), p.serial);
	return p;
}

// Brought up, tuned under the supervisor (and, in real time, its watchdog), powered
// down unless it tripped.
hashboard::TuneResult tune_board(BoardSession &s, const TuneOptions &o, const TunePlan &plan)
{
	Board &board = *s.board;
	hashboard::SafetySupervisor supervisor(board);
	board.set_progress([&](std::string_view) { supervisor.kick(s.clock->now()); });
	std::optional<hashboard::Watchdog> watchdog;
	if (!s.clock->is_virtual())
		watchdog.emplace(supervisor, *s.clock, kWatchdogPeriod);

	bring_up(board, std::nullopt, {}, {});
	// Seeded as hbctl board mine's, so a tune on the simulator repeats.
	hashboard::SyntheticWorkSource work(
	    board.config().sim.seed.value_or(hbsim::SimChainConfig{}.seed));
	hashboard::BoardTuningPort port(board, supervisor, [&](unsigned) { return work.next(); });
	hashboard::TunerOptions options;
	if (o.time_budget_s)
		options.time_budget = hashboard::from_seconds(*o.time_budget_s, "--time-budget");
	hashboard::Tuner tuner(port, plan.goal, options);
	hashboard::TuneResult result =
	    tuner.tune([](const hashboard::TuneStep &step) { print_tune_step(stderr, step); });

	supervisor.disarm();
	watchdog.reset();
	if (board.state() != BoardState::tripped)
		board.power_down();
	return result;
}

std::string plot_title(const TunePlan &plan)
{
	const std::string serial = plan.serial == plan.cfg.name ? "" : " (" + plan.serial + ")";
	return fmt::format("{}{}, {} mode", plan.cfg.name, serial,
	                   hashboard::tune_mode_name(plan.goal.mode));
}

int run_tune(const TuneOptions &o)
{
	const TunePlan plan = plan_tune(o);
	BoardSession s = open_board(o.target, plan.cfg);
	const hashboard::TuneResult result = tune_board(s, o, plan);
	const bool tripped = s.board->state() == BoardState::tripped;

	print_tune_result(stdout, result);
	TuneRun run{o.file, plan.cfg.name, plan.serial, s.simulated, std::nullopt};
	// Only a tune that converged is worth starting from next time.
	if (plan.profile && result.converged && !tripped) {
		hashboard::save_profile(
		    *plan.profile,
		    hashboard::profile_from_result(result, plan.serial, plan.cfg.name, plan.goal));
		run.profile = plan.profile->string();
		fmt::print("profile saved: {}\n", plan.profile->string());
	} else if (plan.profile) {
		fmt::print(stderr, "hbctl: the tune did not converge ({}); no profile saved\n",
		           tripped ? "the board tripped" : result.stop_reason);
	}
	if (!o.json_file.empty())
		write_file(o.json_file,
		           boost::json::serialize(tune_report_json(plan.goal, result, run)) + "\n",
		           "JSON report");
	if (!o.plot_file.empty())
		write_file(o.plot_file, tune_plot_svg(result, plot_title(plan)), "plot");
	return result.converged && !tripped ? 0 : 1;
}

CLI::Validator tune_mode_name_check()
{
	return CLI::Validator(
	    [](std::string &s) -> std::string {
		    try {
			    hashboard::parse_tune_mode(s);
		    } catch (const std::invalid_argument &e) {
			    return e.what();
		    }
		    return {};
	    },
	    "hashrate|efficiency|fixed|heat|quiet", "tune_mode");
}

CLI::Validator serial_check()
{
	return CLI::Validator(
	    [](std::string &s) -> std::string {
		    try {
			    hashboard::check_serial(s);
		    } catch (const std::invalid_argument &e) {
			    return e.what();
		    }
		    return {};
	    },
	    "SERIAL", "serial");
}

CLI::Validator non_empty_path()
{
	return CLI::Validator(
	    [](std::string &s) -> std::string { return s.empty() ? "expected a path" : ""; },
	    "PATH", "path");
}

} // namespace

Runner add_tune_command(CLI::App &app)
{
	auto o = std::make_shared<TuneOptions>();
	auto *cmd = app.add_subcommand(
	    "tune", "tune a board's per-chip frequencies and rail voltages to a goal under the "
	            "safety supervisor, save the result as the board's profile (docs/tuning.md)");
	cmd->add_option("-b,--board", o->file, "board file (boards/*.toml)")->required();
	auto *sim = cmd->add_flag("--sim", o->target.sim,
	                          "run on the simulator: every chain in-process, every device its "
	                          "twin, virtual time (boards whose parts are all simulated run "
	                          "there anyway)");
	auto *sim_devices = cmd->add_flag("--sim-devices", o->target.sim_devices,
	                                  "every device its twin, every chain on its own link, "
	                                  "in real time");
	sim->excludes(sim_devices);
	cmd->add_option("--mode", o->mode,
	                "hashrate (most TH/s under the power limit), efficiency (lowest J/TH "
	                "at --min-ths or more), fixed (--fixed-mhz on every chip), heat (--heat "
	                "W with the fans under --fan-cap), quiet (heat with a low fan cap)")
	    ->required()
	    ->check(tune_mode_name_check());
	cmd->add_option("--power-limit", o->power_limit_w,
	                "watts the rails may draw (default: the board's limits.power_max_w)")
	    ->check(positive_up_to(kMaxWatts));
	cmd->add_option("--min-ths", o->min_ths, "efficiency mode's hashrate floor in TH/s")
	    ->check(finite_range(0, kMaxThs));
	cmd->add_option("--temp-ceiling", o->temp_ceiling_c,
	                "hottest sensor the tune keeps under, C (default: limits.temp_warn_c - 3)")
	    ->check(positive_up_to(kMaxCeilingC));
	cmd->add_option("--heat", o->heat_w, "heat and quiet modes' heat output in watts")
	    ->check(positive_up_to(kMaxWatts));
	cmd->add_option("--fan-cap", o->fan_cap,
	                "the fans' duty cap in (0, 1] (default 1, quiet mode 0.4)")
	    ->check(positive_up_to(1));
	cmd->add_option("--fixed-mhz", o->fixed_mhz, "fixed mode's frequency in MHz")
	    ->check(positive_up_to(10000));
	cmd->add_option("--serial", o->serial,
	                "the board's serial, naming its profile (default: the board's name)")
	    ->check(serial_check());
	cmd->add_option("--profile-dir", o->profile_dir,
	                "where profiles are saved (default: $HBCTL_PROFILE_DIR, else "
	                "$XDG_STATE_HOME/hashboard/profiles, else "
	                "~/.local/state/hashboard/profiles)")
	    ->check(non_empty_path());
	cmd->add_option("--json", o->json_file,
	                "write a JSON report (goal, result, chips, sweep, "
	                "steps) to this file")
	    ->check(non_empty_path());
	cmd->add_option("--plot", o->plot_file,
	                "write an SVG plot (frequency map, hashrate and J/TH against voltage)")
	    ->check(non_empty_path());
	cmd->add_option("--time-budget", o->time_budget_s,
	                "board-clock seconds the tune may take (default 1800, at most a day)")
	    ->check(positive_up_to(kMaxRunSeconds));
	cmd->add_flag("--no-save", o->no_save, "do not save the result as a profile");
	return [o]() { return run_tune(*o); };
}

} // namespace hbctl
