// SPDX-License-Identifier: MIT
// hbctl and hbsim exit with the code docs/ARCHITECTURE.md gives each error type, one
// example of each: usage 2, operational 1, device or link (errno kept) 74. A bug (a
// std::logic_error, 70) has no command-line trigger; tests/unit/test_errors.cpp maps it.
#include <boost/test/unit_test.hpp>

#include "hbtest.hpp"
#include "tool_run.hpp"

#include <hashboard/error.hpp>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

using hbtest::ToolRun;

using hbtest::run_hbctl;
using hbtest::run_hbsim;

// A board whose reset line is on a GPIO chip no machine has: opening it is a DeviceError.
class MissingGpioBoard {
public:
	MissingGpioBoard()
	    : path_(std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
	            "/hbtest-missing-gpio-" + std::to_string(::getpid()) + ".toml")
	{
		std::ofstream(path_) << R"(name = "missing-gpio"
[[chain]]
id = 0
family = "bm1366"
chips = 4
transport = "sim"

[[gpio]]
name = "reset"
role = "reset"
chip = "hbtest-no-such-gpiochip"
offset = 3

[limits]
temp_warn_c = 75
temp_trip_c = 90
vout_min_mv = 1100
vout_max_mv = 1350
freq_min_mhz = 50
freq_max_mhz = 600
)";
	}
	~MissingGpioBoard() { ::unlink(path_.c_str()); }
	MissingGpioBoard(const MissingGpioBoard &) = delete;
	MissingGpioBoard &operator=(const MissingGpioBoard &) = delete;
	const std::string &path() const { return path_; }

private:
	std::string path_;
};

} // namespace

BOOST_AUTO_TEST_CASE(hbctl_usage_errors_exit_2)
{
	// CLI11's own parse error and std::invalid_argument from the URI parser.
	BOOST_TEST(run_hbctl({"scan", "--no-such-option"}).status == hashboard::kExitUsage);
	const ToolRun uri = run_hbctl({"scan", "--transport", "bogus:x"});
	BOOST_TEST(uri.status == hashboard::kExitUsage);
	BOOST_TEST(uri.has("unknown scheme"), uri.out);
}

BOOST_AUTO_TEST_CASE(hbctl_operational_failures_exit_1)
{
	// A broken chain: scan reports it and fails.
	const ToolRun scan = run_hbctl({"scan", "--transport", "sim:bm1366?chips=4&dead=0"});
	BOOST_TEST(scan.status == hashboard::kExitOperational);
	BOOST_TEST(scan.has("CHAIN BROKEN"), scan.out);
	// The same chain under regs: an OperationalError ends the command.
	const ToolRun regs =
	    run_hbctl({"regs", "read", "chip_id", "--transport", "sim:bm1366?chips=4&dead=0"});
	BOOST_TEST(regs.status == hashboard::kExitOperational);
	BOOST_TEST(regs.has("no chip answered"), regs.out);
}

BOOST_AUTO_TEST_CASE(hbctl_link_errors_exit_74_with_the_errno_text)
{
	const ToolRun r = run_hbctl({"scan", "--transport", "tty:/nonexistent/hbtest-tty"});
	BOOST_TEST(r.status == hashboard::kExitIo);
	BOOST_TEST(r.has("link error: "), r.out);
	BOOST_TEST(r.has("/nonexistent/hbtest-tty"), r.out);
	BOOST_TEST(r.has("No such file or directory"), r.out);
}

BOOST_AUTO_TEST_CASE(hbctl_kernel_chain_errors_exit_74_naming_the_step)
{
	// kdev: on a device that is not hashboard.ko's.
	const ToolRun kdev = run_hbctl({"scan", "--transport", "kdev:/dev/null"});
	BOOST_TEST(kdev.status == hashboard::kExitIo);
	BOOST_TEST(kdev.has("not a hashboard chain device"), kdev.out);
	// attach on something that is not a tty, and on a tty without the module loaded
	// (the test machine's kernel has no hashboard line discipline: TIOCSETD fails).
	const ToolRun null = run_hbctl({"attach", "/dev/null"});
	BOOST_TEST(null.status == hashboard::kExitIo);
	BOOST_TEST(null.has("not a tty"), null.out);
	const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
	BOOST_TEST_REQUIRE(master >= 0);
	BOOST_TEST_REQUIRE(::grantpt(master) == 0);
	BOOST_TEST_REQUIRE(::unlockpt(master) == 0);
	const std::string slave = ::ptsname(master);
	const ToolRun pty = run_hbctl({"attach", slave});
	::close(master);
	BOOST_TEST(pty.status == hashboard::kExitIo);
	BOOST_TEST(pty.has("TIOCSETD 29"), pty.out);
}

BOOST_AUTO_TEST_CASE(hbctl_device_errors_exit_74_with_the_errno_text)
{
	const MissingGpioBoard board;
	const ToolRun r = run_hbctl({"board", "status", "-b", board.path()});
	BOOST_TEST(r.status == hashboard::kExitIo);
	BOOST_TEST(r.has("device error: "), r.out);
	BOOST_TEST(r.has("hbtest-no-such-gpiochip"), r.out);
	BOOST_TEST(r.has("No such file or directory"), r.out);
}

BOOST_AUTO_TEST_CASE(hbsim_exit_codes)
{
	const ToolRun usage = run_hbsim({"--family", "bm9999", "--pty"});
	BOOST_TEST(usage.status == hashboard::kExitUsage);
	// A system call that fails: its errno's text, and the I/O exit code.
	const ToolRun bind = run_hbsim({"--unix", "/nonexistent/hbtest-dir/chain.sock"});
	BOOST_TEST(bind.status == hashboard::kExitIo);
	BOOST_TEST(bind.has("cannot bind /nonexistent/hbtest-dir/chain.sock"), bind.out);
	BOOST_TEST(bind.has("No such file or directory"), bind.out);
}
