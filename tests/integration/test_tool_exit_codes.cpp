// SPDX-License-Identifier: MIT
// hbctl and hbsim exit with the code docs/ARCHITECTURE.md gives each error type, one
// example of each: usage 2, operational 1, device or link (errno kept) 74. A bug (a
// std::logic_error, 70) has no command-line trigger; tests/unit/test_errors.cpp maps it.
#include <boost/test/unit_test.hpp>

#include "child_process.hpp"
#include "hbtest.hpp"

#include <hashboard/error.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

struct Run {
	int status = -1;
	std::string out; // stdout and stderr together
};

Run run(const char *tool, std::vector<std::string> args)
{
	args.insert(args.begin(), tool);
	hbtest::Child child(args, hbtest::Child::Stderr::capture);
	Run r;
	r.out = child.read_all(60s);
	r.status = child.wait(10s);
	BOOST_TEST_MESSAGE(args[0] << " " << (args.size() > 1 ? args[1] : "") << " -> " << r.status
	                           << "\n"
	                           << r.out);
	return r;
}

Run hbctl(std::vector<std::string> args)
{
	return run(hbtest::hbctl_bin(), std::move(args));
}

Run hbsim(std::vector<std::string> args)
{
	return run(hbtest::hbsim_bin(), std::move(args));
}

bool has(const Run &r, const std::string &text)
{
	return r.out.find(text) != std::string::npos;
}

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
	BOOST_TEST(hbctl({"scan", "--no-such-option"}).status == hashboard::kExitUsage);
	const Run uri = hbctl({"scan", "--transport", "bogus:x"});
	BOOST_TEST(uri.status == hashboard::kExitUsage);
	BOOST_TEST(has(uri, "unknown scheme"), uri.out);
}

BOOST_AUTO_TEST_CASE(hbctl_operational_failures_exit_1)
{
	// A broken chain: scan reports it and fails.
	const Run scan = hbctl({"scan", "--transport", "sim:bm1366?chips=4&dead=0"});
	BOOST_TEST(scan.status == hashboard::kExitOperational);
	BOOST_TEST(has(scan, "CHAIN BROKEN"), scan.out);
	// The same chain under regs: an OperationalError ends the command.
	const Run regs =
	    hbctl({"regs", "read", "chip_id", "--transport", "sim:bm1366?chips=4&dead=0"});
	BOOST_TEST(regs.status == hashboard::kExitOperational);
	BOOST_TEST(has(regs, "no chip answered"), regs.out);
}

BOOST_AUTO_TEST_CASE(hbctl_link_errors_exit_74_with_the_errno_text)
{
	const Run r = hbctl({"scan", "--transport", "tty:/nonexistent/hbtest-tty"});
	BOOST_TEST(r.status == hashboard::kExitIo);
	BOOST_TEST(has(r, "link error: "), r.out);
	BOOST_TEST(has(r, "/nonexistent/hbtest-tty"), r.out);
	BOOST_TEST(has(r, "No such file or directory"), r.out);
}

BOOST_AUTO_TEST_CASE(hbctl_device_errors_exit_74_with_the_errno_text)
{
	const MissingGpioBoard board;
	const Run r = hbctl({"board", "status", "-b", board.path()});
	BOOST_TEST(r.status == hashboard::kExitIo);
	BOOST_TEST(has(r, "device error: "), r.out);
	BOOST_TEST(has(r, "hbtest-no-such-gpiochip"), r.out);
	BOOST_TEST(has(r, "No such file or directory"), r.out);
}

BOOST_AUTO_TEST_CASE(hbsim_exit_codes)
{
	const Run usage = hbsim({"--family", "bm9999", "--pty"});
	BOOST_TEST(usage.status == hashboard::kExitUsage);
	// A system call that fails: its errno's text, and the I/O exit code.
	const Run bind = hbsim({"--unix", "/nonexistent/hbtest-dir/chain.sock"});
	BOOST_TEST(bind.status == hashboard::kExitIo);
	BOOST_TEST(has(bind, "cannot bind /nonexistent/hbtest-dir/chain.sock"), bind.out);
	BOOST_TEST(has(bind, "No such file or directory"), bind.out);
}
