// SPDX-License-Identifier: MIT
//
// hashboardd's log: one line per event on stderr, in the form that reads well where it
// ends up. Under systemd (or whenever stderr is not a terminal) each line starts with
// the sd-daemon(3) priority prefix "<N>", which journald turns into the entry's
// priority, and carries no colour and no timestamp (the journal has its own); on a
// terminal, a time, the level name and colour. Recent lines are kept for the API.
#pragma once

#include "config.hpp"

#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hashboardd {

enum class LogStyle { journal, terminal };

// journal unless fd is a terminal.
LogStyle detect_log_style(int fd);

// The priority sd-daemon(3) and syslog(3) give a level: error 3 ... debug 7.
int syslog_priority(LogLevel level);

class Log {
public:
	Log(LogLevel level, LogStyle style, std::FILE *out = stderr);

	void set_level(LogLevel level);
	LogLevel level() const;
	bool enabled(LogLevel level) const;

	// Safe from any thread. Control characters in line are escaped, so a pool's
	// show_message cannot forge log lines or move the terminal's cursor.
	void write(LogLevel level, std::string_view line);
	void error(std::string_view line) { write(LogLevel::error, line); }
	void warning(std::string_view line) { write(LogLevel::warning, line); }
	void notice(std::string_view line) { write(LogLevel::notice, line); }
	void info(std::string_view line) { write(LogLevel::info, line); }
	void debug(std::string_view line) { write(LogLevel::debug, line); }

	struct Entry {
		LogLevel level;
		std::string text;
	};
	// The last kKeep lines written (any level that was enabled), oldest first.
	std::vector<Entry> recent() const;
	static constexpr std::size_t kKeep = 200;

private:
	mutable std::mutex mu_;
	LogLevel level_;
	LogStyle style_;
	std::FILE *out_;
	std::deque<Entry> recent_;
};

// What goes on the line for text: printable ASCII and UTF-8 kept, control bytes as \xNN.
std::string log_safe(std::string_view text);

} // namespace hashboardd
