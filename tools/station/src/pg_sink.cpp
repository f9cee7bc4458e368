// SPDX-License-Identifier: MIT
#include "migrations.hpp"

#include <station/pg_sink.hpp>
#include <station/runner.hpp>

#include <libpq-fe.h>

#include <fmt/format.h>

#include <array>
#include <optional>
#include <vector>

namespace station {
namespace {

// Any number: the stations of a line take the same lock to migrate one at a time.
constexpr const char *kMigrationLock = "SELECT pg_advisory_xact_lock(7283512)";

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

// NULL for an unset value; text otherwise (libpq's text format for every type).
using Param = std::optional<std::string>;

Result exec(PGconn &conn, const std::string &sql, const std::vector<Param> &params = {})
{
	std::vector<const char *> values;
	values.reserve(params.size());
	for (const auto &p : params)
		values.push_back(p ? p->c_str() : nullptr);
	// Without parameters, PQexec: a migration step holds several statements, which
	// PQexecParams refuses.
	Result r(params.empty() ? PQexec(&conn, sql.c_str())
	                        : PQexecParams(&conn, sql.c_str(), int(values.size()), nullptr,
	                                       values.data(), nullptr, nullptr, 0),
	         PQclear);
	const auto status = PQresultStatus(r.get());
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		throw StoreError(std::string("PostgreSQL: ") + PQerrorMessage(&conn));
	return r;
}

// Ends the transaction unless committed: a failure anywhere leaves nothing behind.
class Transaction {
public:
	explicit Transaction(PGconn &conn) : conn_(conn) { exec(conn_, "BEGIN"); }
	~Transaction()
	{
		if (!done_)
			PQclear(PQexec(&conn_, "ROLLBACK"));
	}
	Transaction(const Transaction &) = delete;
	Transaction &operator=(const Transaction &) = delete;
	void commit()
	{
		exec(conn_, "COMMIT");
		done_ = true;
	}

private:
	PGconn &conn_;
	bool done_ = false;
};

int read_version(PGconn &conn)
{
	const Result r = exec(conn, "SELECT coalesce(max(version), 0) FROM schema_version");
	return std::stoi(PQgetvalue(r.get(), 0, 0));
}

std::string num(double x)
{
	return fmt::format("{:.17g}", x);
}

std::string num(std::int64_t x)
{
	return std::to_string(x);
}

std::string boolean(bool b)
{
	return b ? "true" : "false";
}

void migrate(PGconn &conn)
{
	Transaction t(conn);
	exec(conn, kMigrationLock);
	exec(conn, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, "
	           "applied_utc TIMESTAMPTZ NOT NULL DEFAULT now())");
	// Every step in the one transaction: stations that start together migrate once.
	detail::walk_migrations(
	    read_version(conn), kStoreSchemaVersion, detail::SqlDialect::postgres, "PostgreSQL",
	    [&](int n, const std::string &sql) {
		    exec(conn, sql);
		    exec(conn, "INSERT INTO schema_version(version) VALUES ($1)",
		         {std::to_string(n)});
	    });
	t.commit();
}

} // namespace

void PgSink::Closer::operator()(pg_conn *conn) const
{
	PQfinish(conn);
}

PgSink::PgSink(const std::string &conninfo) : conn_(PQconnectdb(conninfo.c_str()))
{
	if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK)
		throw StoreError(std::string("PostgreSQL: cannot connect: ") +
		                 (conn_ ? PQerrorMessage(conn_.get()) : "out of memory"));
	// Notices (IF NOT EXISTS, ...) are not the station's to print.
	PQsetNoticeProcessor(
	    conn_.get(), [](void *, const char *) {}, nullptr);
	migrate(*conn_);
}

PgSink::~PgSink() = default;

int PgSink::schema_version()
{
	return read_version(*conn_);
}

std::int64_t PgSink::append(const RunResult &run, const std::string &station)
{
	PGconn &conn = *conn_;
	Transaction t(conn);
	const Result id_row = exec(
	    conn,
	    "INSERT INTO runs(serial, board, board_file, plan, started_utc, simulated, "
	    "board_seconds, verdict, station) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
	    {run.serial, run.board, run.board_file, run.plan, run.started_utc,
	     boolean(run.simulated), num(run.board_seconds), std::string(verdict_name(run.verdict)),
	     station});
	const std::string id = PQgetvalue(id_row.get(), 0, 0);
	for (std::size_t i = 0; i < run.steps.size(); ++i) {
		const StepResult &s = run.steps[i];
		std::string findings;
		for (const auto &f : s.findings)
			findings += (findings.empty() ? "" : "\n") + format_finding(f);
		exec(conn,
		     "INSERT INTO steps(run_id, idx, name, kind, verdict, measured, threshold, "
		     "note, "
		     "seconds, findings) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
		     {id, num(std::int64_t(i)), s.name, std::string(step_kind_name(s.kind)),
		      std::string(verdict_name(s.verdict)), s.measured, s.threshold, s.note,
		      num(s.seconds), findings});
	}
	for (const auto &c : run.chips)
		exec(
		    conn,
		    "INSERT INTO chips(run_id, chain, position, domain, answered, freq_mhz, valid, "
		    "hw_errors, expected, min_valid, host_hashes, chip_hashes, verdict, reason) "
		    "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
		    {id, num(std::int64_t(c.chain)), num(std::int64_t(c.position)), c.domain,
		     boolean(c.answered), num(c.freq_mhz),
		     c.valid ? Param(num(std::int64_t(*c.valid))) : std::nullopt,
		     num(std::int64_t(c.hw_errors)), num(c.expected), num(c.min_valid),
		     num(c.host_hashes), c.chip_hashes ? Param(num(*c.chip_hashes)) : std::nullopt,
		     std::string(verdict_name(c.verdict)), c.reason});
	t.commit();
	return std::stoll(id);
}

