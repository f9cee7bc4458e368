// SPDX-License-Identifier: MIT
#include "command_line.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace hashboardd {

ParsedCommandLine parse_command_line(int argc, const char *const *argv)
{
	CommandLine l;
	CLI::App app{"hashboardd: the hashboard mining daemon (Stratum V1 pools, cgminer API, "
	             "Prometheus metrics). With no board file it mines on the built-in "
	             "simulated board."};
	app.set_version_flag("--version", std::string("hashboardd ") + HB_VERSION);
	std::string config, board;
	app.add_option("-c,--config", config, "TOML config file (docs/daemon.md)");
	app.add_option("--pool", l.pools,
	               "pool URL, stratum+tcp://HOST:PORT or stratum+ssl://HOST:PORT; repeat in "
	               "failover order (replaces the config file's pools)");
	app.add_option("-u,--user", l.user, "pool user (worker name), for every pool");
	app.add_option("-p,--password", l.password, "pool password, for every pool");
	app.add_option("--board", board, "board file (default: the built-in simulated board)");
	app.add_option("--chain-transport", l.chain_transports,
	               "ID=URI: put the board's chain ID on the transport URI (repeatable; "
	               "docs/transports.md), e.g. a simulated board's chains on hbsim --board's "
	               "ptys: 0=tty:/dev/pts/5");
	app.add_option("--api-port", l.api_port, "cgminer API port (0 to disable)")
	    ->check(CLI::Range(0, 65535));
	app.add_option("--metrics-port", l.metrics_port, "Prometheus /metrics port (0 to disable)")
	    ->check(CLI::Range(0, 65535));
	app.add_option("--web-port", l.web_port, "web dashboard port (0 to disable; docs/web.md)")
	    ->check(CLI::Range(0, 65535));
	app.add_option("--log-level", l.log_level, "error, warning, notice, info or debug")
	    ->check(CLI::IsMember({"error", "warning", "notice", "info", "debug"}));
	app.add_flag("--check-config", l.check_config,
	             "read and check the configuration, print it, and exit");
	try {
		app.parse(argc, argv);
	} catch (const CLI::ParseError &e) {
		return {std::nullopt, app.exit(e, std::cout, std::cerr)};
	}
	if (!config.empty())
		l.config_file = config;
	if (!board.empty())
		l.board_file = board;
	return {std::move(l), 0};
}

DaemonConfig effective_config(const CommandLine &l)
{
	DaemonConfig c = l.config_file ? load_daemon_config(*l.config_file) : DaemonConfig{};
	if (!l.pools.empty()) {
		c.pools.clear();
		for (const auto &url : l.pools) {
			PoolConfig p;
			p.url = url;
			c.pools.push_back(std::move(p));
		}
	}
	for (auto &p : c.pools) {
		if (l.user)
			p.user = *l.user;
		if (l.password)
			p.password = *l.password;
	}
	if (l.board_file)
		c.board_file = l.board_file;
	c.chain_transports = l.chain_transports;
	// Port 0 on the command line switches the server off (a test or a board that
	// must not listen); in the file, enabled = false does.
	if (l.api_port) {
		c.api.enabled = *l.api_port != 0;
		c.api.port = std::uint16_t(*l.api_port);
	}
	if (l.metrics_port) {
		c.metrics.enabled = *l.metrics_port != 0;
		c.metrics.port = std::uint16_t(*l.metrics_port);
	}
	if (l.web_port) {
		c.web.enabled = *l.web_port != 0;
		c.web.port = std::uint16_t(*l.web_port);
	}
	if (l.log_level)
		c.log_level = *parse_log_level(*l.log_level);
	validate(c);
	return c;
}

} // namespace hashboardd
