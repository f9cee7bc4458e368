// SPDX-License-Identifier: MIT
// hbpool as a process: it serves the vector's notify, a PoolManager mines on it, a
// SIGUSR1 drops the connection, the manager comes back with the session resumed, and
// hbpool's own count at exit is what was sent (none lost, none twice). Bad options fail
// with a message.
#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "pool_rig.hpp"
#include "temp_dir.hpp"

#include <signal.h>
#include <unistd.h>

#include <filesystem>

using namespace pool_rig;

namespace {

std::string hbpool_bin()
{
	// Beside the test programs: build/tests/pool/hbpool (tests/CMakeLists.txt builds it
	// first); found from our own path so no test needs a compile definition of its own.
	return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "pool" / "hbpool")
	    .string();
}

std::string vector_path()
{
	return std::string(HB_VECTORS_DIR) + "/stratum_example_b.json";
}

} // namespace

BOOST_AUTO_TEST_SUITE(hbpool_process)

BOOST_AUTO_TEST_CASE(mines_through_a_drop_and_counts_every_share_once)
{
	hbtest::Child pool(
	    {hbpool_bin(), "--port", "0", "--notify-file", vector_path(), "--difficulty", "1e-6"});
	const auto first = pool.read_line(10s);
	BOOST_TEST_REQUIRE(first.has_value());
	const std::string prefix = "hbpool: listening on ";
	BOOST_TEST_REQUIRE(first->rfind(prefix, 0) == 0u, *first);
	const std::string url = first->substr(prefix.size());

	Net net;
	PoolManager m(net.io, net.clock, manager_options(), {PoolConfig{url, "w", "x", true, {}}});
	JobSource src(m, 2);
	m.start();
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active().has_value(); }));
	for (const auto &f : find_shares(src, m, 0, 3))
		BOOST_TEST((src.on_nonce(f.work_id, f.nonce, f.version) == Offer::queued));
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.status()[0].accepted == 3; }));

	BOOST_TEST_REQUIRE(::kill(pool.pid(), SIGUSR1) == 0);
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.status()[0].remote_failures >= 1; }));
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.active().has_value(); }));
	for (const auto &f : find_shares(src, m, 1, 2))
		BOOST_TEST((src.on_nonce(f.work_id, f.nonce, f.version) == Offer::queued));
	BOOST_TEST_REQUIRE(net.run_until([&] { return m.status()[0].accepted == 5; }));
	BOOST_TEST(m.status()[0].rejected == 0u);
	BOOST_TEST(m.status()[0].stale == 0u);

	BOOST_TEST(pool.terminate(10s) == 0);
	const std::string rest = pool.read_all(5s);
	BOOST_TEST(rest.find("hbpool: accepted 5 rejected 0") != std::string::npos, rest);
}

BOOST_AUTO_TEST_CASE(bad_options_fail_with_a_message)
{
	hbtest::Child missing({hbpool_bin(), "--port", "0"}, hbtest::Child::Stderr::capture);
	BOOST_TEST(missing.wait(10s) != 0);
	BOOST_TEST(missing.read_all(5s).find("notify-file") != std::string::npos);
	hbtest::TempDir dir;
	const std::string bad = dir.write("bad.json", R"({"notify":["1","zz"]})");
	hbtest::Child wrong({hbpool_bin(), "--notify-file", bad}, hbtest::Child::Stderr::capture);
	BOOST_TEST(wrong.wait(10s) == 1);
	BOOST_TEST(wrong.read_all(5s).find("mining.notify") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
