// SPDX-License-Identifier: MIT
#include "capture_input.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <system_error>

namespace hbctl {
namespace {

// Reads in blocks and stops past the limit: stdin and device files have no size to ask.
std::string read_limited(std::istream &in, const std::string &name, std::size_t max_bytes)
{
	std::string out;
	char buf[1 << 16];
	while (in) {
		in.read(buf, sizeof buf);
		out.append(buf, std::size_t(in.gcount()));
		if (out.size() > max_bytes)
			throw std::invalid_argument("capture '" + name + "' is larger than " +
			                            std::to_string(max_bytes >> 20) + " MiB");
	}
	if (in.bad())
		throw std::invalid_argument("cannot read capture '" + name + "'");
	return out;
}

} // namespace

std::string read_capture_input(const std::string &path, std::size_t max_bytes)
{
	if (path == "-")
		return read_limited(std::cin, "stdin", max_bytes);
	std::error_code ec;
	if (std::filesystem::is_directory(path, ec))
		throw std::invalid_argument("capture '" + path + "' is a directory");
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw std::invalid_argument("cannot open capture '" + path + "'");
	return read_limited(in, path, max_bytes);
}

} // namespace hbctl
