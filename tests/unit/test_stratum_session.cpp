// SPDX-License-Identifier: MIT
// The sans-I/O Stratum session: handshake, messages in the orders pools send them,
// difficulty and version mask, resume, pool requests, dead-pool rules, in virtual time.
#include <boost/test/unit_test.hpp>

#include "stratum_rig.hpp"

using namespace stratum_rig;

namespace {

SessionConfig config()
{
	SessionConfig c;
	c.user = "tb1q-worker.bitaxe3";
	c.suggest_difficulty = 0.0001;
	c.notify_timeout = 10s;
	c.submit_timeout = 5s;
	c.handshake_timeout = 3s;
	return c;
}

} // namespace

BOOST_AUTO_TEST_SUITE(session)

BOOST_AUTO_TEST_CASE(handshake_sends_configure_subscribe_authorize_then_suggest)
{
	Recorder rec;
	Session s(config(), &rec);
	s.start(0s);
	const auto sent = take(s);
	BOOST_TEST_REQUIRE(sent.size() == 3u);
	BOOST_TEST(sent[0].method == "mining.configure");
	BOOST_TEST(sent[1].method == "mining.subscribe");
	BOOST_TEST(sent[2].method == "mining.authorize");
	// BIP 310 configure: the extension list and its options.
	BOOST_TEST(sent[0].params.at(0).as_array().at(0).as_string() == "version-rolling");
	const auto &opts = sent[0].params.at(1).as_object();
	BOOST_TEST(opts.at("version-rolling.mask").as_string() == "1fffe000");
	BOOST_TEST(opts.at("version-rolling.min-bit-count").to_number<int>() == 2);
	// A first subscribe has no session id to resume.
	BOOST_TEST(sent[1].params.size() == 1u);
	BOOST_TEST(sent[2].params.at(0).as_string() == "tb1q-worker.bitaxe3");
	// No suggest_difficulty before the pool has authorized us.
	feed(s, response(sent[0].id, json::object{{"version-rolling", true},
	                                          {"version-rolling.mask", "00ffe000"}}));
	feed(s, response(sent[1].id, subscribe_result("s1", "57a6f098", 4)));
	BOOST_TEST(!has(take(s), "mining.suggest_difficulty"));
	BOOST_TEST(!s.ready());
	feed(s, response(sent[2].id, true));
	const auto after = take(s);
	BOOST_TEST(find(after, "mining.suggest_difficulty").params.at(0).as_double() == 0.0001);
	BOOST_TEST(has(after, "mining.extranonce.subscribe"));
	BOOST_TEST(s.ready());
	BOOST_TEST(rec.ready == 1);
	// The pool's granted mask (its AND ours), not the one we asked for.
	BOOST_TEST(s.version_mask() == 0x00ffe000u);
	BOOST_TEST(s.extranonce1() == "57a6f098");
	BOOST_TEST(s.extranonce2_size() == 4u);
}

BOOST_AUTO_TEST_CASE(notify_and_difficulty_before_the_subscribe_reply)
{
	Recorder rec;
	Session s(config(), &rec);
	s.start(0s);
	const auto sent = take(s);
	// Some pools push difficulty and a job right after reading subscribe.
	feed(s, notification("mining.set_difficulty", {0.0001}));
	feed(s, notification("mining.notify", vector_notify_params()));
	BOOST_TEST(rec.jobs.empty()); // no extranonce1 yet: kept
	feed(s, response(sent[1].id, subscribe_result("s1", "57a6f098", 4)));
	BOOST_TEST_REQUIRE(rec.jobs.size() == 1u);
	BOOST_TEST(rec.jobs[0]->difficulty == 0.0001);
	BOOST_TEST(rec.jobs[0]->extranonce1 == "57a6f098");
	// configure answered last: the job is rebuilt with the mask, keeping its serial.
	feed(s, response(sent[0].id, json::object{{"version-rolling", true},
	                                          {"version-rolling.mask", "1fffe000"}}));
	BOOST_TEST_REQUIRE(rec.jobs.size() == 2u);
	BOOST_TEST(rec.jobs[1]->builder.version_mask() == 0x1fffe000u);
	BOOST_TEST(rec.jobs[1]->serial == rec.jobs[0]->serial);
	BOOST_TEST(!s.ready());
	feed(s, response(sent[2].id, true));
	BOOST_TEST(s.ready());
}

