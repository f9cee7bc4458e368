// SPDX-License-Identifier: MIT
// hbctl: bring-up, register access, tuning and manufacturing tests for hashboards.
#include "commands.hpp"
#include "terminal_text.hpp"

#include <hashboard/error.hpp>

#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>

namespace {

// What the message is prefixed with on stderr, so a log says which kind of failure.
const char *error_kind(const std::exception &e)
{
	if (dynamic_cast<const hashboard::TransportError *>(&e))
		return "link error: ";
	if (dynamic_cast<const hashboard::DeviceError *>(&e))
		return "device error: ";
	if (dynamic_cast<const std::invalid_argument *>(&e))
		return "";
	if (dynamic_cast<const std::logic_error *>(&e))
		return "internal error (a bug): ";
	return "";
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"hbctl: bring up, test and tune hashboard chip chains.\n"
	             "Without --transport every command runs on the built-in simulated board."};
	app.require_subcommand(1);
	app.failure_message([](const CLI::App *a, const CLI::Error &e) {
		return hbctl::terminal_safe(CLI::FailureMessage::simple(a, e));
	});
	const std::map<std::string, hbctl::Runner> commands{
	    {"scan", hbctl::add_scan_command(app)},   {"mine", hbctl::add_mine_command(app)},
	    {"board", hbctl::add_board_command(app)}, {"frames", hbctl::add_frames_command(app)},
	    {"regs", hbctl::add_regs_command(app)},   {"attach", hbctl::add_attach_command(app)},
	    {"tune", hbctl::add_tune_command(app)},   {"test", hbctl::add_test_command(app)},
	};

	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		// Usage errors exit 2 (docs/ARCHITECTURE.md), not with CLI11's own 100+ codes.
		return app.exit(e) == 0 ? hashboard::kExitOk : hashboard::kExitUsage;
	}
	try {
		for (const auto *cmd : app.get_subcommands())
			return commands.at(cmd->get_name())();
	} catch (const std::exception &e) {
		// The exit code by the error's type: hashboard::exit_code_for (2 usage, 1
		// operational, 74 device or link, 70 a bug; docs/ARCHITECTURE.md).
		// Messages carry what the user or the input gave (paths, names, tokens).
		std::fprintf(stderr, "hbctl: %s%s\n", error_kind(e),
		             hbctl::terminal_safe(e.what()).c_str());
		return hashboard::exit_code_for(e);
	} catch (...) {
		std::fprintf(stderr, "hbctl: unknown exception\n");
		return hashboard::kExitSoftware;
	}
	return hashboard::kExitUsage;
}
