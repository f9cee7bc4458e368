// SPDX-License-Identifier: MIT
// A fresh directory of the test's own, removed with what it holds at the end. Under /tmp
// and short, so unix sockets inside it fit sockaddr_un.
#pragma once

#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace hbtest {

struct TempDir {
	std::string path;

	TempDir()
	{
		char tmpl[] = "/tmp/hbtest-XXXXXX";
		BOOST_TEST_REQUIRE(::mkdtemp(tmpl) != nullptr);
		path = tmpl;
	}
	~TempDir()
	{
		std::error_code ec;
		std::filesystem::remove_all(path, ec);
	}
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;

	std::string file(const std::string &name) const { return path + "/" + name; }
	// Writes text to a file in it, byte for byte; returns its path.
	std::string write(const std::string &name, const std::string &text) const
	{
		const std::string p = file(name);
		std::ofstream(p, std::ios::binary) << text;
		return p;
	}
};

} // namespace hbtest
