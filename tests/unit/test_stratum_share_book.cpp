// SPDX-License-Identifier: MIT
// The share book: every share rechecked against its job's target, never sent twice,
// kept while the pool is away and sent when it is back if its job is still live, stale
// ones counted and dropped.
#include <boost/test/unit_test.hpp>

#include "stratum_rig.hpp"

#include <hashboardd/stratum/share_book.hpp>

#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

using namespace stratum_rig;

namespace {

// A session with one job at a difficulty low enough to find shares by CPU in a moment.
struct Rig {
	Recorder rec;
	Session s{[] {
		SessionConfig c;
		c.user = "w";
		return c;
	}()};
	ShareBook book;
	Rig()
	{
		s.set_listener(&rec);
		handshake(s);
		feed(s, notification("mining.set_difficulty", {1e-6}));
		feed(s, notification("mining.notify", vector_notify_params()));
		take(s);
	}
	// The first n nonces from start that meet (or, with want_good false, miss) the job's
	// share target, on extranonce2 00000000 and the job's own version.
	std::vector<std::uint32_t> nonces(const JobPtr &job, std::size_t n, bool want_good = true,
	                                  std::uint32_t start = 0) const
	{
		std::vector<std::uint32_t> out;
		const auto en2 = hashboard::from_hex("00000000");
		for (std::uint32_t nonce = start; out.size() < n; ++nonce) {
			const auto h =
			    hashboard::sha256::sha256d_header(job->builder.header(en2, nonce, 0));
			if (hashboard::hash_meets(h, job->target) == want_good)
				out.push_back(nonce);
		}
		return out;
	}
	Share share(const JobPtr &job, std::uint32_t nonce) const
	{
		return Share{job, hashboard::from_hex("00000000"), nonce, job->builder.version(),
		             0};
	}
};

} // namespace

BOOST_AUTO_TEST_SUITE(share_book)

BOOST_AUTO_TEST_CASE(a_share_below_the_target_never_leaves)
{
	Rig r;
	const JobPtr job = r.s.current_job();
	const auto bad = r.nonces(job, 3, false);
	for (auto n : bad)
		BOOST_TEST((r.book.offer(r.share(job, n)) == Offer::below_target));
	BOOST_TEST(r.book.counters().below_target == 3u);
	// A wrong-sized extranonce2 and a version outside the mask are refused too.
	Share wrong = r.share(job, r.nonces(job, 1)[0]);
	wrong.extranonce2 = hashboard::from_hex("0000");
	BOOST_TEST((r.book.offer(wrong) == Offer::below_target));
	Share outside = r.share(job, r.nonces(job, 1)[0]);
	outside.rolled_version = 0x20000001;
	BOOST_TEST((r.book.offer(outside) == Offer::bad_version));
	BOOST_TEST(r.book.queued() == 0u);
	BOOST_TEST(r.book.flush(r.s, 0s) == 0u);
	BOOST_TEST(take(r.s).empty());
}

BOOST_AUTO_TEST_CASE(the_same_share_is_sent_once)
{
	Rig r;
	const JobPtr job = r.s.current_job();
	const auto good = r.nonces(job, 2);
	BOOST_TEST((r.book.offer(r.share(job, good[0])) == Offer::queued));
	BOOST_TEST((r.book.offer(r.share(job, good[0])) == Offer::duplicate));
	BOOST_TEST((r.book.offer(r.share(job, good[1])) == Offer::queued));
	BOOST_TEST(r.book.flush(r.s, 0s) == 2u);
	// Offered again after it was sent: still a duplicate.
	BOOST_TEST((r.book.offer(r.share(job, good[1])) == Offer::duplicate));
	// The same nonce with other version bits is another share.
	Share rolled = r.share(job, good[0]);
	rolled.rolled_version = job->builder.version() | 0x2000;
	const auto offer = r.book.offer(rolled);
	BOOST_TEST((offer == Offer::queued || offer == Offer::below_target));
	BOOST_TEST(r.book.counters().duplicates == 2u);
	const auto sent = take(r.s);
	BOOST_TEST(sent.size() == 2u);
	BOOST_TEST(sent[0].params[4].as_string() != sent[1].params[4].as_string());
}