BOOST_AUTO_TEST_CASE(authorize_reply_before_subscribe_reply_and_notify_between)
{
	Recorder rec;
	Session s(config(), &rec);
	s.start(0s);
	const auto sent = take(s);
	feed(s, response(sent[2].id, true));
	BOOST_TEST(!s.ready());
	feed(s, response(sent[1].id, subscribe_result("s1", "aabbccdd", 8)));
	feed(s, notification("mining.notify", vector_notify_params()));
	feed(s, response(sent[0].id, nullptr, json::array{20, "unsupported", nullptr}));
	BOOST_TEST(s.ready());
	BOOST_TEST(s.version_mask() == 0u); // configure refused: no rolling
	BOOST_TEST(s.current_job()->builder.extranonce2_size() == 8u);
}

BOOST_AUTO_TEST_CASE(difficulty_applies_to_jobs_after_it)
{
	Recorder rec;
	Session s(config(), &rec);
	handshake(s);
	feed(s, notification("mining.set_difficulty", {512}));
	feed(s, notification("mining.notify", notify_params("a", 0, true)));
	feed(s, notification("mining.set_difficulty", {0.5}));
	BOOST_TEST(rec.difficulties.back() == 0.5);
	BOOST_TEST(s.live_job("a")->difficulty == 512); // the live job keeps its target
	feed(s, notification("mining.notify", notify_params("b", 1, false)));
	BOOST_TEST(s.live_job("b")->difficulty == 0.5);
	BOOST_TEST((s.live_job("b")->target == hashboard::target_from_difficulty(0.5)));
	BOOST_TEST(s.live_job("a") != nullptr);
	// Zero, negative or not a number: refused with a reason, nothing changes.
	for (const char *bad : {"[0]", "[-1]", "[\"8\"]", "[]"}) {
		const auto r =
		    s.on_line("{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":" +
		                  std::string(bad) + "}",
		              0s);
		BOOST_TEST(!r.ok, bad);
	}
	BOOST_TEST(s.difficulty() == 0.5);
}

BOOST_AUTO_TEST_CASE(clean_jobs_and_a_new_prevhash_drop_the_old_jobs)
{
	Recorder rec;
	Session s(config(), &rec);
	handshake(s);
	feed(s, notification("mining.notify", notify_params("a", 0, true)));
	feed(s, notification("mining.notify", notify_params("b", 1, false)));
	BOOST_TEST(s.live_jobs() == 2u);
	BOOST_TEST(rec.cleans.back() == false);
	feed(s, notification("mining.notify", notify_params("c", 2, true)));
	BOOST_TEST(rec.cleans.back() == true);
	BOOST_TEST(s.live_jobs() == 1u);
	BOOST_TEST(s.live_job("a") == nullptr);
	BOOST_TEST(s.discarded() == 2u);
	auto other = vector_notify();
	other.job_id = "d";
	other.prev_hash = std::string(64, '1');
	feed(s, notification("mining.notify", params_from_notify(other)));
	BOOST_TEST(rec.cleans.back() == true);
	BOOST_TEST(s.live_job("c") == nullptr);
	BOOST_TEST(s.notifies() == 4u);
}

BOOST_AUTO_TEST_CASE(set_version_mask_and_set_extranonce)
{
	Recorder rec;
	Session s(config(), &rec);
	handshake(s);
	feed(s, notification("mining.notify", notify_params("a", 0, true)));
	feed(s, notification("mining.set_version_mask", {"00ffe000"}));
	BOOST_TEST(rec.masks.back() == 0x00ffe000u);
	// Valid at once (BIP 310): the live job is rebuilt with it.
	BOOST_TEST(s.live_job("a")->builder.version_mask() == 0x00ffe000u);
	// A mask wider than we asked for is cut to ours.
	feed(s, notification("mining.set_version_mask", {"ffffffff"}));
	BOOST_TEST(s.version_mask() == 0x1fffe000u);
	BOOST_TEST(!s.on_line(notification("mining.set_version_mask", {"xyz"}), 0s).ok);

	feed(s, notification("mining.set_extranonce", {"01020304", 2}));
	BOOST_TEST(s.live_job("a")->extranonce1 == "57a6f098"); // jobs after it
	feed(s, notification("mining.notify", notify_params("b", 1, true)));
	BOOST_TEST(s.live_job("b")->extranonce1 == "01020304");
	BOOST_TEST(s.live_job("b")->builder.extranonce2_size() == 2u);
	BOOST_TEST(!s.on_line(notification("mining.set_extranonce", {"0102030", 2}), 0s).ok);
	BOOST_TEST(!s.on_line(notification("mining.set_extranonce", {"01020304", 0}), 0s).ok);
}

