// SPDX-License-Identifier: MIT
//
// hashboardd's footprint while it mines the A15-class board (boards/a15-class-sim.toml,
// 3 x 160 BM1370): three processes, so only the daemon's own work is counted:
//   hbsim --board ... --pty --json   the chains, each on its own pty (and reset socket)
//   hbpool --port 0                  the pool, on loopback
//   hashboardd --board ... --chain-transport ID=tty:PTY?reset=hbsim:CTL ...
//                                    twins for the control devices, chains on the ptys
// Once the pool has accepted a share (the board is up and mining), the daemon's
// utime+stime (/proc/PID/stat) is read over kWindow of mining, and its VmRSS and VmHWM
// (/proc/PID/status) at the end. hbsim's CPU over the same window is printed beside it
// (the simulator serving the same chips), and the daemon's RSS before bring-up as its
// baseline. Targets (issue 8): RSS <= 16 MB, CPU < 2 % of a core.
#include <boost/json.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kWindow = 20s;
constexpr double kTargetRssMb = 16;
constexpr double kTargetCpuPercent = 2;

// A child process with its standard input and output on pipes (stderr to a file);
// SIGTERM and a wait on destruction, SIGKILL if it does not go within 10 s.
class Child {
public:
	Child(std::vector<std::string> argv, const std::string &stderr_file) : name_(argv.at(0))
	{
		int in[2], out[2];
		if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
			throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
		posix_spawn_file_actions_adddup2(&fa, out[1], 1);
		posix_spawn_file_actions_addopen(&fa, 2, stderr_file.c_str(),
		                                 O_WRONLY | O_CREAT | O_TRUNC, 0644);
		std::vector<char *> args;
		for (auto &a : argv)
			args.push_back(a.data());
		args.push_back(nullptr);
		const int rc = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ);
		posix_spawn_file_actions_destroy(&fa);
		::close(in[0]);
		::close(out[1]);
		in_ = in[1];
		out_ = out[0];
		if (rc != 0) {
			::close(in_);
			::close(out_);
			throw std::runtime_error("spawn " + name_ + ": " + std::strerror(rc));
		}
	}
	~Child()
	{
		::close(in_);
		if (pid_ > 0) {
			::kill(pid_, SIGTERM);
			const auto end = Clock::now() + 10s;
			int status = 0;
			while (::waitpid(pid_, &status, WNOHANG) == 0) {
				if (Clock::now() > end) {
					::kill(pid_, SIGKILL);
					::waitpid(pid_, &status, 0);
					break;
				}
				std::this_thread::sleep_for(10ms);
			}
		}
		::close(out_);
	}
	Child(const Child &) = delete;
	Child &operator=(const Child &) = delete;

	pid_t pid() const { return pid_; }
	const std::string &name() const { return name_; }
	bool running() const
	{
		int status = 0;
		return ::waitpid(pid_, &status, WNOHANG) == 0;
	}
	void send(const std::string &line)
	{
		const std::string s = line + "\n";
		if (::write(in_, s.data(), s.size()) != ssize_t(s.size()))
			throw std::runtime_error(name_ + ": write to its standard input failed");
	}
	// The next line on its standard output, or nullopt after timeout (or at its end).
	std::optional<std::string> read_line(Clock::duration timeout)
	{
		const auto end = Clock::now() + timeout;
		for (;;) {
			if (const auto nl = buf_.find('\n'); nl != std::string::npos) {
				std::string line = buf_.substr(0, nl);
				buf_.erase(0, nl + 1);
				return line;
			}
			const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
			    end - Clock::now());
			if (left.count() <= 0)
				return std::nullopt;
			pollfd p{out_, POLLIN, 0};
			if (::poll(&p, 1, int(left.count())) <= 0)
				continue;
			char chunk[4096];
			const ssize_t n = ::read(out_, chunk, sizeof chunk);
			if (n <= 0)
				return std::nullopt;
			buf_.append(chunk, std::size_t(n));
		}
	}

private:
	std::string name_;
	pid_t pid_ = -1;
	int in_ = -1, out_ = -1;
	std::string buf_;
};

