// SPDX-License-Identifier: MIT
// hbctl test: the manufacturing and repair station (docs/station.md). One board through
// a test plan, a line per step, reports for machines and people, each run appended to
// the results store; --history reads the store back.
#include "board_session.hpp"
#include "commands.hpp"
#include "validators.hpp"

#include <station/pg_sink.hpp>
#include <station/plan.hpp>
#include <station/reports.hpp>
#include <station/runner.hpp>
#include <station/store.hpp>

#include <hashboard/board/board.hpp>
#include <hashboard/board/board_config.hpp>
#include <hashboard/board/sim_board.hpp>
#include <hashboard/error.hpp>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace hbctl {
namespace {

struct TestOptions {
	std::string board_file;
	bool sim = false;
	std::string plan_file;
	std::string serial;
	std::string json_file, junit_file, html_file, db_file, pg;
	bool history = false;
	bool verbose = false;
};

// Reports written whole or not at all: a line system never reads half a file.
void write_file(const std::string &path, const std::string &text)
{
	if (path == "-") {
		std::fwrite(text.data(), 1, text.size(), stdout);
		return;
	}
	const std::string tmp = path + ".tmp";
	{
		std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
		out << text;
		if (!out.flush())
			throw std::runtime_error(path + ": cannot write the report");
	}
	if (std::rename(tmp.c_str(), path.c_str()) != 0)
		throw std::runtime_error(path + ": cannot write the report");
}

std::string station_name()
{
	char host[256] = {};
	return gethostname(host, sizeof host - 1) == 0 ? host : "";
}

// --serial, else the board's EEPROM ([eeprom] in its board file). The command line wins
// (a repair bench re-labels a board whose EEPROM was replaced) but a mismatch is shown.
std::string serial_of(hashboard::Board &board, const std::string &given)
{
	std::optional<std::string> stored;
	try {
		stored = board.read_serial();
	} catch (const hashboard::DeviceError &e) {
		std::fprintf(stderr, "hbctl: warning: the board's EEPROM: %s\n", e.what());
	}
	if (!given.empty()) {
		if (stored && *stored != given)
			std::fprintf(stderr, "hbctl: warning: --serial %s, the EEPROM says %s\n",
			             given.c_str(), stored->c_str());
		return given;
	}
	return stored.value_or("");
}

int show_history(const TestOptions &o)
{
	std::unique_ptr<station::ResultHistory> history;
	std::string where;
	if (!o.pg.empty()) {
		history = std::make_unique<station::PgSink>(o.pg);
		where = "PostgreSQL";
	} else {
		// Reading history never makes a store: a mistyped path is an error, not an
		// empty one.
		if (!std::filesystem::exists(o.db_file))
			throw std::invalid_argument("--db " + o.db_file +
			                            ": no results store there");
		history = std::make_unique<station::ResultStore>(o.db_file);
		where = o.db_file;
	}
	station::ResultHistory &store = *history;
	const auto runs = store.runs(o.serial);
	std::printf("%s runs%s%s (store %s, schema %d)\n", std::to_string(runs.size()).c_str(),
	            o.serial.empty() ? "" : " of serial ", o.serial.c_str(), where.c_str(),
	            store.schema_version());
	for (const auto &r : runs) {
		std::printf("  #%lld %s  %-4s  %s  %s  plan %s\n", (long long)r.id,
		            r.started_utc.c_str(), r.verdict == "pass" ? "PASS" : "FAIL",
		            r.serial.c_str(), r.board.c_str(), r.plan.c_str());
		for (const auto &s : r.failed_steps)
			std::printf("      failed step: %s\n", s.c_str());
		for (const auto &c : r.failed_chips)
			std::printf("      failed %s\n", c.c_str());
	}
	std::printf("yield per board model (every run in the store):\n");
	for (const auto &y : store.yield_by_board())
		std::printf("  %-24s runs %u, passed %u (%.0f %%); serials %u, passing now %u\n",
		            y.board.c_str(), y.runs, y.passed,
		            y.runs ? 100.0 * y.passed / y.runs : 0.0, y.serials, y.serials_passing);
	std::printf("failures per chip position (most first):\n");
	const auto positions = store.failures_by_position();
	if (positions.empty())
		std::printf("  none\n");
	for (const auto &p : positions)
		std::printf("  %-24s chain %u chip %-4u %u failures\n", p.board.c_str(), p.chain,
		            p.position, p.failures);
	return 0;
}

int run_test(const TestOptions &o)
{
	if (o.history)
		return show_history(o);
	const hashboard::BoardConfig cfg = hashboard::load_board_config(o.board_file);
	const station::TestPlan plan = o.plan_file.empty()
	                                   ? station::default_test_plan()
	                                   : station::load_test_plan(o.plan_file, cfg);
	const BoardTarget target{o.sim, false};
	refuse_virtual_real_hashing(o.board_file, target, cfg);
	// Results written to stdout take it over: the progress goes to stderr then.
	const bool to_stdout = o.json_file == "-" || o.junit_file == "-" || o.html_file == "-";
	std::FILE *console = to_stdout ? stderr : stdout;

	// hbctl board's way in: the simulator in virtual time, or the hardware.
	BoardSession session = open_board(target, cfg, o.verbose);
	hashboard::Board &board = *session.board;
	const bool simulated = session.simulated;
	station::RunOptions ro;
	ro.serial = serial_of(board, o.serial);
	ro.board_file = o.board_file;
	ro.simulated = simulated;
	ro.progress = [console](const std::string &line) {
		std::fprintf(console, "%s\n", line.c_str());
		std::fflush(console);
	};
	std::fprintf(console, "hbctl test: board %s (%s)%s, serial %s, plan %s, %zu steps\n",
	             cfg.name.c_str(), o.board_file.c_str(), simulated ? " simulated" : "",
	             ro.serial.empty() ? "(none)" : ro.serial.c_str(), plan.name.c_str(),
	             plan.steps.size());
	const station::RunResult run = station::run_test_plan(board, plan, ro);

	if (!o.json_file.empty())
		write_file(o.json_file, boost::json::serialize(station::report_json(run)) + "\n");
	if (!o.junit_file.empty())
		write_file(o.junit_file, station::report_junit(run));
	if (!o.html_file.empty())
		write_file(o.html_file, station::report_html(run));
	if (!o.db_file.empty()) {
		station::ResultStore store(o.db_file);
		const auto id = store.append(run, station_name());
		std::fprintf(console, "stored as run %lld in %s\n", (long long)id,
		             o.db_file.c_str());
	}
	if (!o.pg.empty()) {
		station::PgSink sink(o.pg);
		const auto id = sink.append(run, station_name());
		std::fprintf(console, "stored as run %lld in PostgreSQL\n", (long long)id);
	}
	unsigned failed_chips = 0;
	for (const auto &c : run.chips)
		failed_chips += c.verdict == station::Verdict::fail;
	std::fprintf(console, "%s  %s %s: %zu steps, %u of %zu chips failed, %.1f s board time\n",
	             run.verdict == station::Verdict::pass ? "PASS" : "FAIL", cfg.name.c_str(),
	             run.serial.empty() ? "(no serial)" : run.serial.c_str(), run.steps.size(),
	             failed_chips, run.chips.size(), run.board_seconds);
	return run.verdict == station::Verdict::pass ? 0 : 1;
}

} // namespace