BOOST_AUTO_TEST_CASE(submit_carries_version_bits_and_results_come_back)
{
	Recorder rec;
	Session s(config(), &rec);
	handshake(s, 0s);
	feed(s, notification("mining.notify", vector_notify_params()));
	take(s);
	const JobPtr job = s.current_job();
	const auto en2 = hashboard::from_hex("c7080000");
	const std::uint32_t rolled = hashboard::version_with_bits(0x20000000, 0x1fffe000, 0x2000);
	const auto id = s.submit(*job, en2, 0xed460d91, rolled, 1s);
	const auto sent = take(s);
	BOOST_TEST_REQUIRE(sent.size() == 1u);
	BOOST_TEST(sent[0].id == id);
	BOOST_TEST(serialize(sent[0].params) ==
	           R"(["tb1q-worker.bitaxe3","1","c7080000","64b3f3ec","ed460d91","00002000"])");
	BOOST_TEST(s.in_flight() == 1u);
	feed(s, response(id, false, json::array{23, "Low difficulty share", nullptr}));
	BOOST_TEST_REQUIRE(rec.results.size() == 1u);
	BOOST_TEST(!rec.results[0].accepted);
	BOOST_TEST(rec.results[0].code == 23);
	// result false with a reject-reason, no error
	const auto id2 = s.submit(*job, en2, 1, rolled, 1s);
	feed(s, serialize(json::object{{"id", id2},
	                               {"result", false},
	                               {"error", nullptr},
	                               {"reject-reason", "Stale share"}}));
	BOOST_TEST(rec.results[1].code == 21);
	// A version outside the mask, a job gone stale, a submit before ready: refused.
	BOOST_CHECK_THROW(s.submit(*job, en2, 1, 0x20000001, 1s), std::invalid_argument);
	feed(s, notification("mining.notify", notify_params("z", 3, true)));
	BOOST_CHECK_THROW(s.submit(*job, en2, 1, rolled, 1s), std::invalid_argument);
	Session fresh(config());
	BOOST_CHECK_THROW(fresh.submit(*job, en2, 1, rolled, 1s), std::logic_error);
	// An answer to an id we never sent is a bad line, not a crash.
	BOOST_TEST(!s.on_line(response(999, true), 1s).ok);
}

BOOST_AUTO_TEST_CASE(resume_keeps_jobs_and_a_new_session_drops_them)
{
	Recorder rec;
	Session s(config(), &rec);
	handshake(s, 0s, "sid1", "57a6f098");
	feed(s, notification("mining.notify", vector_notify_params()));
	const JobPtr job = s.current_job();
	const auto epoch = s.epoch();
	s.connection_lost();
	BOOST_TEST(!s.ready());
	// Reconnect: subscribe asks for the old session; the pool resumes it.
	s.start(1s);
	auto sent = take(s);
	const auto &sub = find(sent, "mining.subscribe");
	BOOST_TEST_REQUIRE(sub.params.size() == 2u);
	BOOST_TEST(sub.params[1].as_string() == "sid1");
	feed(s, response(sub.id, subscribe_result("sid1", "57a6f098", 4)));
	feed(s, response(find(sent, "mining.authorize").id, true));
	BOOST_TEST(s.resumed());
	BOOST_TEST(s.epoch() == epoch);
	BOOST_TEST(s.is_live(*job));
	// Next time the pool does not resume: a new epoch, the job is stale.
	s.connection_lost();
	s.start(2s);
	sent = take(s);
	feed(s,
	     response(find(sent, "mining.subscribe").id, subscribe_result("sid2", "11223344", 4)));
	BOOST_TEST(!s.resumed());
	BOOST_TEST(s.epoch() == epoch + 1);
	BOOST_TEST(!s.is_live(*job));
	BOOST_TEST(s.current_job() == nullptr);
}

