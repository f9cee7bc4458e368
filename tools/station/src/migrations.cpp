// SPDX-License-Identifier: MIT
#include "migrations.hpp"

#include <station/store.hpp>

#include <array>

namespace station::detail {
namespace {

// The steps with the types that differ between the engines as $ID (the run's key),
// $KEY (a reference to it), $BOOL, $REAL and $BIG (64-bit counts).
constexpr std::array<const char *, kStoreSchemaVersion> kSteps{
    // 1: runs, their steps and their chips.
    R"(CREATE TABLE runs(
	id $ID,
	serial TEXT NOT NULL,
	board TEXT NOT NULL,
	board_file TEXT NOT NULL,
	plan TEXT NOT NULL,
	started_utc TEXT NOT NULL,
	simulated $BOOL NOT NULL,
	board_seconds $REAL NOT NULL,
	verdict TEXT NOT NULL);
CREATE INDEX runs_serial ON runs(serial);
CREATE TABLE steps(
	run_id $KEY NOT NULL REFERENCES runs(id),
	idx INTEGER NOT NULL,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	verdict TEXT NOT NULL,
	measured TEXT NOT NULL,
	threshold TEXT NOT NULL,
	note TEXT NOT NULL,
	seconds $REAL NOT NULL,
	findings TEXT NOT NULL,
	PRIMARY KEY(run_id, idx));
CREATE TABLE chips(
	run_id $KEY NOT NULL REFERENCES runs(id),
	chain INTEGER NOT NULL,
	position INTEGER NOT NULL,
	domain TEXT NOT NULL,
	answered $BOOL NOT NULL,
	freq_mhz $REAL NOT NULL,
	valid $BIG,
	hw_errors $BIG NOT NULL,
	expected $REAL NOT NULL,
	min_valid $REAL NOT NULL,
	host_hashes $REAL NOT NULL,
	chip_hashes $REAL,
	verdict TEXT NOT NULL,
	reason TEXT NOT NULL,
	PRIMARY KEY(run_id, chain, position));)",
    // 2: which station ran it (a line has several), and the failing chips found fast.
    R"(ALTER TABLE runs ADD COLUMN station TEXT NOT NULL DEFAULT '';
CREATE INDEX chips_failed ON chips(verdict) WHERE verdict = 'fail';)",
};

struct Types {
	std::string_view token, sqlite, postgres;
};

// SQLite's INTEGER PRIMARY KEY is its rowid (numbered by the engine); PostgreSQL needs
// an identity column for the same.
constexpr std::array<Types, 5> kTypes{{
    {"$ID", "INTEGER PRIMARY KEY", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"},
    {"$KEY", "INTEGER", "BIGINT"},
    {"$BOOL", "INTEGER", "BOOLEAN"},
    {"$REAL", "REAL", "DOUBLE PRECISION"},
    {"$BIG", "INTEGER", "BIGINT"},
}};

} // namespace

std::string migration_sql(int n, SqlDialect dialect)
{
	std::string sql = kSteps.at(std::size_t(n - 1));
	for (const auto &t : kTypes) {
		const std::string_view with = dialect == SqlDialect::sqlite ? t.sqlite : t.postgres;
		for (auto at = sql.find(t.token); at != std::string::npos;
		     at = sql.find(t.token, at + with.size()))
			sql.replace(at, t.token.size(), with);
	}
	return sql;
}

int walk_migrations(int version, int target, SqlDialect dialect, std::string_view who,
                    const std::function<void(int n, const std::string &sql)> &apply)
{
	if (version > target)
		throw StoreError(std::string(who) + ": schema version " + std::to_string(version) +
		                 " is newer than this hbctl's " + std::to_string(target) +
		                 ": use a newer hbctl");
	for (int n = version + 1; n <= target; ++n)
		apply(n, migration_sql(n, dialect));
	return target;
}

} // namespace station::detail
