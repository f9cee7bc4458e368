// SPDX-License-Identifier: MIT
// The real accepted share of tests/vectors/stratum_example_b.json, reproduced through
// the Session (subscribe, difficulty, mask, notify as the pool sent them) and the
// ShareBook: the same header, the same hash, the same submit line.
#include <boost/test/unit_test.hpp>

#include "stratum_rig.hpp"

#include <hashboardd/stratum/share_book.hpp>

#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

using namespace stratum_rig;

BOOST_AUTO_TEST_CASE(the_vectors_accepted_share_through_session_and_job_builder)
{
	const auto &v = vector_b();
	SessionConfig c;
	c.user = std::string(v.at("submit").as_array()[0].as_string());
	Recorder rec;
	Session s(c, &rec);
	s.start(0s);
	const auto sent = take(s);
	feed(s, response(sent[0].id, json::object{{"version-rolling", true},
	                                          {"version-rolling.mask", vstr("version_mask")}}));
	feed(s, response(sent[1].id,
	                 subscribe_result("x", vstr("extranonce1"),
	                                  std::size_t(v.at("extranonce2_size").as_int64()))));
	feed(s, response(sent[2].id, true));
	feed(s, notification("mining.set_difficulty", {v.at("difficulty")}));
	feed(s, notification("mining.notify", vector_notify_params()));
	take(s);
	const JobPtr job = s.current_job();
	BOOST_TEST_REQUIRE(job != nullptr);
	BOOST_TEST(job->difficulty == 512);

	const auto &sub = v.at("submit").as_array();
	const auto en2 = hashboard::from_hex(std::string(sub[2].as_string()));
	const std::uint32_t nonce = std::stoul(std::string(sub[4].as_string()), nullptr, 16);
	const std::uint32_t bits = std::stoul(std::string(sub[5].as_string()), nullptr, 16);
	const auto header = job->builder.header(en2, nonce, bits);
	BOOST_TEST(hashboard::to_hex(header) == vstr("header"));
	const auto hash = hashboard::sha256::sha256d_header(header);
	BOOST_TEST(hashboard::hash_display_hex(hash) == vstr("hash"));
	BOOST_TEST(hashboard::hash_meets(hash, job->target));

	// The chip reports the full rolled version; the book rechecks and the session sends
	// exactly the submit the pool accepted.
	ShareBook book;
	const std::uint32_t rolled =
	    hashboard::version_with_bits(job->builder.version(), job->builder.version_mask(), bits);
	BOOST_TEST((book.offer(Share{job, en2, nonce, rolled, 0}) == Offer::queued));
	BOOST_TEST(book.flush(s, 1s) == 1u);
	const auto out = take(s);
	BOOST_TEST_REQUIRE(out.size() == 1u);
	BOOST_TEST(out[0].method == "mining.submit");
	BOOST_TEST(serialize(out[0].params) == serialize(sub));
	feed(s, response(out[0].id, v.at("submit_result")));
	BOOST_TEST_REQUIRE(rec.results.size() == 1u);
	BOOST_TEST(book.on_result(rec.results[0]));
	BOOST_TEST(book.counters().accepted == 1u);
	BOOST_TEST(book.counters().difficulty_accepted == 512);
	BOOST_TEST(book.counters().best_share == v.at("share_difficulty").as_double(),
	           boost::test_tools::tolerance(0.01));
}
