// SPDX-License-Identifier: MIT
//
// hbsim: a simulated hashboard chain in real time, behind a pty or a unix socket, so
// hbctl, hashboardd or a QEMU guest's UART can drive it like hardware; with --board,
// one such chain per chain of a board file, all served by this one process.
#include "chain_setup.hpp"
#include "endpoint.hpp"
#include "options.hpp"
#include "real_time_bound.hpp"
#include "server.hpp"

#include <hashboard/clock.hpp>
#include <hashboard/error.hpp>
#include <hashboard/target.hpp>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <system_error>
#include <vector>

namespace {

using namespace hbsim_tool;

// Exit codes: hashboard::exit_code_for (hashboard/error.hpp, docs/ARCHITECTURE.md).
using hashboard::kExitUsage;

void add_options(CLI::App &app, Options &opt)
{
	auto *board = app.add_option(
	    "--board", opt.board_file,
	    "serve every chain of this board file (boards/*.toml), each on its own pty or "
	    "socket with its own control socket: family, chips, [sim] seed and chain faults "
	    "from the file");
	const std::vector<CLI::Option *> chain_options{
	    app.add_option("--family", opt.family,
	                   "chip family: bm1397, bm1366, bm1368, bm1370, or hbfp (the FPGA "
	                   "chip's Verilated RTL; docs/fpga.md)")
	        ->capture_default_str(),
	    app.add_option("--chips", opt.chips, "chips on the chain")
	        ->check(CLI::Range(1, 256))
	        ->capture_default_str(),
	    app.add_option("--dead-chip", opt.dead_chip, "break the chain at this chip (0-based)"),
	    app.add_option("--mute-chip", opt.mute_chip, "this chip relays but never answers"),
	    app.add_option("--bit-error-rate", opt.bit_error_rate,
	                   "bit errors per bit on the chip-to-host line")
	        ->check(CLI::Range(0.0, 1.0)),
	    app.add_option("--freq-limit", opt.freq_limit_mhz,
	                   "stable-frequency limit in MHz (default: nominal * 1.15)")
	        ->check(CLI::PositiveNumber),
	};
	for (CLI::Option *o : chain_options)
		board->excludes(o);
	app.add_option("--zero-bits", opt.zero_bits,
	               "leading zero bits of a difficulty-1 nonce (32 on real chips; fewer "
	               "hash less for the same nonce rate; default: the board's [sim] "
	               "zero_bits, else " +
	                   std::to_string(hbsim::SimChainConfig{}.zero_bits) +
	                   "); refused when the chips would need more SHA-256d per second "
	                   "than one core computes")
	    ->check(CLI::Range(1u, hashboard::kRealChipZeroBits));
	app.add_option("--seed", opt.seed,
	               "simulator seed (default: the board's [sim] seed, else " +
	                   std::to_string(hbsim::SimChainConfig{}.seed) +
	                   "; a board's chain N uses seed + 7919 N)");
	auto *link = app.add_option_group("link", "where the host connects (one of)");
	link->add_flag("--pty", opt.pty, "serve on a new pty (one per chain); prints its path");
	auto *unix_path =
	    link->add_option("--unix", opt.unix_path, "listen on a unix stream socket at PATH");
	auto *unix_dir = link->add_option(
	    "--unix-dir", opt.unix_dir,
	    "with --board: listen on DIR/chain<id>.sock, control on DIR/chain<id>.ctl");
	link->require_option(1);
	unix_dir->needs(board);
	board->excludes(unix_path);
	auto *control = app.add_option(
	    "--control", opt.control_path,
	    "control socket for the reset line (default: $TMPDIR/hbsim-<pid>.ctl; with --board "
	    "$TMPDIR/hbsim-<pid>-chain<id>.ctl)");
	board->excludes(control);
	app.add_flag("--log-frames", opt.log_frames, "log every frame and chip event on stderr");
	app.add_flag("--json", opt.json, "print the connection details as one JSON object");
}

// Refused (std::invalid_argument) when the chips cannot be hashed in real time; a warning
// when they take most of the core.
void warn_if_slow(const Options &opt, const hbsim::SimChainConfig &config,
                  const std::vector<BoardChain> &chains)
{
	std::vector<hbsim::SimChainConfig> configs;
	if (chains.empty())
		configs.push_back(config);
	for (const auto &c : chains)
		configs.push_back(c.config);
	const auto warning =
	    check_real_time(configs, zero_bits_source(opt, configs.front().zero_bits));
	if (warning)
		std::cerr << "hbsim: warning: " << *warning << "\n";
}

std::string temp_dir()
{
	const char *tmp = std::getenv("TMPDIR");
	return tmp && *tmp ? tmp : "/tmp";
}

std::string default_control_path()
{
	return temp_dir() + "/hbsim-" + std::to_string(::getpid()) + ".ctl";
}

void announce(const Options &opt, const Endpoint &e)
{
	if (opt.json) {
		const boost::json::object o{
		    {e.link_kind(), e.link()}, {"control", e.control()}, {"family", opt.family},
		    {"chips", opt.chips},      {"pid", ::getpid()},
		};
		std::cout << boost::json::serialize(o) << std::endl;
	} else {
		std::cout << e.link_kind() << ": " << e.link() << "\ncontrol: " << e.control()
		          << std::endl;
	}
}

// One line per chain, or one JSON object listing them, so a script can wire each chain
// of the board file to its link.
void announce_board(const Options &opt, const std::vector<BoardChain> &chains,
                    const std::vector<std::unique_ptr<Endpoint>> &endpoints)
{
	if (opt.json) {
		boost::json::array list;
		for (std::size_t i = 0; i < chains.size(); ++i) {
			const Endpoint &e = *endpoints[i];
			list.push_back(
			    boost::json::object{{"id", chains[i].id},
			                        {e.link_kind(), e.link()},
			                        {"control", e.control()},
			                        {"family", chains[i].config.family},
			                        {"chips", chains[i].config.chips},
			                        {"zero_bits", chains[i].config.zero_bits}});
		}
		const boost::json::object o{
		    {"board", opt.board_file}, {"chains", std::move(list)}, {"pid", ::getpid()}};
		std::cout << boost::json::serialize(o) << std::endl;
		return;
	}
	for (std::size_t i = 0; i < chains.size(); ++i)
		std::cout << "chain " << chains[i].id << ": " << endpoints[i]->link_kind() << " "
		          << endpoints[i]->link() << " control " << endpoints[i]->control() << "\n";
	std::cout << std::flush;
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
		throw std::system_error(errno, std::generic_category(), "sigprocmask");
	const int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		throw std::system_error(errno, std::generic_category(), "signalfd");
	return fd;
}

int serve_chain(const Options &opt, hbsim::SimChainConfig config)
{
	const UniqueFd signals(stop_signals_fd());
	hashboard::SteadyClock clock;
	const LinkSpec link{opt.pty, opt.unix_path,
	                    opt.control_path.empty() ? default_control_path() : opt.control_path};
	Endpoint endpoint(std::move(config), link, clock, {}, opt.log_frames);
	announce(opt, endpoint);
	Server *const servers[] = {&endpoint.server()};
	serve(servers, signals.get());
	return 0;
}

int serve_board(const Options &opt, std::vector<BoardChain> chains)
{
	const UniqueFd signals(stop_signals_fd());
	hashboard::SteadyClock clock;
	std::vector<std::unique_ptr<Endpoint>> endpoints;
	std::vector<Server *> servers;
	const std::string pid = std::to_string(::getpid());
	for (auto &c : chains) {
		const std::string name = "chain" + std::to_string(c.id);
		LinkSpec link;
		link.pty = opt.pty;
		if (opt.pty) {
			link.control_path = temp_dir() + "/hbsim-" + pid + "-" + name + ".ctl";
		} else {
			link.unix_path = opt.unix_dir + "/" + name + ".sock";
			link.control_path = opt.unix_dir + "/" + name + ".ctl";
		}
		endpoints.push_back(std::make_unique<Endpoint>(
		    c.config, link, clock, "chain " + std::to_string(c.id) + ": ", opt.log_frames));
		servers.push_back(&endpoints.back()->server());
	}
	announce_board(opt, chains, endpoints);
	serve(servers, signals.get());
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"hbsim: simulated BM13xx hashboard chains on ptys or unix sockets: one "
	             "chain, or every chain of a board file"};
	Options opt;
	add_options(app, opt);
	hbsim::SimChainConfig config;
	std::vector<BoardChain> chains;
	try {
		app.parse(argc, argv);
		if (opt.board_file.empty())
			config = chain_config(opt);
		else
			chains = board_chains(opt);
		warn_if_slow(opt, config, chains);
	} catch (const CLI::CallForHelp &e) {
		return app.exit(e);
	} catch (const CLI::ParseError &e) {
		app.exit(e);
		return kExitUsage;
	} catch (const std::exception &e) { // a bad family, board file or chain option: 2
		std::cerr << "hbsim: " << e.what() << "\n";
		return hashboard::exit_code_for(e);
	}
	try {
		return opt.board_file.empty() ? serve_chain(opt, std::move(config))
		                              : serve_board(opt, std::move(chains));
	} catch (const std::exception &e) {
		// A socket path that does not fit: 2; a pty, socket or poll that fails: 74,
		// with its errno's text (std::system_error); a bug: 70.
		std::cerr << "hbsim: " << e.what() << "\n";
		return hashboard::exit_code_for(e);
	} catch (...) {
		std::cerr << "hbsim: unknown exception\n";
		return hashboard::kExitSoftware;
	}
}
