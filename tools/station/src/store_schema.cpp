// SPDX-License-Identifier: MIT
// The SQLite store's migrations: the steps of migrations.cpp, each in its own
// transaction with its schema_version row.
#include "migrations.hpp"

#include <station/store.hpp>

#include <sqlite3.h>

#include <string>

namespace station {
namespace {

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
	return detail::walk_migrations(
	    read_version(db), target, detail::SqlDialect::sqlite, "results store",
	    [&](int n, const std::string &sql) {
		    exec(db, "BEGIN IMMEDIATE");
		    try {
			    exec(db, sql);
			    exec(db, "INSERT INTO schema_version(version) VALUES (" +
			                 std::to_string(n) + ")");
			    exec(db, "COMMIT");
		    } catch (...) {
			    sqlite3_exec(&db, "ROLLBACK", nullptr, nullptr, nullptr);
			    throw;
		    }
	    });
}

} // namespace station
