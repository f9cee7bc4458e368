// SPDX-License-Identifier: MIT
// The station's results store and reports from a made-up run: the store migrates an old
// schema forward and refuses a newer one, keeps every row of a run, and answers history,
// yield and per-position questions; the JSON and JUnit reports carry every step.
#include <boost/test/unit_test.hpp>

#include "temp_dir.hpp"

#include <station/reports.hpp>
#include <station/store.hpp>

#include <boost/json.hpp>

#include <sqlite3.h>

#include <memory>
#include <string>
#include <utility>

using namespace station;

namespace {

using Db = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

Db open_db(const std::string &file)
{
	sqlite3 *raw = nullptr;
	BOOST_TEST_REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
	return Db(raw, sqlite3_close);
}

RunResult run_of(const std::string &serial, bool pass, unsigned bad_position = 3)
{
	RunResult r;
	r.serial = serial;
	r.board = "rig";
	r.board_file = "boards/rig.toml";
	r.plan = "default";
	r.started_utc = "2026-01-01T00:00:00Z";
	r.simulated = true;
	r.verdict = pass ? Verdict::pass : Verdict::fail;
	StepResult s;
	s.kind = StepKind::pattern;
	s.name = "pattern";
	s.verdict = r.verdict;
	s.measured = "a <measured> & \"quoted\" value";
	if (!pass)
		s.findings.push_back({"0 valid nonces", 0u, bad_position, "d0", "", "replace it"});
	r.steps.push_back(s);
	ChainSummary chain;
	chain.family = "bm1366";
	chain.expected_chips = 4;
	chain.found = 4;
	chain.ticket_log2 = 8;
	r.chains.push_back(chain);
	for (unsigned p = 0; p < 4; ++p) {
		ChipResult c;
		c.chain = 0;
		c.position = p;
		c.domain = "d0";
		c.answered = true;
		c.valid = (!pass && p == bad_position) ? 0 : 100;
		c.expected = 100;
		c.verdict = (!pass && p == bad_position) ? Verdict::fail : Verdict::pass;
		c.reason = c.verdict == Verdict::fail ? "0 valid nonces" : "";
		r.chips.push_back(c);
	}
	return r;
}

int count(sqlite3 &db, const std::string &sql)
{
	sqlite3_stmt *st = nullptr;
	BOOST_TEST_REQUIRE(sqlite3_prepare_v2(&db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
	BOOST_TEST_REQUIRE(sqlite3_step(st) == SQLITE_ROW);
	const int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_new_store_is_at_the_current_schema)
{
	hbtest::TempDir dir;
	ResultStore store(dir.file("s.sqlite"));
	BOOST_TEST(store.schema_version() == kStoreSchemaVersion);
	BOOST_TEST(store.runs().empty());
}

BOOST_AUTO_TEST_CASE(a_version_1_store_migrates_with_its_rows)
{
	hbtest::TempDir dir;
	const std::string file = dir.file("old.sqlite");
	{
		Db db = open_db(file);
		BOOST_TEST(migrate_store(*db, 1) == 1);
		BOOST_TEST(
		    sqlite3_exec(db.get(),
		                 "INSERT INTO runs(serial, board, board_file, plan, started_utc, "
		                 "simulated, board_seconds, verdict) VALUES "
		                 "('OLD-1','rig','f','p','t',1,1.0,'pass')",
		                 nullptr, nullptr, nullptr) == SQLITE_OK);
	}
	ResultStore store(file);
	BOOST_TEST(store.schema_version() == 2);
	const auto runs = store.runs("OLD-1");
	BOOST_TEST_REQUIRE(runs.size() == 1u);
	BOOST_TEST(runs[0].station == ""); // the column version 2 added, its default
	store.append(run_of("NEW-1", true), "line-3");
	BOOST_TEST(store.runs("NEW-1").at(0).station == "line-3");
	Db db = open_db(file);
	BOOST_TEST(count(*db, "SELECT count(*) FROM schema_version") == 2);
}

BOOST_AUTO_TEST_CASE(a_store_newer_than_the_program_is_refused)
{
	hbtest::TempDir dir;
	const std::string file = dir.file("new.sqlite");
	{
		Db db = open_db(file);
		migrate_store(*db);
		BOOST_TEST(sqlite3_exec(db.get(), "INSERT INTO schema_version(version) VALUES (99)",
		                        nullptr, nullptr, nullptr) == SQLITE_OK);
	}
	BOOST_CHECK_THROW(ResultStore{file}, StoreError);
}

BOOST_AUTO_TEST_CASE(every_run_is_kept_and_answers_history_questions)
{
	hbtest::TempDir dir;
	const std::string file = dir.file("s.sqlite");
	{
		ResultStore store(file);
		store.append(run_of("A", false, 3));
		store.append(run_of("A", true));
		store.append(run_of("B", false, 3));
		store.append(run_of("C", false, 1));
	}
	ResultStore store(file); // reopened: nothing lived only in memory
	const auto a = store.runs("A");
	BOOST_TEST_REQUIRE(a.size() == 2u);
	BOOST_TEST(a[0].verdict == "fail");
	BOOST_TEST(a[0].failed_steps.at(0) == "pattern");
	BOOST_TEST(a[0].failed_chips.at(0) == "chain 0 chip 3: 0 valid nonces");
	BOOST_TEST(a[1].verdict == "pass");
	BOOST_TEST(store.runs().size() == 4u);

	const auto y = store.yield_by_board();
	BOOST_TEST_REQUIRE(y.size() == 1u);
	BOOST_TEST(y[0].runs == 4u);
	BOOST_TEST(y[0].passed == 1u);
	BOOST_TEST(y[0].serials == 3u);
	BOOST_TEST(y[0].serials_passing == 1u); // A passes on its retest

	const auto pos = store.failures_by_position();
	BOOST_TEST_REQUIRE(pos.size() == 2u);
	BOOST_TEST(pos[0].position == 3u);
	BOOST_TEST(pos[0].failures == 2u);
	BOOST_TEST(pos[1].position == 1u);

	Db db = open_db(file);
	BOOST_TEST(count(*db, "SELECT count(*) FROM chips") == 16);
	BOOST_TEST(count(*db, "SELECT count(*) FROM steps") == 4);
}

namespace {

// The x and y of a chip's rect in the HTML map.
std::pair<int, int> drawn_at(const std::string &html, unsigned position)
{
	const std::string key = "data-position=\"" + std::to_string(position) + "\"";
	const auto at = html.find(key);
	BOOST_TEST_REQUIRE(at != std::string::npos);
	const auto x = html.find(" x=\"", at), y = html.find(" y=\"", at);
	return {std::stoi(html.substr(x + 4)), std::stoi(html.substr(y + 4))};
}

} // namespace

BOOST_AUTO_TEST_CASE(the_html_map_draws_chips_at_their_board_cells)
{
	RunResult r = run_of("L-1", false, 2);
	// Chain order without a layout: one row.
	std::string h = report_html(r);
	BOOST_TEST(h.find("data-layout=\"chain-order\"") != std::string::npos);
	BOOST_TEST(drawn_at(h, 1).second == drawn_at(h, 3).second);
	BOOST_TEST(drawn_at(h, 1).first < drawn_at(h, 3).first);
	// A 2 x 2 board, snaking from the bottom right: 0 and 1 along the bottom (right to
	// left), 2 above 1, 3 above 0.
	hashboard::ChainLayout l;
	l.columns = 2;
	l.rows = 2;
	l.order = hashboard::LayoutOrder::serpentine_rows;
	l.start = hashboard::LayoutCorner::bottom_right;
	r.chains[0].columns = 2;
	r.chains[0].rows = 2;
	r.chains[0].cells = hashboard::chip_cells(l, 4);
	h = report_html(r);
	BOOST_TEST(h.find("data-layout=\"board\"") != std::string::npos);
	const auto c0 = drawn_at(h, 0), c1 = drawn_at(h, 1), c2 = drawn_at(h, 2),
	           c3 = drawn_at(h, 3);
	BOOST_TEST(c1.first < c0.first); // right to left along the bottom
	BOOST_TEST(c1.second == c0.second);
	BOOST_TEST(c2.first == c1.first); // up, above chip 1
	BOOST_TEST(c2.second < c1.second);
	BOOST_TEST(c3.first == c0.first);
	BOOST_TEST(c3.second == c2.second);
	// The failing chip is marked at its cell.
	BOOST_TEST(h.find("<rect class=\"chip fail\" data-chain=\"0\" data-position=\"2\" "
	                  "data-verdict=\"fail\" data-column=\"0\" data-row=\"0\"") !=
	           std::string::npos);
	BOOST_TEST(h.find("<polyline class=\"route\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_reports_carry_every_step_escaped)
{
	const RunResult r = run_of("R-1", false, 2);
	const auto j = boost::json::parse(boost::json::serialize(report_json(r))).as_object();
	BOOST_TEST(j.at("verdict").as_string() == "fail");
	BOOST_TEST(j.at("steps").as_array().at(0).at("measured").as_string() ==
	           "a <measured> & \"quoted\" value");
	BOOST_TEST(j.at("chips").as_array().at(2).at("verdict").as_string() == "fail");

	const std::string x = report_junit(r);
	BOOST_TEST(x.find("<testcase classname=\"rig.pattern\" name=\"pattern\"") !=
	           std::string::npos);
	BOOST_TEST(x.find("<failure message=\"chain 0 chip 2, domain d0: 0 valid nonces") !=
	           std::string::npos);
	BOOST_TEST(x.find("a &lt;measured&gt; &amp; &quot;quoted&quot; value") !=
	           std::string::npos);

	const std::string h = report_html(r);
	BOOST_TEST(h.find("<rect class=\"chip fail\" data-chain=\"0\" data-position=\"2\"") !=
	           std::string::npos);
	BOOST_TEST(h.find("<script") == std::string::npos);
}