Runner add_test_command(CLI::App &app)
{
	auto o = std::make_shared<TestOptions>();
	auto *cmd = app.add_subcommand(
	    "test", "manufacturing and repair test of one board: supply, sensors, fans, "
	            "enumeration, a known-work pattern test with per-chip verdicts, counters and "
	            "temperature rise; exit 0 PASS, 1 FAIL, 2 bad arguments or plan "
	            "(docs/station.md)");
	auto *board = cmd->add_option("-b,--board", o->board_file, "board file (boards/*.toml)");
	cmd->add_flag("--sim", o->sim,
	              "run on the simulator in virtual time (boards whose parts are all "
	              "simulated run there anyway)");
	cmd->add_option("--plan", o->plan_file,
	                "test plan (plans/*.toml; default: every step, thresholds from the "
	                "board file)");
	cmd->add_option("--serial", o->serial,
	                "the board's serial number (default: from its EEPROM, [eeprom] in the "
	                "board file)");
	cmd->add_option("--json", o->json_file, "write the JSON report here (- for stdout)");
	cmd->add_option("--junit", o->junit_file, "write a JUnit XML report here (- for stdout)");
	cmd->add_option("--html", o->html_file,
	                "write a self-contained HTML report here (- for stdout)");
	auto *db = cmd->add_option("--db", o->db_file,
	                           "append the run to this SQLite results store (created when "
	                           "absent)");
	auto *history =
	    cmd->add_flag("--history", o->history,
	                  "print past runs from --db or --pg (of --serial when given), yield "
	                  "per board model and failures per chip position");
	auto *pg =
	    cmd->add_option("--pg", o->pg,
	                    "also append the run to this PostgreSQL database (a libpq connection "
	                    "string, e.g. \"host=db.line dbname=station\")");
	cmd->add_flag("-v,--verbose", o->verbose, "the board's bring-up log on stderr");
	cmd->callback([board, history, db, pg] {
		if (!*history && board->count() == 0)
			throw CLI::RequiredError("--board (or --history)");
		if (*history && db->count() + pg->count() != 1)
			throw CLI::ValidationError("--history",
			                           "reads one store: --db FILE or --pg CONNINFO");
	});
	return [o]() { return run_test(*o); };
}

} // namespace hbctl
