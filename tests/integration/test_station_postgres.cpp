// SPDX-License-Identifier: MIT
// hbctl test --pg against a real PostgreSQL server the test starts and stops itself
// (Debian's postgresql: initdb and pg_ctl into a private directory, a unix socket only,
// no TCP port): every run lands with its steps and chips, the schema is migrated once,
// and a database newer than hbctl is refused.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "temp_dir.hpp"
#include "tool_run.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

using hbtest::run_hbctl;
using hbtest::run_tool;

// Debian's server binaries (postgresql-NN), newest first.
std::optional<fs::path> postgres_bin()
{
	const fs::path root = "/usr/lib/postgresql";
	std::error_code ec;
	std::optional<fs::path> best;
	for (const auto &e : fs::directory_iterator(root, ec))
		if (fs::exists(e.path() / "bin" / "initdb") && (!best || e.path() > *best))
			best = e.path() / "bin";
	return best;
}

// A throwaway server: initdb, start, stop and remove at the end. The server refuses to
// run as root, so as root it runs as the postgres user.
class PgServer {
public:
	explicit PgServer(const fs::path &bin) : bin_(bin)
	{
		fs::permissions(dir_.path, fs::perms::all); // the server's user writes there
		as_server(
		    {(bin_ / "initdb").string(), "-D", data(), "-A", "trust", "-U", "postgres"});
		as_server({(bin_ / "pg_ctl").string(), "-D", data(), "-w", "-l",
		           dir_.file("pg.log"), "-o",
		           "-k " + dir_.path + " -c listen_addresses= -p 5432", "start"});
		started_ = true;
	}
	~PgServer()
	{
		if (started_)
			run_tool(runner(), args({(bin_ / "pg_ctl").string(), "-D", data(), "-m",
			                         "fast", "-w", "stop"}));
	}
	PgServer(const PgServer &) = delete;
	PgServer &operator=(const PgServer &) = delete;

	std::string conninfo() const
	{
		return "host=" + dir_.path + " port=5432 dbname=postgres user=postgres";
	}
	// One value from a query, by psql.
	std::string query(const std::string &sql) const
	{
		auto r = run_tool("/usr/bin/psql", {conninfo(), "-At", "-c", sql});
		BOOST_TEST_REQUIRE(r.status == 0, r.out);
		while (!r.out.empty() && r.out.back() == '\n')
			r.out.pop_back();
		return r.out;
	}

private:
	std::string data() const { return dir_.file("data"); }
	static bool root() { return ::geteuid() == 0; }
	static std::string runner() { return root() ? "/usr/sbin/runuser" : "/usr/bin/env"; }
	static std::vector<std::string> args(std::vector<std::string> cmd)
	{
		if (root())
			cmd.insert(cmd.begin(), {"-u", "postgres", "--"});
		return cmd;
	}
	void as_server(const std::vector<std::string> &cmd) const
	{
		const auto r = run_tool(runner(), args(cmd));
		BOOST_TEST_REQUIRE(r.status == 0, r.out);
	}
	hbtest::TempDir dir_;
	fs::path bin_;
	bool started_ = false;
};

std::string read(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

} // namespace

BOOST_AUTO_TEST_CASE(runs_land_in_a_real_postgresql_server)
{
	const auto bin = postgres_bin();
	if (!bin) {
		BOOST_TEST_MESSAGE("HB-SKIPPED: no PostgreSQL server (postgresql in install-deps)");
		return;
	}
	PgServer pg(*bin);
	const std::string nano3 = (hbtest::boards_dir() / "nano3-class-sim.toml").string();
	hbtest::TempDir dir;
	const std::string dead =
	    dir.write("dead.toml", read(nano3) + "\n[[sim.fault]]\ntype = \"dead_chip\"\n"
	                                         "chain = 0\nposition = 6\n");

	const auto ok = run_hbctl({"test", "-b", nano3, "--serial", "PG-1", "--pg", pg.conninfo()});
	BOOST_TEST(ok.status == 0, ok.out);
	BOOST_TEST(ok.has("stored as run 1 in PostgreSQL"), ok.out);
	const auto bad = run_hbctl({"test", "-b", dead, "--serial", "PG-2", "--pg", pg.conninfo()});
	BOOST_TEST(bad.status == 1, bad.out);

	BOOST_TEST(
	    pg.query("SELECT string_agg(serial || ':' || verdict, ',' ORDER BY id) FROM runs") ==
	    "PG-1:pass,PG-2:fail");
	BOOST_TEST(pg.query("SELECT count(*) FROM chips") == "20");
	BOOST_TEST(pg.query("SELECT count(*) FROM steps") == "14");
	BOOST_TEST(pg.query("SELECT string_agg(position::text, ',' ORDER BY position) FROM chips "
	                    "JOIN runs ON runs.id = run_id WHERE serial = 'PG-2' AND "
	                    "chips.verdict = 'fail'") == "6,7,8,9");
	BOOST_TEST(pg.query("SELECT findings FROM steps JOIN runs ON runs.id = run_id WHERE "
	                    "serial = 'PG-2' AND name = 'enumeration'")
	               .find("chain 0 chip 6, domain core: chain cut") == 0u);
	// Migrated once, by the first run.
	BOOST_TEST(pg.query("SELECT string_agg(version::text, ',' ORDER BY version) FROM "
	                    "schema_version") == "1,2");

	// The line's history, as --history shows the local store's.
	const auto h = run_hbctl({"test", "--history", "--pg", pg.conninfo(), "--serial", "PG-2"});
	BOOST_TEST(h.status == 0, h.out);
	BOOST_TEST(h.has("1 runs of serial PG-2 (store PostgreSQL, schema 2)"), h.out);
	BOOST_TEST(h.has("failed chain 0 chip 6: the chain's break"), h.out);
	BOOST_TEST(h.has("runs 2, passed 1 (50 %); serials 2, passing now 1"), h.out);
	BOOST_TEST(h.has("chain 0 chip 6    1 failures"), h.out);

	// A database a newer hbctl migrated is not written by this one.
	pg.query("INSERT INTO schema_version(version) VALUES (99)");
	const auto newer =
	    run_hbctl({"test", "-b", nano3, "--serial", "PG-3", "--pg", pg.conninfo()});
	BOOST_TEST(newer.status == 1, newer.out);
	BOOST_TEST(newer.has("schema version 99 is newer"), newer.out);
	BOOST_TEST(pg.query("SELECT count(*) FROM runs") == "2");
}
