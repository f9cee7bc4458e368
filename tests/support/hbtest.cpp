// SPDX-License-Identifier: MIT
#include "hbtest.hpp"

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

} // namespace hbtest
