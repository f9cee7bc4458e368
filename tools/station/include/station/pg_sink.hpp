// SPDX-License-Identifier: MIT
//
// The line-wide results database: each run appended to PostgreSQL (libpq) with the local
// store's tables (station/store.hpp), so every station of a line writes one place. The
// schema carries its version and is migrated forward on connect, under an advisory lock
// so stations that start together migrate once; a database newer than this program is
// refused.
#pragma once

#include <station/result.hpp>
#include <station/store.hpp>

#include <cstdint>
#include <memory>
#include <string>

struct pg_conn;

namespace station {

class PgSink final : public ResultHistory {
public:
	// conninfo: a libpq connection string or URI ("host=/run/pg dbname=line"); throws
	// StoreError with the server's message when it cannot connect or migrate.
	explicit PgSink(const std::string &conninfo);
	~PgSink() override;
	PgSink(const PgSink &) = delete;
	PgSink &operator=(const PgSink &) = delete;

	int schema_version() override;
	// One transaction: the run and all its rows, or nothing. Returns the run's id.
	std::int64_t append(const RunResult &run, const std::string &station = "");
	// --history over the whole line.
	std::vector<StoredRun> runs(const std::string &serial = "") override;
	std::vector<BoardYield> yield_by_board() override;
	std::vector<PositionFailures> failures_by_position(const std::string &board = "",
	                                                   unsigned limit = 20) override;

private:
	struct Closer {
		void operator()(pg_conn *conn) const;
	};
	std::unique_ptr<pg_conn, Closer> conn_;
};

} // namespace station
