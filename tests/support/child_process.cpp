// SPDX-License-Identifier: MIT
#include "child_process.hpp"

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <utility>

namespace hbtest {

using hashboard::Duration;
using namespace std::chrono_literals;

Child::Child(const std::vector<std::string> &args, Stderr err_to)
{
	int fds[2];
	BOOST_TEST_REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
	out_ = fds[0];
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
	if (err_to == Stderr::capture)
		posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
	std::vector<char *> argv;
	for (const auto &a : args)
		argv.push_back(const_cast<char *>(a.c_str()));
	argv.push_back(nullptr);
	const int err = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
	posix_spawn_file_actions_destroy(&actions);
	::close(fds[1]);
	if (err != 0)
		pid_ = -1;
	BOOST_TEST_REQUIRE(err == 0, "cannot start " << args[0]);
	::fcntl(out_, F_SETFL, O_NONBLOCK);
}

Child::~Child()
{
	if (pid_ > 0) {
		::kill(pid_, SIGKILL);
		::waitpid(pid_, nullptr, 0);
	}
	::close(out_);
}

std::optional<std::string> Child::read_line(Duration timeout)
{
	const Duration end = clock_.now() + timeout;
	for (;;) {
		if (const auto nl = out_text_.find('\n'); nl != std::string::npos) {
			std::string line = out_text_.substr(0, nl);
			out_text_.erase(0, nl + 1);
			return line;
		}
		if (!read_some(end))
			return std::nullopt;
	}
}

std::string Child::read_all(Duration timeout)
{
	const Duration end = clock_.now() + timeout;
	while (read_some(end)) {
	}
	return std::exchange(out_text_, {});
}

int Child::wait(Duration timeout)
{
	const Duration end = clock_.now() + timeout;
	for (;;) {
		int status = 0;
		const pid_t r = ::waitpid(pid_, &status, WNOHANG);
		if (r == pid_) {
			pid_ = -1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		if (clock_.now() >= end) {
			::kill(pid_, SIGKILL);
			::waitpid(pid_, nullptr, 0);
			pid_ = -1;
			return -1;
		}
		clock_.sleep_for(5ms);
	}
}

int Child::terminate(Duration grace)
{
	::kill(pid_, SIGTERM);
	return wait(grace);
}

bool Child::read_some(Duration end)
{
	const Duration left = end - clock_.now();
	if (left <= Duration::zero())
		return false;
	pollfd p{out_, POLLIN, 0};
	const int ms = int(std::chrono::duration_cast<std::chrono::milliseconds>(left).count()) + 1;
	if (::poll(&p, 1, ms) <= 0)
		return false;
	std::array<char, 4096> buf;
	const ssize_t n = ::read(out_, buf.data(), buf.size());
	if (n <= 0)
		return false;
	out_text_.append(buf.data(), std::size_t(n));
	return true;
}

} // namespace hbtest
