// SPDX-License-Identifier: MIT
#include "capture_input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace hbctl {

CaptureInput::CaptureInput(const std::string &path)
{
	if (path == "-") {
		fd_ = STDIN_FILENO;
		name_ = "stdin";
		return;
	}
	name_ = path;
	std::error_code ec;
	if (std::filesystem::is_directory(path, ec))
		throw std::invalid_argument("capture '" + path + "' is a directory");
	fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd_ < 0)
		throw std::invalid_argument("cannot open capture '" + path + "'");
	owned_ = true;
}

CaptureInput::~CaptureInput()
{
	if (owned_)
		::close(fd_);
}

std::size_t CaptureInput::read(std::span<char> buf)
{
	for (;;) {
		const ssize_t n = ::read(fd_, buf.data(), buf.size());
		if (n >= 0)
			return std::size_t(n);
		if (errno == EINTR)
			continue;
		if (errno == EISDIR) // stdin redirected from a directory
			throw std::invalid_argument("capture '" + name_ + "' is a directory");
		throw std::invalid_argument("cannot read capture '" + name_ + "'");
	}
}

std::optional<std::size_t> CaptureInput::file_size() const
{
	struct stat st {};
	if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))
		return std::nullopt;
	return std::size_t(st.st_size);
}

std::string read_capture_input(const std::string &path, std::size_t max_bytes)
{
	CaptureInput in(path);
	std::string out;
	// A file's size is known: one allocation instead of a string that doubles.
	if (const auto size = in.file_size())
		out.reserve(std::min(*size, max_bytes) + 1);
	char buf[1 << 16];
	// In blocks, stopping past the limit: stdin and device files have no size to ask.
	while (const std::size_t n = in.read(buf)) {
		out.append(buf, n);
		if (out.size() > max_bytes)
			throw std::invalid_argument("capture '" + in.name() + "' is larger than " +
			                            std::to_string(max_bytes >> 20) + " MiB");
	}
	return out;
}

} // namespace hbctl
