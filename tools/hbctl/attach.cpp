// SPDX-License-Identifier: MIT
// hbctl attach TTY: makes a UART a chain device (/dev/hashboardN) through hashboard.ko's
// line discipline and holds it until a signal, as ldattach does for other disciplines.
#include "commands.hpp"

#include "transport/kdev_attach.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

namespace hbctl {
namespace {

struct AttachOptions {
	std::string tty;
	std::uint32_t baud = 115200;
	std::uint32_t baud_base = 0;
};

int run_attach(const AttachOptions &o)
{
	// Blocked before the attachment exists, so a signal that comes early is not lost
	// and ends the wait below instead of killing the process with the tty attached.
	sigset_t set;
	sigemptyset(&set);
	for (int s : {SIGTERM, SIGINT, SIGHUP})
		sigaddset(&set, s);
	pthread_sigmask(SIG_BLOCK, &set, nullptr);
	const hashboard::transport::LdiscAttachment attached(o.tty, o.baud, o.baud_base);
	// The device's name alone on stdout, for scripts and the udev unit.
	std::printf("%s\n", attached.device().c_str());
	std::fflush(stdout);
	std::fprintf(stderr, "hbctl attach: %s is %s until SIGTERM, SIGINT or SIGHUP\n",
	             o.tty.c_str(), attached.device().c_str());
	int sig = 0;
	sigwait(&set, &sig);
	std::fprintf(stderr, "hbctl attach: %s detached (signal %d)\n", o.tty.c_str(), sig);
	return 0;
}

} // namespace

Runner add_attach_command(CLI::App &app)
{
	auto o = std::make_shared<AttachOptions>();
	auto *cmd = app.add_subcommand(
	    "attach", "Make a UART (/dev/ttyUSB0, ttyACM0, ttyS1) a chain device /dev/hashboardN "
	              "through hashboard.ko's line discipline; holds it until a signal");
	cmd->add_option("tty", o->tty, "The UART's tty")->required();
	cmd->add_option("--baud", o->baud, "Host baud to start at (the chips' reset baud)")
	    ->check(CLI::Range(9600u, 12000000u));
	cmd->add_option("--baud-base", o->baud_base,
	                "Set a 16550's base rate first (TIOCSSERIAL), for UARTs whose driver "
	                "caps the baud below their clock")
	    ->check(CLI::Range(115200u, 48000000u));
	return [o] { return run_attach(*o); };
}

} // namespace hbctl
