// SPDX-License-Identifier: MIT
#include <hbpool/test_pool.hpp>

#include <hashboardd/stratum/session.hpp>

#include <boost/json/parse.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hbpool {
namespace json = boost::json;

std::vector<hashboard::StratumNotify> read_notify_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		throw std::runtime_error(path + ": cannot open");
	std::ostringstream text;
	text << in.rdbuf();
	std::error_code ec;
	const json::value v = json::parse(text.str(), ec);
	if (ec)
		throw std::runtime_error(path + ": not JSON: " + ec.message());
	std::vector<json::array> lists;
	if (v.is_object() && v.as_object().if_contains("notify") &&
	    v.as_object().at("notify").is_array())
		lists.push_back(v.as_object().at("notify").as_array());
	else if (v.is_array() && !v.as_array().empty() && v.as_array()[0].is_string())
		lists.push_back(v.as_array());
	else if (v.is_array())
		for (const auto &e : v.as_array()) {
			if (!e.is_array())
				throw std::runtime_error(path +
				                         ": an entry is not a notify params list");
			lists.push_back(e.as_array());
		}
	if (lists.empty())
		throw std::runtime_error(path + ": no notify in it");
	std::vector<hashboard::StratumNotify> out;
	for (const auto &l : lists) {
		try {
			out.push_back(hashboardd::stratum::notify_from_params(l));
		} catch (const std::invalid_argument &e) {
			throw std::runtime_error(path + ": " + e.what());
		}
	}
	return out;
}

} // namespace hbpool