BOOST_AUTO_TEST_CASE(shares_wait_while_disconnected_and_go_after_a_resume)
{
	Rig r;
	const JobPtr job = r.s.current_job();
	const auto good = r.nonces(job, 3);
	BOOST_TEST((r.book.offer(r.share(job, good[0])) == Offer::queued));
	BOOST_TEST(r.book.flush(r.s, 0s) == 1u);
	const auto first = take(r.s);
	// Connection lost before the answer: that submit is not sent again.
	r.book.on_connection_lost(r.s.connection_lost());
	BOOST_TEST(r.book.in_flight() == 0u);
	BOOST_TEST(r.book.counters().unanswered == 1u);
	// Found while away: kept.
	BOOST_TEST((r.book.offer(r.share(job, good[1])) == Offer::queued));
	BOOST_TEST((r.book.offer(r.share(job, good[2])) == Offer::queued));
	BOOST_TEST(r.book.flush(r.s, 1s) == 0u);
	BOOST_TEST(r.book.queued() == 2u);
	// The pool resumes the session: the job is live, both go, each once.
	handshake(r.s, 2s, "sid1", "57a6f098");
	take(r.s);
	BOOST_TEST(r.s.resumed());
	BOOST_TEST(r.book.flush(r.s, 2s) == 2u);
	const auto sent = take(r.s);
	BOOST_TEST_REQUIRE(sent.size() == 2u);
	BOOST_TEST(sent[0].params[4].as_string() == fmt_hex32(good[1]));
	BOOST_TEST(sent[1].params[4].as_string() == fmt_hex32(good[2]));
	for (const auto &m : sent)
		feed(r.s, response(m.id, true), 2s);
	for (const auto &res : r.rec.results)
		BOOST_TEST(r.book.on_result(res));
	BOOST_TEST(r.book.counters().accepted == 2u);
	BOOST_TEST(r.book.counters().stale == 0u);
	(void)first;
}

BOOST_AUTO_TEST_CASE(shares_of_a_session_the_pool_did_not_resume_are_stale)
{
	Rig r;
	const JobPtr job = r.s.current_job();
	const auto good = r.nonces(job, 1);
	r.book.on_connection_lost(r.s.connection_lost());
	BOOST_TEST((r.book.offer(r.share(job, good[0])) == Offer::queued));
	handshake(r.s, 1s, "another", "99999999");
	take(r.s);
	feed(r.s, notification("mining.notify", vector_notify_params()), 1s);
	BOOST_TEST(r.book.flush(r.s, 1s) == 0u);
	BOOST_TEST(r.book.counters().stale == 1u);
	BOOST_TEST(r.book.counters().difficulty_stale == 1e-6);
	BOOST_TEST(take(r.s).empty());
}

BOOST_AUTO_TEST_CASE(shares_of_a_cleaned_job_are_stale_and_pool_verdicts_are_counted)
{
	Rig r;
	const JobPtr job = r.s.current_job();
	const auto good = r.nonces(job, 4);
	for (int i = 0; i < 3; ++i)
		r.book.offer(r.share(job, good[i]));
	r.book.flush(r.s, 0s);
	auto sent = take(r.s);
	BOOST_TEST_REQUIRE(sent.size() == 3u);
	feed(r.s, response(sent[0].id, true));
	feed(r.s, response(sent[1].id, false, json::array{21, "Stale", nullptr}));
	feed(r.s, response(sent[2].id, false, json::array{23, "Low difficulty", nullptr}));
	for (const auto &res : r.rec.results)
		r.book.on_result(res);
	BOOST_TEST(r.book.counters().accepted == 1u);
	BOOST_TEST(r.book.counters().stale == 1u);
	BOOST_TEST(r.book.counters().rejected == 1u);
	BOOST_TEST(r.book.counters().last_share_time.has_value());
	// A clean job between finding and sending: dropped as stale.
	r.book.offer(r.share(job, good[3]));
	feed(r.s, notification("mining.notify", notify_params("new", 1, true)));
	BOOST_TEST(r.book.flush(r.s, 0s) == 0u);
	BOOST_TEST(r.book.counters().stale == 2u);
	// Results for ids it never sent are not its business.
	BOOST_TEST(!r.book.on_result(SubmitResult{12345, true, 0, {}}));
}

BOOST_AUTO_TEST_SUITE_END()
