// SPDX-License-Identifier: MIT
// The extranonce2 split: no two chains and no two work units of one chain get the same
// extranonce2, for every size pools use and odd chain counts; a space too small says so.
#include <boost/test/unit_test.hpp>

#include <hashboardd/stratum/extranonce_split.hpp>

#include <hashboard/bytes.hpp>
#include <hashboard/job_builder.hpp>

#include <set>
#include <string>

using namespace hashboardd::stratum;

BOOST_AUTO_TEST_SUITE(extranonce_split)

BOOST_AUTO_TEST_CASE(two_bytes_are_covered_exactly_once)
{
	for (unsigned chains : {1u, 3u, 5u, 7u}) {
		ExtranonceSplit split(2, chains);
		std::set<hashboard::Bytes> seen;
		for (unsigned c = 0; c < chains; ++c) {
			while (split.remaining(c) > 0) {
				const auto en2 = split.next(c);
				BOOST_TEST_REQUIRE(en2.size() == 2u);
				BOOST_TEST_REQUIRE(seen.insert(en2).second,
				                   "chain " << c << " repeated "
				                            << hashboard::to_hex(en2));
			}
			BOOST_CHECK_THROW(split.next(c), std::out_of_range);
		}
		// Every value of the space is used by exactly one chain.
		BOOST_TEST(seen.size() == 65536u, chains << " chains");
	}
}

BOOST_AUTO_TEST_CASE(disjoint_for_sizes_2_to_8_and_odd_chain_counts)
{
	for (std::size_t size = 2; size <= 8; ++size)
		for (unsigned chains : {3u, 5u, 7u, 9u, 13u}) {
			ExtranonceSplit split(size, chains);
			std::set<hashboard::Bytes> seen;
			std::uint64_t total = 0;
			for (unsigned c = 0; c < chains; ++c) {
				// The first units by next() and the last ones by counter(): both
				// ends.
				for (int i = 0; i < 300 && split.remaining(c); ++i) {
					BOOST_TEST_REQUIRE(seen.insert(split.next(c)).second);
					++total;
				}
				const std::uint64_t units = split.remaining(c) + 300;
				for (std::uint64_t u = units > 600 ? units - 300 : 300; u < units;
				     ++u) {
					const auto en2 = hashboard::extranonce2_from_counter(
					    split.counter(c, u), size);
					BOOST_TEST_REQUIRE(seen.insert(en2).second,
					                   "size " << size << " chain " << c
					                           << " unit " << u);
					++total;
				}
				BOOST_CHECK_THROW(split.counter(c, units), std::out_of_range);
			}
			BOOST_TEST(seen.size() == total);
		}
}

BOOST_AUTO_TEST_CASE(reset_starts_each_chain_again)
{
	ExtranonceSplit split(4, 3);
	const auto first = split.next(1);
	split.next(1);
	split.reset();
	BOOST_TEST(split.next(1) == first);
	BOOST_TEST(hashboard::to_hex(first) == "01000000");
}

BOOST_AUTO_TEST_CASE(too_small_a_space_is_an_error)
{
	auto says = [](std::size_t size, unsigned chains, const char *what) {
		try {
			ExtranonceSplit s(size, chains);
			BOOST_ERROR("accepted " << size << " bytes for " << chains << " chains");
		} catch (const std::invalid_argument &e) {
			BOOST_TEST(std::string(e.what()).find(what) != std::string::npos, e.what());
		}
	};
	says(1, 257, "fewer than the 257 chains");
	says(0, 1, "0 extranonce2 bytes");
	says(4, 0, "no chains");
	BOOST_CHECK_NO_THROW(ExtranonceSplit(1, 256));
	ExtranonceSplit tight(1, 256);
	BOOST_TEST(tight.remaining(255) == 1u);
	tight.next(255);
	BOOST_CHECK_THROW(tight.next(255), std::out_of_range);
	BOOST_CHECK_THROW(tight.next(256), std::out_of_range);
}

BOOST_AUTO_TEST_SUITE_END()
