// SPDX-License-Identifier: MIT
// The store's schema as numbered migrations: version N is reached by applying step N to
// version N-1. A step is never edited once released; a change is a new step.
#include <station/store.hpp>

#include <sqlite3.h>

#include <array>
#include <string>

namespace station {
namespace {

constexpr std::array<const char *, kStoreSchemaVersion> kMigrations{
    // 1: runs, their steps and their chips.
    R"(CREATE TABLE runs(
	id INTEGER PRIMARY KEY,
	serial TEXT NOT NULL,
	board TEXT NOT NULL,
	board_file TEXT NOT NULL,
	plan TEXT NOT NULL,
	started_utc TEXT NOT NULL,
	simulated INTEGER NOT NULL,
	board_seconds REAL NOT NULL,
	verdict TEXT NOT NULL);
CREATE INDEX runs_serial ON runs(serial);
CREATE TABLE steps(
	run_id INTEGER NOT NULL REFERENCES runs(id),
	idx INTEGER NOT NULL,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	verdict TEXT NOT NULL,
	measured TEXT NOT NULL,
	threshold TEXT NOT NULL,
	note TEXT NOT NULL,
	seconds REAL NOT NULL,
	findings TEXT NOT NULL,
	PRIMARY KEY(run_id, idx));
CREATE TABLE chips(
	run_id INTEGER NOT NULL REFERENCES runs(id),
	chain INTEGER NOT NULL,
	position INTEGER NOT NULL,
	domain TEXT NOT NULL,
	answered INTEGER NOT NULL,
	freq_mhz REAL NOT NULL,
	valid INTEGER,
	hw_errors INTEGER NOT NULL,
	expected REAL NOT NULL,
	min_valid REAL NOT NULL,
	host_hashes REAL NOT NULL,
	chip_hashes REAL,
	verdict TEXT NOT NULL,
	reason TEXT NOT NULL,
	PRIMARY KEY(run_id, chain, position));)",
    // 2: which station ran it (a line has several), and the failing chips found fast.
    R"(ALTER TABLE runs ADD COLUMN station TEXT NOT NULL DEFAULT '';
CREATE INDEX chips_failed ON chips(verdict) WHERE verdict = 'fail';)",
};

void exec(sqlite3 &db, const std::string &sql)
{
	char *err = nullptr;
	if (sqlite3_exec(&db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
		const std::string message = err ? err : sqlite3_errmsg(&db);
		sqlite3_free(err);
		throw StoreError("results store: " + message);
	}
}

int read_version(sqlite3 &db)
{
	sqlite3_stmt *raw = nullptr;
	if (sqlite3_prepare_v2(&db, "SELECT max(version) FROM schema_version", -1, &raw, nullptr) !=
	    SQLITE_OK)
		throw StoreError(std::string("results store: ") + sqlite3_errmsg(&db));
	std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st(raw, sqlite3_finalize);
	int version = 0;
	if (sqlite3_step(st.get()) == SQLITE_ROW && sqlite3_column_type(st.get(), 0) != SQLITE_NULL)
		version = sqlite3_column_int(st.get(), 0);
	return version;
}

} // namespace

int migrate_store(sqlite3 &db, int target)
{
	exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, "
	         "applied_utc TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))");
	int version = read_version(db);
	if (version > target)
		throw StoreError("results store: schema version " + std::to_string(version) +
		                 " is newer than this hbctl's " + std::to_string(target) +
		                 ": use a newer hbctl");
	for (; version < target; ++version) {
		exec(db, "BEGIN IMMEDIATE");
		try {
			exec(db, kMigrations.at(std::size_t(version)));
			exec(db, "INSERT INTO schema_version(version) VALUES (" +
			             std::to_string(version + 1) + ")");
			exec(db, "COMMIT");
		} catch (...) {
			sqlite3_exec(&db, "ROLLBACK", nullptr, nullptr, nullptr);
			throw;
		}
	}
	return version;
}

} // namespace station