std::vector<StoredRun> PgSink::runs(const std::string &serial)
{
	PGconn &conn = *conn_;
	std::vector<StoredRun> out;
	const Result r =
	    exec(conn,
	         "SELECT id, serial, board, plan, started_utc, verdict, station FROM runs "
	         "WHERE $1 = '' OR serial = $1 ORDER BY id",
	         {serial});
	for (int i = 0; i < PQntuples(r.get()); ++i) {
		StoredRun x;
		x.id = std::stoll(PQgetvalue(r.get(), i, 0));
		x.serial = PQgetvalue(r.get(), i, 1);
		x.board = PQgetvalue(r.get(), i, 2);
		x.plan = PQgetvalue(r.get(), i, 3);
		x.started_utc = PQgetvalue(r.get(), i, 4);
		x.verdict = PQgetvalue(r.get(), i, 5);
		x.station = PQgetvalue(r.get(), i, 6);
		const std::string id = std::to_string(x.id);
		const Result steps = exec(conn,
		                          "SELECT name FROM steps WHERE run_id = $1 AND verdict = "
		                          "'fail' ORDER BY idx",
		                          {id});
		for (int k = 0; k < PQntuples(steps.get()); ++k)
			x.failed_steps.emplace_back(PQgetvalue(steps.get(), k, 0));
		const Result chips =
		    exec(conn,
		         "SELECT chain, position, reason FROM chips WHERE run_id = $1 "
		         "AND verdict = 'fail' ORDER BY chain, position",
		         {id});
		for (int k = 0; k < PQntuples(chips.get()); ++k)
			x.failed_chips.push_back(
			    std::string("chain ") + PQgetvalue(chips.get(), k, 0) + " chip " +
			    PQgetvalue(chips.get(), k, 1) + ": " + PQgetvalue(chips.get(), k, 2));
		out.push_back(std::move(x));
	}
	return out;
}

std::vector<BoardYield> PgSink::yield_by_board()
{
	const Result r =
	    exec(*conn_, "SELECT board, count(*), count(*) FILTER (WHERE verdict = 'pass'), "
	                 "count(DISTINCT serial), "
	                 "(SELECT count(*) FROM runs r3 WHERE r3.board = runs.board AND "
	                 " r3.verdict = 'pass' AND r3.id = (SELECT max(id) FROM runs r4 WHERE "
	                 " r4.serial = r3.serial AND r4.board = r3.board)) "
	                 "FROM runs GROUP BY board ORDER BY board");
	std::vector<BoardYield> out;
	out.reserve(std::size_t(PQntuples(r.get())));
	const auto u = [&](int row, int col) {
		return unsigned(std::stoul(PQgetvalue(r.get(), row, col)));
	};
	for (int i = 0; i < PQntuples(r.get()); ++i)
		out.push_back({PQgetvalue(r.get(), i, 0), u(i, 1), u(i, 2), u(i, 3), u(i, 4)});
	return out;
}

std::vector<PositionFailures> PgSink::failures_by_position(const std::string &board, unsigned limit)
{
	const Result r = exec(*conn_,
	                      "SELECT runs.board, chips.chain, chips.position, count(*) AS n "
	                      "FROM chips JOIN runs ON runs.id = chips.run_id "
	                      "WHERE chips.verdict = 'fail' AND ($1 = '' OR runs.board = $1) "
	                      "GROUP BY runs.board, chips.chain, chips.position "
	                      "ORDER BY n DESC, runs.board, chips.chain, chips.position LIMIT $2",
	                      {board, std::to_string(limit)});
	std::vector<PositionFailures> out;
	out.reserve(std::size_t(PQntuples(r.get())));
	const auto u = [&](int row, int col) {
		return unsigned(std::stoul(PQgetvalue(r.get(), row, col)));
	};
	for (int i = 0; i < PQntuples(r.get()); ++i)
		out.push_back({PQgetvalue(r.get(), i, 0), u(i, 1), u(i, 2), u(i, 3)});
	return out;
}

} // namespace station
