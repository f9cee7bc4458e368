// SPDX-License-Identifier: MIT
// A tool run as a child process, for the integration tests that drive hbsim and hbctl.
#pragma once

#include <hashboard/clock.hpp>

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace hbtest {

// The child's stdout comes through a pipe; its stderr stays the test's unless captured
// with it. The destructor kills and reaps it if the test did not, so no path leaves it
// behind.
class Child {
public:
	// What becomes of the child's stderr: the test's own, or into the pipe with stdout.
	enum class Stderr { inherit, capture };

	// args[0] is the program's path. Fails the test when it cannot be started.
	explicit Child(const std::vector<std::string> &args, Stderr err = Stderr::inherit);
	~Child();
	Child(const Child &) = delete;
	Child &operator=(const Child &) = delete;

	// The next line of stdout, if it comes in time.
	std::optional<std::string> read_line(hashboard::Duration timeout);
	// All of stdout up to EOF (or the timeout).
	std::string read_all(hashboard::Duration timeout);
	// Exit status (128 + signal when killed by one), or -1 (and the child killed) when
	// it outlives the timeout.
	int wait(hashboard::Duration timeout);
	// SIGTERM, then wait(grace).
	int terminate(hashboard::Duration grace);
	// For tests that cue the child with a signal of its own (hbpool's SIGUSR1).
	pid_t pid() const { return pid_; }

private:
	// False at EOF or the deadline.
	bool read_some(hashboard::Duration end);

	hashboard::SteadyClock clock_;
	pid_t pid_ = -1;
	int out_ = -1;
	std::string out_text_;
};

} // namespace hbtest
