// SPDX-License-Identifier: MIT
//
// hbpool: the test pool as a program, for trying a miner by hand (docs/stratum.md).
//   hbpool --port 3333 --notify-file tests/vectors/stratum_example_b.json --difficulty 0.001
// Control on standard input, one command a line:
//   job | clean        a new job (clean: the earlier ones are stale)
//   difficulty D       set_difficulty D to every connection (jobs after it)
//   drop               close every connection
//   silence | talk     stop / resume answering and sending jobs
//   down | up          stop / resume accepting connections
//   stats              per-worker counts on standard output
//   quit               exit (so do SIGINT and SIGTERM; end of input does not, so
//                      hbpool ... </dev/null & runs on under signal control)
// Signals: SIGUSR1 drops every connection, SIGUSR2 sends a clean job.
#include <hbpool/test_pool.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/streambuf.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <functional>
#include <istream>
#include <optional>
#include <string>

namespace {

namespace asio = boost::asio;

class Control {
public:
	Control(asio::io_context &io, hbpool::TestPool &pool)
	    : io_(io), pool_(pool), in_(io, ::dup(STDIN_FILENO))
	{
		read();
	}

private:
	void read()
	{
		asio::async_read_until(
		    in_, buf_, '\n', [this](const boost::system::error_code &ec, std::size_t) {
			    if (ec)
				    return; // end of input: signals stay the control
			    std::istream is(&buf_);
			    std::string line;
			    std::getline(is, line);
			    command(line);
			    read();
		    });
	}

	void command(const std::string &line)
	{
		if (line == "job" || line == "clean")
			pool_.new_job(line == "clean");
		else if (line.rfind("difficulty ", 0) == 0) {
			try {
				pool_.set_difficulty(std::stod(line.substr(11)));
			} catch (const std::exception &) {
				std::fprintf(stderr, "hbpool: '%s' is not a difficulty\n",
				             line.c_str());
			}
		} else if (line == "drop")
			pool_.drop_all();
		else if (line == "silence" || line == "talk")
			pool_.set_silent(line == "silence");
		else if (line == "down" || line == "up")
			pool_.set_listening(line == "up");
		else if (line == "stats") {
			const auto t = pool_.totals();
			std::printf(
			    "accepted %llu rejected %llu duplicates %llu stale %llu low %llu "
			    "connections %zu\n",
			    static_cast<unsigned long long>(t.accepted),
			    static_cast<unsigned long long>(t.rejected),
			    static_cast<unsigned long long>(t.duplicates),
			    static_cast<unsigned long long>(t.stale),
			    static_cast<unsigned long long>(t.low_difficulty), pool_.connections());
			std::fflush(stdout);
		} else if (line == "quit")
			io_.stop();
		else if (!line.empty())
			std::fprintf(stderr, "hbpool: unknown command '%s'\n", line.c_str());
	}

	asio::io_context &io_;
	hbpool::TestPool &pool_;
	asio::posix::stream_descriptor in_;
	asio::streambuf buf_;
};

} // namespace

int main(int argc, char **argv)
{
	CLI::App app{"hbpool: a Stratum V1 test pool (loopback), jobs from real notify data"};
	hbpool::TestPoolOptions o;
	std::string notify_file;
	std::string mask = "1fffe000";
	std::string cert, key;
	app.add_option("--port", o.port, "TCP port (0: any free one, printed)")->default_val(3333);
	app.add_option("--address", o.address, "address to listen on")->default_val("127.0.0.1");
	app.add_option(
	       "--notify-file", notify_file,
	       "JSON with mining.notify params (a test vector, one list, or a list of lists)")
	    ->required()
	    ->check(CLI::ExistingFile);
	app.add_option("--difficulty", o.difficulty, "share difficulty (may be below 1)")
	    ->default_val(1.0)
	    ->check(CLI::PositiveNumber);
	app.add_option("--version-mask", mask, "version-rolling mask the pool allows, hex");
	app.add_option("--extranonce2-size", o.extranonce2_size, "extranonce2 bytes")
	    ->default_val(4)
	    ->check(CLI::Range(1, 16));
	auto *tls = app.add_option("--tls-cert", cert, "PEM certificate: serve TLS");
	app.add_option("--tls-key", key, "PEM private key for --tls-cert")->needs(tls);
	CLI11_PARSE(app, argc, argv);

	const auto m = hashboard::parse_hex_number(hashboard::without_hex_prefix(mask), 8);
	if (!m) {
		std::fprintf(stderr, "hbpool: --version-mask '%s' is not 32-bit hex\n",
		             mask.c_str());
		return 2;
	}
	o.version_mask = std::uint32_t(*m);
	if (!cert.empty()) {
		if (key.empty()) {
			std::fprintf(stderr, "hbpool: --tls-cert needs --tls-key\n");
			return 2;
		}
		o.cert_file = cert;
		o.key_file = key;
	}
	try {
		o.notifies = hbpool::read_notify_file(notify_file);
		asio::io_context io;
		hbpool::TestPool pool(io, o);
		std::printf("hbpool: listening on %s\n", pool.url().c_str());
		std::fflush(stdout);
		asio::signal_set signals(io, SIGINT, SIGTERM);
		signals.async_wait([&io](const boost::system::error_code &, int) { io.stop(); });
		// Signals as a second control, for a pool run with no terminal: SIGUSR1 drops
		// every connection, SIGUSR2 sends a clean job.
		asio::signal_set cues(io, SIGUSR1, SIGUSR2);
		std::function<void()> wait_cue = [&] {
			cues.async_wait([&](const boost::system::error_code &ec, int sig) {
				if (ec)
					return;
				if (sig == SIGUSR1)
					pool.drop_all();
				else
					pool.new_job(true);
				wait_cue();
			});
		};
		wait_cue();
		// Standard input that cannot be polled (/dev/null, a regular file) leaves the
		// signals as the only control.
		std::optional<Control> control;
		try {
			control.emplace(io, pool);
		} catch (const boost::system::system_error &e) {
			std::fprintf(stderr, "hbpool: no control on standard input (%s)\n",
			             e.what());
		}
		io.run();
		const auto t = pool.totals();
		std::printf("hbpool: accepted %llu rejected %llu\n",
		            static_cast<unsigned long long>(t.accepted),
		            static_cast<unsigned long long>(t.rejected));
	} catch (const std::exception &e) {
		std::fprintf(stderr, "hbpool: %s\n", e.what());
		return 1;
	}
	return 0;
}
