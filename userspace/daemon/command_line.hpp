// SPDX-License-Identifier: MIT
//
// hashboardd's command line: the config file and the overrides for the common cases,
// so `hashboardd --pool stratum+tcp://127.0.0.1:3333 --user me.worker` mines with no
// config file at all.
#pragma once

#include "config.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hashboardd {

struct CommandLine {
	std::optional<std::filesystem::path> config_file;
	std::vector<std::string> pools;      // --pool, in failover order; replace the file's
	std::optional<std::string> user;     // every pool's
	std::optional<std::string> password; // every pool's
	std::optional<std::filesystem::path> board_file;
	std::vector<std::string> chain_transports; // --chain-transport ID=URI
	std::optional<unsigned> api_port;
	std::optional<unsigned> metrics_port;
	std::optional<unsigned> web_port;
	std::optional<std::string> log_level;
	bool check_config = false; // read and check, print the result, exit
};

// Parses argv; on --help, --version or an error, returns the exit code to leave with
// (0 or 2) after printing what CLI11 says.
struct ParsedCommandLine {
	std::optional<CommandLine> line;
	int exit_code = 0;
};
ParsedCommandLine parse_command_line(int argc, const char *const *argv);

// The file (or the defaults) with the command line on top, validated: what the daemon
// runs with. Throws hashboard::ConfigError for the file, std::invalid_argument for the
// whole.
DaemonConfig effective_config(const CommandLine &line);

} // namespace hashboardd
