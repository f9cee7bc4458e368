// SPDX-License-Identifier: MIT
// Reading a capture file (or stdin) for hbctl frames decode and replay, with a size limit
// so that a wrong path (a disk image, /dev/zero) fails with a message, not by exhausting
// memory.
#pragma once

#include <cstddef>
#include <string>

namespace hbctl {

// A capture beyond this is refused: hours of a 3 MBd chain in hex text fit well within it.
inline constexpr std::size_t kMaxCaptureBytes = std::size_t(256) << 20;

// The whole file, or stdin for "-". Throws std::invalid_argument naming the path when it
// cannot be opened, is a directory, or is larger than max_bytes.
std::string read_capture_input(const std::string &path, std::size_t max_bytes = kMaxCaptureBytes);

} // namespace hbctl
