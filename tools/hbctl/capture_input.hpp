// SPDX-License-Identifier: MIT
// Reading a capture file (or stdin) for hbctl frames decode and replay: in blocks as it
// arrives, so a pipe is read as it is written; whole, with a size limit, where a command
// needs it all at once, so that a wrong path (a disk image, /dev/zero) fails with a
// message, not by exhausting memory.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>

namespace hbctl {

// A capture beyond this is refused where it is read whole: hours of a 3 MBd chain in
// hex text fit well within it.
inline constexpr std::size_t kMaxCaptureBytes = std::size_t(256) << 20;

// A capture file, or stdin for "-", open for reading. Throws std::invalid_argument naming
// the path when it cannot be opened or is a directory.
class CaptureInput {
public:
	explicit CaptureInput(const std::string &path);
	~CaptureInput();
	CaptureInput(const CaptureInput &) = delete;
	CaptureInput &operator=(const CaptureInput &) = delete;

	// Up to buf.size() bytes, as soon as there are any (a pipe gives what it has); 0 at
	// the end. Throws std::invalid_argument when the read fails.
	std::size_t read(std::span<char> buf);
	// The path, or "stdin".
	const std::string &name() const { return name_; }
	// The size of a regular file; nullopt for a pipe, a terminal or a device.
	std::optional<std::size_t> file_size() const;

private:
	int fd_ = -1;
	bool owned_ = false;
	std::string name_;
};

// The whole file, or stdin for "-". Throws std::invalid_argument naming the path as
// CaptureInput does, or when it is larger than max_bytes.
std::string read_capture_input(const std::string &path, std::size_t max_bytes = kMaxCaptureBytes);

} // namespace hbctl
