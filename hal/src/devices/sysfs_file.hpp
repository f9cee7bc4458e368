// SPDX-License-Identifier: MIT
// Reading and writing the one-value text files of sysfs (hwmon attributes).
#pragma once

#include <filesystem>
#include <string>

namespace hashboard::sysfs {

// The file's text without its trailing newline; DeviceError (with errno) when it cannot
// be read.
std::string read_text(const std::filesystem::path &file);
// The file's integer value; DeviceError when unreadable or not a decimal integer.
long long read_integer(const std::filesystem::path &file);
// Writes the value the way `echo` would; DeviceError (with errno) when the kernel refuses.
void write_integer(const std::filesystem::path &file, long long value);

} // namespace hashboard::sysfs
