// SPDX-License-Identifier: MIT
// hbctl board up|mine|down|status: a whole board from its board file, in the order the
// hardware needs, with the safety supervisor watching while it mines.
#include "board_report.hpp"
#include "commands.hpp"

#include <hashboard/board/board.hpp>
#include <hashboard/board/board_config.hpp>
#include <hashboard/board/safety.hpp>
#include <hashboard/board/sim_board.hpp>
#include <hashboard/work.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

namespace hbctl {
namespace {

using hashboard::Board;
using hashboard::BoardConfig;
using hashboard::BoardState;
using hashboard::Duration;
using namespace std::chrono_literals;

// The control loop's period: the supervisor checks every device this often.
constexpr Duration kTick = 100ms;
constexpr Duration kWatchdogPeriod = 100ms;

struct BoardOptions {
	std::string action;
	std::string file;
	bool sim = false;
	std::optional<double> freq_mhz;
	std::vector<std::string> chip_freqs;      // CHAIN:POS=MHZ
	std::vector<std::string> domain_voltages; // NAME=MV
	double seconds = 10;
	double report_interval_s = 5;
	bool json = false;
	bool chips = true;
};

struct ChipFreq {
	unsigned chain, position;
	double mhz;
};
struct DomainVoltage {
	std::string domain;
	double mv;
};

double to_number(std::string_view s, const std::string &what)
{
	double v = 0;
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
		throw std::invalid_argument("bad " + what + ": '" + std::string(s) +
		                            "' is not a number");
	return v;
}

unsigned to_index(std::string_view s, const std::string &what)
{
	unsigned v = 0;
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (s.empty() || ec != std::errc() || p != s.data() + s.size())
		throw std::invalid_argument("bad " + what + ": '" + std::string(s) +
		                            "' is not a whole number");
	return v;
}

// "0:3=450" -> chain 0, chip 3, 450 MHz; checked against the board before anything is
// switched on, so a typo never leaves a board half brought up.
ChipFreq parse_chip_freq(const std::string &arg, const BoardConfig &cfg)
{
	const auto colon = arg.find(':'), eq = arg.find('=');
	if (colon == std::string::npos || eq == std::string::npos || eq < colon)
		throw std::invalid_argument("--chip-freq '" + arg + "': expected CHAIN:POS=MHZ");
	ChipFreq f{
	    to_index(arg.substr(0, colon), "chain in --chip-freq '" + arg + "'"),
	    to_index(arg.substr(colon + 1, eq - colon - 1), "chip in --chip-freq '" + arg + "'"),
	    to_number(arg.substr(eq + 1), "MHz in --chip-freq '" + arg + "'")};
	const auto &chain = cfg.chain(f.chain);
	if (f.position >= chain.chips)
		throw std::invalid_argument("--chip-freq '" + arg + "': chain " +
		                            std::to_string(f.chain) + " has chips 0-" +
		                            std::to_string(chain.chips - 1));
	return f;
}

DomainVoltage parse_domain_voltage(const std::string &arg, const BoardConfig &cfg)
{
	const auto eq = arg.find('=');
	if (eq == std::string::npos || eq == 0)
		throw std::invalid_argument("--domain-voltage '" + arg + "': expected NAME=MV");
	DomainVoltage d{arg.substr(0, eq),
	                to_number(arg.substr(eq + 1), "mV in --domain-voltage '" + arg + "'")};
	cfg.domain(d.domain); // throws, naming the board, when there is no such domain
	return d;
}

void check_frequency(const BoardConfig &cfg, unsigned chain_id, double mhz, const std::string &arg)
{
	const auto &l = cfg.limits;
	if (mhz < l.freq_min_mhz || mhz > l.freq_max_mhz ||
	    !hashboard::pll_for_frequency(*cfg.chain(chain_id).family, mhz)) {
		std::ostringstream m;
		m << arg << ": " << mhz << " MHz is outside board " << cfg.name << "'s limits ("
		  << l.freq_min_mhz << ".." << l.freq_max_mhz << " MHz) or the PLL's range";
		throw std::invalid_argument(m.str());
	}
}

// A board, its clock and its devices; members in destruction order.
struct Session {
	std::unique_ptr<hashboard::Clock> clock;
	std::shared_ptr<hashboard::DeviceFactory> devices;
	std::unique_ptr<Board> board;
	bool simulated = false;
};

Session open_board(const BoardOptions &o, const BoardConfig &cfg)
{
	Session s;
	s.simulated = o.sim || cfg.simulated();
	if (s.simulated) {
		s.clock = std::make_unique<hashboard::VirtualClock>();
		s.devices = std::make_shared<hashboard::SimDeviceFactory>(cfg, *s.clock);
	} else {
		s.clock = std::make_unique<hashboard::SteadyClock>();
		s.devices = hashboard::make_hardware_device_factory(cfg, *s.clock);
	}
	s.board = std::make_unique<Board>(cfg, *s.clock, s.devices);
	hashboard::Clock &clock = *s.clock;
	s.board->set_logger([&clock](const std::string &line) {
		std::fprintf(stderr, "[%9.3f] %s\n", hashboard::to_seconds(clock.now()),
		             line.c_str());
	});
	return s;
}

// Powers up, applies the command line's voltages and frequencies, starts the chains.
void bring_up(Board &board, const BoardOptions &o, const std::vector<ChipFreq> &chip_freqs,
              const std::vector<DomainVoltage> &voltages)
{
	board.power_up();
	for (const auto &v : voltages) {
		const double set = board.set_domain_voltage(v.domain, v.mv);
		if (set != v.mv)
			std::fprintf(stderr, "hbctl: domain %s: %.1f mV clamped to %.1f mV\n",
			             v.domain.c_str(), v.mv, set);
	}
	if (o.freq_mhz)
		for (unsigned id : board.chain_ids())
			board.set_chain_frequency(id, *o.freq_mhz);
	for (const auto &f : chip_freqs)
		board.set_chip_frequency(f.chain, f.position, f.mhz);
	board.start_chains();
}

Duration job_interval(Board &board)
{
	Duration best = 1s;
	for (const auto &r : board.bring_up_report())
		if (r.scan.found() > 0)
			best = std::min(best, board.chain(r.chain_id).job_space_time() / 2);
	return std::max<Duration>(best, 1ms);
}

// Mines until the time is up or the board trips; returns the seconds mined.
double mine(Session &s, const BoardOptions &o, hashboard::SafetySupervisor &supervisor,
            std::vector<std::string> &warnings)
{
	Board &board = *s.board;
	hashboard::Clock &clock = *s.clock;
	hashboard::SyntheticWorkSource work(board.config().sim.seed);
	for (unsigned id : board.chain_ids())
		board.chain(id).reset_stats();
	const Duration interval = job_interval(board);
	const Duration start = clock.now();
	const Duration end =
	    start + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.seconds));
	const Duration report_every = std::chrono::duration_cast<Duration>(
	    std::chrono::duration<double>(o.report_interval_s));
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

int run_board(const BoardOptions &o)
{
	if (!(o.seconds > 0))
		throw std::invalid_argument("--seconds must be positive");
	const BoardConfig cfg = hashboard::load_board_config(o.file);
	std::vector<ChipFreq> chip_freqs;
	std::vector<DomainVoltage> voltages;
	for (const auto &a : o.chip_freqs) {
		chip_freqs.push_back(parse_chip_freq(a, cfg));
		check_frequency(cfg, chip_freqs.back().chain, chip_freqs.back().mhz,
		                "--chip-freq " + a);
	}
	for (const auto &a : o.domain_voltages)
		voltages.push_back(parse_domain_voltage(a, cfg));
	if (o.freq_mhz)
		for (const auto &c : cfg.chains)
			check_frequency(cfg, c.id, *o.freq_mhz, "--freq");

	Session s = open_board(o, cfg);
	Board &board = *s.board;

	if (o.action == "status") {
		print(board, snapshot(board, o.action, o.file, s.simulated, 0), o);
		return 0;
	}
	if (o.action == "down") {
		board.power_down();
		print(board, snapshot(board, o.action, o.file, s.simulated, 0), o);
		return 0;
	}

	hashboard::SafetySupervisor supervisor(board);
	board.set_progress([&](std::string_view) { supervisor.kick(s.clock->now()); });
	std::optional<hashboard::Watchdog> watchdog;
	if (!s.clock->is_virtual())
		watchdog.emplace(supervisor, *s.clock, kWatchdogPeriod);

	bring_up(board, o, chip_freqs, voltages);
	std::vector<std::string> warnings;
	double seconds = 0;
	if (o.action == "mine")
		seconds = mine(s, o, supervisor, warnings);
	BoardSnapshot snap = snapshot(board, o.action, o.file, s.simulated, seconds);
	snap.warnings = warnings;
	watchdog.reset();
	if (board.state() != BoardState::tripped)
		board.power_down();
	print(board, snap, o);

	if (board.state() == BoardState::tripped)
		return 1;
	for (const auto &r : board.bring_up_report())
		if (!r.scan.ok())
			return 1;
	return 0;
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
	cmd->add_flag("--sim", o->sim,
	              "run on the simulator: every chain in-process, every device its twin "
	              "(boards whose parts are all simulated run there anyway)");
	cmd->add_option("--freq", o->freq_mhz,
	                "every chip's frequency in MHz (default: the "
	                "board file's)");
	cmd->add_option("--chip-freq", o->chip_freqs,
	                "one chip's frequency: CHAIN:POS=MHZ "
	                "(repeatable)");
	cmd->add_option(
	    "--domain-voltage", o->domain_voltages,
	    "a voltage domain's millivolts: NAME=MV, clamped to the limits (repeatable)");
	cmd->add_option("-s,--seconds", o->seconds, "how long to mine (board clock)");
	cmd->add_option("--report-interval", o->report_interval_s,
	                "seconds between progress lines while mining")
	    ->check(CLI::PositiveNumber);
	cmd->add_flag("--json", o->json, "print one JSON document instead of tables");
	cmd->add_flag("!--no-chips", o->chips, "leave out the per-chip table");
	return [o]() { return run_board(*o); };
}

} // namespace hbctl