// utime + stime, in seconds.
double cpu_seconds(pid_t pid)
{
	std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
	std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
	const auto close = s.rfind(')');
	if (close == std::string::npos)
		throw std::runtime_error("no /proc/" + std::to_string(pid) + "/stat");
	std::istringstream rest(s.substr(close + 2));
	std::string field;
	unsigned long long utime = 0, stime = 0;
	// Fields after the name start at 3 (state); utime is 14, stime 15.
	for (int i = 3; i <= 15 && rest >> field; ++i) {
		if (i == 14)
			utime = std::stoull(field);
		if (i == 15)
			stime = std::stoull(field);
	}
	return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// A /proc/PID/status line's kB ("VmRSS", "VmHWM"), in MB.
double status_mb(pid_t pid, const std::string &key)
{
	std::ifstream f("/proc/" + std::to_string(pid) + "/status");
	for (std::string line; std::getline(f, line);)
		if (line.rfind(key + ":", 0) == 0)
			return std::stod(line.substr(key.size() + 1)) / 1024.0;
	throw std::runtime_error("no " + key + " in /proc/" + std::to_string(pid) + "/status");
}

unsigned long long accepted(Child &pool)
{
	pool.send("stats");
	for (;;) {
		const auto line = pool.read_line(5s);
		if (!line)
			throw std::runtime_error("hbpool answers no stats");
		unsigned long long a = 0;
		if (std::sscanf(line->c_str(), "accepted %llu", &a) == 1)
			return a;
	}
}

std::string tail(const std::string &file)
{
	std::ifstream f(file);
	std::vector<std::string> lines;
	for (std::string l; std::getline(f, l);)
		lines.push_back(l);
	std::string out;
	for (std::size_t i = lines.size() > 15 ? lines.size() - 15 : 0; i < lines.size(); ++i)
		out += "    " + lines[i] + "\n";
	return out;
}

int run()
{
	const std::string board = HB_SOURCE_DIR "/boards/a15-class-sim.toml";
	const std::string tmp = fmt::format("/tmp/bench_daemon_footprint.{}", ::getpid());
	Child sim({HB_HBSIM, "--board", board, "--pty", "--json"}, tmp + ".hbsim.log");
	const auto sim_line = sim.read_line(20s);
	if (!sim_line) {
		std::fprintf(stderr, "broken: hbsim printed no chains\n%s",
		             tail(tmp + ".hbsim.log").c_str());
		return 1;
	}
	std::vector<std::string> daemon_args = {HB_HASHBOARDD, "--board", board};
	const boost::json::value served = boost::json::parse(*sim_line);
	for (const auto &c : served.at("chains").as_array()) {
		const auto &o = c.as_object();
		daemon_args.push_back("--chain-transport");
		daemon_args.push_back(fmt::format("{}=tty:{}?reset=hbsim:{}", o.at("id").as_int64(),
		                                  std::string(o.at("pty").as_string()),
		                                  std::string(o.at("control").as_string())));
	}
	const std::size_t chains = (daemon_args.size() - 3) / 2;

	Child pool({HB_HBPOOL, "--port", "0", "--notify-file",
	            HB_SOURCE_DIR "/tests/vectors/stratum_example_b.json", "--difficulty", "1e-3"},
	           tmp + ".hbpool.log");
	std::string url;
	while (url.empty()) {
		const auto line = pool.read_line(10s);
		if (!line) {
			std::fprintf(stderr, "broken: hbpool did not say where it listens\n");
			return 1;
		}
		if (const auto at = line->find("listening on "); at != std::string::npos)
			url = line->substr(at + 13);
	}
	for (const char *a : {"--pool", url.c_str(), "--user", "bench.worker", "--api-port", "0",
	                      "--metrics-port", "0"})
		daemon_args.emplace_back(a);

	std::printf("bench_daemon_footprint: hashboardd mining %s (%zu chains on hbsim --board "
	            "ptys, another process), pool hbpool at %s\n",
	            "boards/a15-class-sim.toml", chains, url.c_str());
	const auto started = Clock::now();
	Child daemon(daemon_args, tmp + ".hashboardd.log");
	std::this_thread::sleep_for(300ms);
	const double rss_start = daemon.running() ? status_mb(daemon.pid(), "VmRSS") : 0;
	// Up and mining: the pool has a share.
	while (accepted(pool) == 0) {
		if (!daemon.running() || Clock::now() - started > 90s) {
			std::fprintf(stderr, "broken: no share from hashboardd within 90 s%s\n%s",
			             daemon.running() ? "" : " (it exited)",
			             tail(tmp + ".hashboardd.log").c_str());
			return 1;
		}
		std::this_thread::sleep_for(250ms);
	}
	const double bringup_s = std::chrono::duration<double>(Clock::now() - started).count();
	const unsigned long long shares0 = accepted(pool);
	const double d0 = cpu_seconds(daemon.pid()), s0 = cpu_seconds(sim.pid());
	const auto t0 = Clock::now();
	// A live pool's heartbeat: a new job every 5 s, a clean one every 10 s.
	for (int i = 1; Clock::now() - t0 < kWindow; ++i) {
		std::this_thread::sleep_until(std::min(t0 + i * 5s, t0 + kWindow));
		if (Clock::now() - t0 < kWindow)
			pool.send(i % 2 == 0 ? "clean" : "job");
	}
	const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
	const double d1 = cpu_seconds(daemon.pid()), s1 = cpu_seconds(sim.pid());
	const double rss = status_mb(daemon.pid(), "VmRSS"), hwm = status_mb(daemon.pid(), "VmHWM");
	const unsigned long long shares = accepted(pool) - shares0;
	if (!daemon.running()) {
		std::fprintf(stderr, "broken: hashboardd exited while mining\n%s",
		             tail(tmp + ".hashboardd.log").c_str());
		return 1;
	}
	const double cpu = 100.0 * (d1 - d0) / wall, sim_cpu = 100.0 * (s1 - s0) / wall;
	std::printf("  bring-up to the first accepted share: %.1f s; then %.1f s of mining, %llu "
	            "shares accepted\n",
	            bringup_s, wall, shares);
	std::printf("  hashboardd RSS: VmRSS %.1f MB, VmHWM %.1f MB (before bring-up %.1f MB: "
	            "%.2f x); target <= %.0f MB: %s\n",
	            rss, hwm, rss_start, rss_start > 0 ? hwm / rss_start : 0.0, kTargetRssMb,
	            hwm <= kTargetRssMb ? "target met" : "target missed");
	std::printf("  hashboardd CPU: %.2f %% of a core (utime+stime %.2f s over %.1f s); hbsim "
	            "serving the chips %.2f %% (daemon/hbsim %.2f x); target < %.0f %%: %s\n",
	            cpu, d1 - d0, wall, sim_cpu, sim_cpu > 0 ? cpu / sim_cpu : 0.0,
	            kTargetCpuPercent, cpu < kTargetCpuPercent ? "target met" : "target missed");
	if (shares == 0) {
		std::fprintf(stderr, "broken: no share accepted while mining\n");
		return 1;
	}
	for (const char *f : {".hbsim.log", ".hbpool.log", ".hashboardd.log"})
		std::remove((tmp + f).c_str());
	return 0;
}

} // namespace

int main()
{
	try {
		return run();
	} catch (const std::exception &e) {
		std::fprintf(stderr, "broken: %s\n", e.what());
		return 1;
	}
}
