// SPDX-License-Identifier: MIT
#include "log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <unistd.h>

namespace hashboardd {
namespace {

const char *colour(LogLevel level)
{
	switch (level) {
	case LogLevel::error:
		return "\033[1;31m";
	case LogLevel::warning:
		return "\033[33m";
	case LogLevel::notice:
		return "\033[1m";
	case LogLevel::info:
		return "";
	case LogLevel::debug:
		return "\033[2m";
	}
	return "";
}

} // namespace

LogStyle detect_log_style(int fd)
{
	return isatty(fd) ? LogStyle::terminal : LogStyle::journal;
}

int syslog_priority(LogLevel level)
{
	return 3 + int(level);
}

std::string log_safe(std::string_view text)
{
	std::string out;
	out.reserve(text.size());
	for (const char ch : text) {
		const auto c = static_cast<unsigned char>(ch);
		if (c < 0x20 || c == 0x7f)
			out += fmt::format("\\x{:02x}", c);
		else
			out += ch;
	}
	return out;
}

Log::Log(LogLevel level, LogStyle style, std::FILE *out) : level_(level), style_(style), out_(out)
{
}

void Log::set_level(LogLevel level)
{
	std::lock_guard lock(mu_);
	level_ = level;
}

LogLevel Log::level() const
{
	std::lock_guard lock(mu_);
	return level_;
}

bool Log::enabled(LogLevel level) const
{
	return level <= this->level();
}

void Log::write(LogLevel level, std::string_view line)
{
	std::lock_guard lock(mu_);
	if (level > level_)
		return;
	std::string text = log_safe(line);
	if (style_ == LogStyle::journal) {
		fmt::print(out_, "<{}>{}\n", syslog_priority(level), text);
	} else {
		const auto now = std::chrono::system_clock::now();
		const std::time_t t = std::chrono::system_clock::to_time_t(now);
		std::tm tm{};
		localtime_r(&t, &tm);
		const char *on = colour(level);
		fmt::print(out_, "{:%H:%M:%S} {}{}: {}{}\n", tm, on, log_level_name(level), text,
		           *on ? "\033[0m" : "");
	}
	std::fflush(out_);
	recent_.push_back({level, std::move(text)});
	if (recent_.size() > kKeep)
		recent_.pop_front();
}

std::vector<Log::Entry> Log::recent() const
{
	std::lock_guard lock(mu_);
	return {recent_.begin(), recent_.end()};
}

} // namespace hashboardd
