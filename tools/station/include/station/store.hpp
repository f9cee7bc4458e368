// SPDX-License-Identifier: MIT
//
// The station's local results store: one SQLite file, each run appended (run, steps,
// chips), read back for a serial's history, yield per board model and failures per chip
// position. The schema carries its version (schema_version table); opening a store
// migrates it forward one numbered step at a time, each in its own transaction, and
// refuses a store newer than this program knows (docs/station.md lists the versions).
#pragma once

#include <station/result.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace station {

class StoreError : public std::runtime_error {
public:
	using std::runtime_error::runtime_error;
};

// The version this program writes.
inline constexpr int kStoreSchemaVersion = 2;

// Brings an open database from its version to target (<= kStoreSchemaVersion); returns
// the version it is at. Throws StoreError when the database is newer than target.
int migrate_store(sqlite3 &db, int target = kStoreSchemaVersion);

struct StoredRun {
	std::int64_t id = 0;
	std::string serial, board, plan, started_utc, verdict, station;
	std::vector<std::string> failed_steps;
	std::vector<std::string> failed_chips; // "chain 1 chip 7: reason"
};
struct BoardYield {
	std::string board;
	unsigned runs = 0;
	unsigned passed = 0;
	// Boards (serials) whose last run passed, of those tested: what ships.
	unsigned serials = 0;
	unsigned serials_passing = 0;
};
struct PositionFailures {
	std::string board;
	unsigned chain = 0;
	unsigned position = 0;
	unsigned failures = 0;
};

// What --history asks of a store, local or line-wide.
class ResultHistory {
public:
	virtual ~ResultHistory() = default;
	virtual int schema_version() = 0;
	// Oldest first; every serial when serial is empty.
	virtual std::vector<StoredRun> runs(const std::string &serial = "") = 0;
	virtual std::vector<BoardYield> yield_by_board() = 0;
	// Most failures first, at most limit rows; board empty: every board.
	virtual std::vector<PositionFailures> failures_by_position(const std::string &board = "",
	                                                           unsigned limit = 20) = 0;
};

class ResultStore final : public ResultHistory {
public:
	// Opens or creates the file, then migrates it.
	explicit ResultStore(const std::filesystem::path &file);
	~ResultStore() override;
	ResultStore(const ResultStore &) = delete;
	ResultStore &operator=(const ResultStore &) = delete;

	int schema_version() override;
	// One transaction: the run and all its rows, or nothing. station: who ran it.
	std::int64_t append(const RunResult &run, const std::string &station = "");
	std::vector<StoredRun> runs(const std::string &serial = "") override;
	std::vector<BoardYield> yield_by_board() override;
	std::vector<PositionFailures> failures_by_position(const std::string &board = "",
	                                                   unsigned limit = 20) override;

private:
	struct Closer {
		void operator()(sqlite3 *db) const;
	};
	std::unique_ptr<sqlite3, Closer> db_;
	std::string file_;
};

} // namespace station
