// SPDX-License-Identifier: MIT
#include <station/runner.hpp>
#include <station/store.hpp>

#include <sqlite3.h>

#include <map>

namespace station {
namespace {

// One prepared statement, finalized when it goes out of scope; binds by position.
class Statement {
public:
	Statement(sqlite3 &db, const char *sql) : db_(db)
	{
		sqlite3_stmt *raw = nullptr;
		if (sqlite3_prepare_v2(&db, sql, -1, &raw, nullptr) != SQLITE_OK)
			throw StoreError(std::string("results store: ") + sqlite3_errmsg(&db));
		st_.reset(raw);
	}
	Statement &bind(const std::string &text)
	{
		check(sqlite3_bind_text(st_.get(), ++n_, text.c_str(), int(text.size()),
		                        SQLITE_TRANSIENT));
		return *this;
	}
	Statement &bind(std::int64_t x)
	{
		check(sqlite3_bind_int64(st_.get(), ++n_, x));
		return *this;
	}
	Statement &bind(double x)
	{
		check(sqlite3_bind_double(st_.get(), ++n_, x));
		return *this;
	}
	Statement &bind_null()
	{
		check(sqlite3_bind_null(st_.get(), ++n_));
		return *this;
	}
	// True while there is a row.
	bool step()
	{
		const int rc = sqlite3_step(st_.get());
		if (rc == SQLITE_ROW)
			return true;
		if (rc != SQLITE_DONE)
			throw StoreError(std::string("results store: ") + sqlite3_errmsg(&db_));
		return false;
	}
	void run()
	{
		step();
		sqlite3_reset(st_.get());
		sqlite3_clear_bindings(st_.get());
		n_ = 0;
	}
	std::string text(int col) const
	{
		const auto *p = sqlite3_column_text(st_.get(), col);
		return p ? reinterpret_cast<const char *>(p) : "";
	}
	std::int64_t integer(int col) const { return sqlite3_column_int64(st_.get(), col); }

private:
	void check(int rc) const
	{
		if (rc != SQLITE_OK)
			throw StoreError(std::string("results store: ") + sqlite3_errmsg(&db_));
	}
	sqlite3 &db_;
	std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st_{nullptr, sqlite3_finalize};
	int n_ = 0;
};

void exec(sqlite3 &db, const char *sql)
{
	if (sqlite3_exec(&db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
		throw StoreError(std::string("results store: ") + sqlite3_errmsg(&db));
}

std::string findings_text(const StepResult &s)
{
	std::string out;
	for (const auto &f : s.findings)
		out += (out.empty() ? "" : "\n") + format_finding(f);
	return out;
}

} // namespace

void ResultStore::Closer::operator()(sqlite3 *db) const
{
	sqlite3_close(db);
}

ResultStore::ResultStore(const std::filesystem::path &file) : file_(file.string())
{
	sqlite3 *raw = nullptr;
	const int rc = sqlite3_open_v2(file_.c_str(), &raw,
	                               SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
	db_.reset(raw); // closed even when the open failed
	if (rc != SQLITE_OK)
		throw StoreError(file_ + ": " + (raw ? sqlite3_errmsg(raw) : "cannot open"));
	// Several stations may share a file on one host: wait for a writer rather than fail.
	sqlite3_busy_timeout(db_.get(), 5000);
	exec(*db_, "PRAGMA foreign_keys = ON");
	try {
		migrate_store(*db_);
	} catch (const StoreError &e) {
		throw StoreError(file_ + ": " + e.what());
	}
}

ResultStore::~ResultStore() = default;

int ResultStore::schema_version()
{
	Statement st(*db_, "SELECT max(version) FROM schema_version");
	return st.step() ? int(st.integer(0)) : 0;
}

std::int64_t ResultStore::append(const RunResult &run, const std::string &station)
{
	sqlite3 &db = *db_;
	exec(db, "BEGIN IMMEDIATE");
	try {
		Statement r(db, "INSERT INTO runs(serial, board, board_file, plan, started_utc, "
		                "simulated, board_seconds, verdict, station) VALUES "
		                "(?,?,?,?,?,?,?,?,?)");
		r.bind(run.serial)
		    .bind(run.board)
		    .bind(run.board_file)
		    .bind(run.plan)
		    .bind(run.started_utc)
		    .bind(std::int64_t(run.simulated))
		    .bind(run.board_seconds)
		    .bind(std::string(verdict_name(run.verdict)))
		    .bind(station)
		    .run();
		const std::int64_t id = sqlite3_last_insert_rowid(&db);
		Statement s(db, "INSERT INTO steps(run_id, idx, name, kind, verdict, measured, "
		                "threshold, note, seconds, findings) VALUES (?,?,?,?,?,?,?,?,?,?)");
		for (std::size_t i = 0; i < run.steps.size(); ++i) {
			const StepResult &x = run.steps[i];
			s.bind(id)
			    .bind(std::int64_t(i))
			    .bind(x.name)
			    .bind(std::string(step_kind_name(x.kind)))
			    .bind(std::string(verdict_name(x.verdict)))
			    .bind(x.measured)
			    .bind(x.threshold)
			    .bind(x.note)
			    .bind(x.seconds)
			    .bind(findings_text(x))
			    .run();
		}
		Statement c(db,
		            "INSERT INTO chips(run_id, chain, position, domain, answered, "
		            "freq_mhz, valid, hw_errors, expected, min_valid, host_hashes, "
		            "chip_hashes, verdict, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
		for (const auto &x : run.chips) {
			c.bind(id)
			    .bind(std::int64_t(x.chain))
			    .bind(std::int64_t(x.position))
			    .bind(x.domain)
			    .bind(std::int64_t(x.answered))
			    .bind(x.freq_mhz);
			if (x.valid)
				c.bind(std::int64_t(*x.valid));
			else
				c.bind_null();
			c.bind(std::int64_t(x.hw_errors))
			    .bind(x.expected)
			    .bind(x.min_valid)
			    .bind(x.host_hashes);
			if (x.chip_hashes)
				c.bind(*x.chip_hashes);
			else
				c.bind_null();
			c.bind(std::string(verdict_name(x.verdict))).bind(x.reason).run();
		}
		exec(db, "COMMIT");
		return id;
	} catch (...) {
		sqlite3_exec(&db, "ROLLBACK", nullptr, nullptr, nullptr);
		throw;
	}
}

std::vector<StoredRun> ResultStore::runs(const std::string &serial)
{
	std::vector<StoredRun> out;
	Statement st(*db_,
	             "SELECT id, serial, board, plan, started_utc, verdict, station FROM runs "
	             "WHERE ?1 = '' OR serial = ?1 ORDER BY id");
	st.bind(serial);
	while (st.step())
		out.push_back({st.integer(0),
		               st.text(1),
		               st.text(2),
		               st.text(3),
		               st.text(4),
		               st.text(5),
		               st.text(6),
		               {},
		               {}});
	Statement steps(*db_, "SELECT name FROM steps WHERE run_id = ? AND verdict = 'fail' "
	                      "ORDER BY idx");
	Statement chips(*db_, "SELECT chain, position, reason FROM chips WHERE run_id = ? AND "
	                      "verdict = 'fail' ORDER BY chain, position");
	for (auto &r : out) {
		steps.bind(r.id);
		while (steps.step())
			r.failed_steps.push_back(steps.text(0));
		steps.run();
		chips.bind(r.id);
		while (chips.step())
			r.failed_chips.push_back("chain " + chips.text(0) + " chip " +
			                         chips.text(1) + ": " + chips.text(2));
		chips.run();
	}
	return out;
}

std::vector<BoardYield> ResultStore::yield_by_board()
{
	std::vector<BoardYield> out;
	Statement st(*db_,
	             "SELECT board, count(*), sum(verdict = 'pass'), "
	             "(SELECT count(DISTINCT serial) FROM runs r2 WHERE r2.board = runs.board), "
	             "(SELECT count(*) FROM runs r3 WHERE r3.board = runs.board AND "
	             " r3.verdict = 'pass' AND r3.id = (SELECT max(id) FROM runs r4 WHERE "
	             " r4.serial = r3.serial AND r4.board = r3.board)) "
	             "FROM runs GROUP BY board ORDER BY board");
	while (st.step())
		out.push_back({st.text(0), unsigned(st.integer(1)), unsigned(st.integer(2)),
		               unsigned(st.integer(3)), unsigned(st.integer(4))});
	return out;
}

std::vector<PositionFailures> ResultStore::failures_by_position(const std::string &board,
                                                                unsigned limit)
{
	std::vector<PositionFailures> out;
	Statement st(*db_, "SELECT runs.board, chips.chain, chips.position, count(*) AS n "
	                   "FROM chips JOIN runs ON runs.id = chips.run_id "
	                   "WHERE chips.verdict = 'fail' AND (?1 = '' OR runs.board = ?1) "
	                   "GROUP BY runs.board, chips.chain, chips.position "
	                   "ORDER BY n DESC, runs.board, chips.chain, chips.position LIMIT ?2");
	st.bind(board).bind(std::int64_t(limit));
	while (st.step())
		out.push_back({st.text(0), unsigned(st.integer(1)), unsigned(st.integer(2)),
		               unsigned(st.integer(3))});
	return out;
}

} // namespace station
