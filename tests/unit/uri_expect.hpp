// SPDX-License-Identifier: MIT
// Checks that a transport URI is refused with a message that says why.
#pragma once

#include <hashboard/transport.hpp>

#include <boost/test/unit_test.hpp>

#include <initializer_list>
#include <stdexcept>
#include <string>

namespace hbtest {

// open_transport (on a steady clock, unless one is given) must throw std::invalid_argument
// whose message holds every part.
inline void expect_invalid_uri(const std::string &uri, std::initializer_list<std::string> parts,
                               hashboard::Clock *given = nullptr)
{
	hashboard::SteadyClock steady;
	hashboard::Clock &clock = given ? *given : static_cast<hashboard::Clock &>(steady);
	try {
		hashboard::open_transport(uri, clock);
		BOOST_ERROR("no error for '" << uri << "'");
	} catch (const std::invalid_argument &e) {
		const std::string what = e.what();
		for (const auto &p : parts)
			BOOST_TEST(what.find(p) != std::string::npos, "'" << uri << "': message \""
			                                                  << what << "\" lacks \""
			                                                  << p << "\"");
	}
}

} // namespace hbtest
