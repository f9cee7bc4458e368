// SPDX-License-Identifier: MIT
#include "sysfs_file.hpp"

#include <hashboard/board/devices.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace hashboard::sysfs {

namespace {

// Closes on every path out, including the throwing ones.
class File {
public:
	File(const std::filesystem::path &path, int flags)
	    : fd_(::open(path.c_str(), flags | O_CLOEXEC))
	{
	}
	~File()
	{
		if (fd_ >= 0)
			::close(fd_);
	}
	File(const File &) = delete;
	File &operator=(const File &) = delete;
	int get() const { return fd_; }

private:
	int fd_;
};

[[noreturn]] void fail(const std::filesystem::path &file, const char *what, int err)
{
	throw DeviceError(
	    std::string("cannot ") + what + " " + file.string() + ": " + std::strerror(err), err);
}

} // namespace

std::string read_text(const std::filesystem::path &file)
{
	File f(file, O_RDONLY);
	if (f.get() < 0)
		fail(file, "read", errno);
	// sysfs attributes are at most a page; one read returns the whole value.
	char buf[4096];
	ssize_t n;
	do
		n = ::read(f.get(), buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail(file, "read", errno);
	std::string text(buf, static_cast<std::size_t>(n));
	while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
		text.pop_back();
	return text;
}

long long read_integer(const std::filesystem::path &file)
{
	const std::string text = read_text(file);
	long long value = 0;
	const char *end = text.data() + text.size();
	const auto [ptr, ec] = std::from_chars(text.data(), end, value);
	if (ec != std::errc() || ptr != end || text.empty())
		throw DeviceError(file.string() + ": \"" + text + "\" is not an integer");
	return value;
}

void write_integer(const std::filesystem::path &file, long long value)
{
	File f(file, O_WRONLY);
	if (f.get() < 0)
		fail(file, "write", errno);
	const std::string text = std::to_string(value) + "\n";
	ssize_t n;
	do
		n = ::write(f.get(), text.data(), text.size());
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail(file, "write", errno);
	if (static_cast<std::size_t>(n) != text.size())
		throw DeviceError("short write to " + file.string());
}

} // namespace hashboard::sysfs
