// SPDX-License-Identifier: MIT
// hashboardd: read the configuration, open the board, run the daemon (docs/daemon.md).
#include "board_setup.hpp"
#include "command_line.hpp"
#include "daemon.hpp"
#include "log.hpp"

#include <hashboard/config_file.hpp>

#include <systemd/sd-daemon.h>

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <iostream>

int main(int argc, char **argv)
{
	using namespace hashboardd;
	const ParsedCommandLine parsed = parse_command_line(argc, argv);
	if (!parsed.line)
		return parsed.exit_code;
	const CommandLine &line = *parsed.line;
	Log log(LogLevel::info, detect_log_style(2));
	DaemonConfig config;
	try {
		config = effective_config(line);
	} catch (const std::exception &e) {
		log.error(std::string("configuration: ") + e.what());
		return 2;
	}
	log.set_level(config.log_level);
	if (line.check_config) {
		fmt::print("configuration ok: {} pool{}, board {}, API port {}, metrics port {}\n",
		           config.pools.size(), config.pools.size() == 1 ? "" : "s",
		           config.board_file ? config.board_file->string() : "built-in simulated",
		           config.api.enabled ? std::to_string(config.api.port) : "off",
		           config.metrics.enabled ? std::to_string(config.metrics.port) : "off");
		return 0;
	}
	try {
		BoardRig rig = open_board(config.board_file, config.chain_transports);
		DaemonHooks hooks;
		hooks.notify = [](const std::string &state) { sd_notify(0, state.c_str()); };
		hooks.reload = [&line] { return effective_config(line); };
		Daemon daemon(config, rig, log, hooks);
		return daemon.run();
	} catch (const hashboard::ConfigError &e) {
		log.error(std::string("board file: ") + e.what());
		return 2;
	} catch (const std::invalid_argument &e) {
		log.error(e.what());
		return 2;
	} catch (const std::exception &e) {
		log.error(e.what());
		return 1;
	}
}
