// SPDX-License-Identifier: MIT
//
// hbsim: a simulated hashboard chain in real time, behind a pty or a unix socket, so
// hbctl, hashboardd or a QEMU guest's UART can drive it like hardware.
#include "chain_setup.hpp"
#include "control_server.hpp"
#include "log.hpp"
#include "options.hpp"
#include "pty_port.hpp"
#include "server.hpp"
#include "unix_port.hpp"

#include <hashboard/clock.hpp>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>

namespace {

using namespace hbsim_tool;

// Exit status for bad arguments, as the usual command-line tools use it.
constexpr int kExitUsage = 2;

void add_options(CLI::App &app, Options &opt)
{
	app.add_option("--family", opt.family, "chip family: bm1397, bm1366, bm1368, bm1370")
	    ->capture_default_str();
	app.add_option("--chips", opt.chips, "chips on the chain")
	    ->check(CLI::Range(1, 256))
	    ->capture_default_str();
	app.add_option("--zero-bits", opt.zero_bits,
	               "leading zero bits of a difficulty-1 nonce (32 on real chips; fewer "
	               "hash less for the same nonce rate)")
	    ->check(CLI::Range(1, 32))
	    ->capture_default_str();
	app.add_option("--seed", opt.seed, "simulator seed")->capture_default_str();
	app.add_option("--dead-chip", opt.dead_chip, "break the chain at this chip (0-based)");
	app.add_option("--mute-chip", opt.mute_chip, "this chip relays but never answers");
	app.add_option("--bit-error-rate", opt.bit_error_rate,
	               "bit errors per bit on the chip-to-host line")
	    ->check(CLI::Range(0.0, 1.0));
	app.add_option("--freq-limit", opt.freq_limit_mhz,
	               "stable-frequency limit in MHz (default: nominal * 1.15)")
	    ->check(CLI::PositiveNumber);
	auto *link = app.add_option_group("link", "where the host connects (one of)");
	link->add_flag("--pty", opt.pty, "serve on a new pty; prints its path");
	link->add_option("--unix", opt.unix_path, "listen on a unix stream socket at PATH");
	link->require_option(1);
	app.add_option("--control", opt.control_path,
	               "control socket for the reset line (default: $TMPDIR/hbsim-<pid>.ctl)");
	app.add_flag("--log-frames", opt.log_frames, "log every frame and chip event on stderr");
	app.add_flag("--json", opt.json, "print the connection details as one JSON object");
}

std::string default_control_path()
{
	const char *tmp = std::getenv("TMPDIR");
	return std::string(tmp && *tmp ? tmp : "/tmp") + "/hbsim-" + std::to_string(::getpid()) +
	       ".ctl";
}

void announce(const Options &opt, const std::string &link_key, const std::string &link,
              const std::string &control)
{
	if (opt.json) {
		const boost::json::object o{
		    {link_key, link},     {"control", control}, {"family", opt.family},
		    {"chips", opt.chips}, {"pid", ::getpid()},
		};
		std::cout << boost::json::serialize(o) << std::endl;
	} else {
		std::cout << link_key << ": " << link << "\ncontrol: " << control << std::endl;
	}
}

// SIGINT/SIGTERM/SIGHUP arrive on a descriptor the main loop polls, so stopping is an
// ordinary event and every destructor runs (the socket files are removed).
int stop_signals_fd()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0)
		throw std::runtime_error("sigprocmask failed");
	const int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		throw std::runtime_error("signalfd failed");
	return fd;
}

int serve(const Options &opt, const hbsim::ChainConfig &config)
{
	const UniqueFd signals(stop_signals_fd());
	hashboard::SteadyClock clock;
	const Log log(clock);
	ControlServer control(opt.control_path.empty() ? default_control_path() : opt.control_path);

	std::unique_ptr<HostPort> port;
	if (opt.pty) {
		auto pty = std::make_unique<PtyPort>();
		announce(opt, "pty", pty->slave_path(), control.path());
		port = std::move(pty);
	} else {
		auto sock = std::make_unique<UnixPort>(opt.unix_path);
		announce(opt, "unix", sock->path(), control.path());
		port = std::move(sock);
	}
	log.line("hbsim: " + opt.family + " x" + std::to_string(opt.chips) + " on " +
	         port->describe() + ", control " + control.path());
	Server server(config, *port, control, clock, log, opt.log_frames);
	server.run(signals.get());
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"hbsim: a simulated BM13xx hashboard chain on a pty or a unix socket"};
	Options opt;
	add_options(app, opt);
	hbsim::ChainConfig config;
	try {
		app.parse(argc, argv);
		config = chain_config(opt);
	} catch (const CLI::CallForHelp &e) {
		return app.exit(e);
	} catch (const CLI::ParseError &e) {
		app.exit(e);
		return kExitUsage;
	} catch (const std::invalid_argument &e) {
		std::cerr << "hbsim: " << e.what() << "\n";
		return kExitUsage;
	}
	try {
		return serve(opt, config);
	} catch (const std::invalid_argument &e) { // e.g. a socket path that does not fit
		std::cerr << "hbsim: " << e.what() << "\n";
		return kExitUsage;
	} catch (const std::exception &e) {
		std::cerr << "hbsim: " << e.what() << "\n";
		return 1;
	}
}