BOOST_AUTO_TEST_CASE(pool_requests_are_answered)
{
	Recorder rec;
	Session s(config(), &rec);
	handshake(s);
	take(s);
	feed(s, R"({"id":"v1","method":"client.get_version","params":[]})");
	auto out = s.take_output();
	BOOST_TEST_REQUIRE(out.size() == 1u);
	const auto v = json::parse(out[0]).as_object();
	BOOST_TEST(v.at("id").as_string() == "v1");
	BOOST_TEST(v.at("result").as_string() == "hashboard/0.1");
	feed(s, notification("client.show_message", {"maintenance at noon"}));
	BOOST_TEST(rec.messages.at(0) == "maintenance at noon");
	feed(s, notification("client.reconnect", {"pool.example", "3334", 5}));
	BOOST_TEST_REQUIRE(rec.reconnects.size() == 1u);
	BOOST_TEST(rec.reconnects[0].host == "pool.example");
	BOOST_TEST(*rec.reconnects[0].port == 3334);
	BOOST_TEST((rec.reconnects[0].wait == 5s));
	// With an id, reconnect is answered too; an unknown method gets an error answer.
	feed(s, R"({"id":9,"method":"client.reconnect","params":[]})");
	BOOST_TEST(rec.reconnects.size() == 2u);
	BOOST_TEST(!s.on_line(R"({"id":10,"method":"mining.bogus","params":[]})", 0s).ok);
	out = s.take_output();
	BOOST_TEST_REQUIRE(out.size() == 2u);
	BOOST_TEST(json::parse(out[1]).as_object().at("error").is_array());
}

BOOST_AUTO_TEST_CASE(refused_authorize_or_subscribe_fails_the_session)
{
	Recorder rec;
	Session s(config(), &rec);
	s.start(0s);
	auto sent = take(s);
	feed(s, response(sent[2].id, false, json::array{24, "unauthorized worker", nullptr}));
	BOOST_TEST((s.state() == SessionState::failed));
	BOOST_TEST(rec.failures.at(0).find("unauthorized worker") != std::string::npos);
	BOOST_TEST(s.health(0s).has_value());

	Session t(config(), &rec);
	t.start(0s);
	sent = take(t);
	feed(t, response(sent[1].id, json::array{json::array{}, "zz", 4}));
	BOOST_TEST((t.state() == SessionState::failed));
	BOOST_TEST(t.failure().find("not hex") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(silence_and_unanswered_submits_make_the_pool_dead)
{
	Session s(config());
	handshake(s, 0s);
	BOOST_TEST(!s.health(9s).has_value());
	BOOST_TEST(s.health(11s).value().find("no job") != std::string::npos);
	feed(s, notification("mining.notify", vector_notify_params()), 11s);
	BOOST_TEST(!s.health(12s).has_value());
	take(s);
	s.submit(*s.current_job(), hashboard::from_hex("00000000"), 1, 0x20000000, 12s);
	BOOST_TEST(!s.health(16s).has_value());
	feed(s, notification("mining.notify", notify_params("2", 1, false)), 16s);
	BOOST_TEST(s.health(18s).value().find("unanswered") != std::string::npos);
	// Connection lost: the unanswered submit is handed back, and no rule applies.
	BOOST_TEST(s.connection_lost().size() == 1u);
	BOOST_TEST(!s.health(100s).has_value());
	// A handshake the pool never answers.
	s.start(100s);
	BOOST_TEST(!s.health(102s).has_value());
	BOOST_TEST(s.health(104s).value().find("subscribe") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(garbage_between_good_lines_leaves_the_session_working)
{
	Recorder rec;
	Session s(config(), &rec);
	handshake(s);
	for (
	    const char *bad :
	    {"", "{", "null", R"({"id":null,"method":"mining.notify","params":[1]})",
	     R"({"id":null,"method":"mining.notify","params":["j","zz","","",[],"20000000","192495f8","64b3f3ec",true]})"})
		BOOST_TEST(!s.on_line(bad, 0s).ok, bad);
	BOOST_TEST(s.bad_lines() == 5u);
	feed(s, notification("mining.notify", vector_notify_params()));
	BOOST_TEST(s.ready());
	BOOST_TEST(s.current_job() != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
