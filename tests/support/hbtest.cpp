// SPDX-License-Identifier: MIT
#include "hbtest.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hbtest {

boost::json::value load_vector(const std::string &name)
{
	const std::string path = std::string(HB_VECTORS_DIR) + "/" + name;
	std::ifstream in(path);
	if (!in)
		throw std::runtime_error("cannot open test vector " + path);
	std::stringstream ss;
	ss << in.rdbuf();
	return boost::json::parse(ss.str());
}

unsigned line_of(const std::string &text, const std::string &needle)
{
	const auto pos = text.find(needle);
	BOOST_TEST_REQUIRE(pos != std::string::npos, "test text lacks '" << needle << "'");
	unsigned line = 1;
	for (std::size_t i = 0; i < pos; ++i)
		line += text[i] == '\n';
	return line;
}

const boost::json::object &captures()
{
	static const boost::json::value v = load_vector("bm13xx_captures.json");
	return v.as_object();
}

} // namespace hbtest
