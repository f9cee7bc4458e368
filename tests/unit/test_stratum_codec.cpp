// SPDX-License-Identifier: MIT
// The Stratum line codec, the line reader's cap and the pool URL parser, on good and
// hostile input.
#include <boost/test/unit_test.hpp>

#include <hashboardd/stratum/json_rpc.hpp>
#include <hashboardd/stratum/pool_url.hpp>

#include <random>
#include <string>

using namespace hashboardd::stratum;

BOOST_AUTO_TEST_SUITE(codec)

BOOST_AUTO_TEST_CASE(request_notification_response_are_told_apart)
{
	auto d = decode_line(R"({"id":5,"method":"client.get_version","params":[]})");
	BOOST_TEST_REQUIRE(d.message.has_value());
	const auto *r = std::get_if<Request>(&*d.message);
	BOOST_TEST_REQUIRE(r != nullptr);
	BOOST_TEST(r->method == "client.get_version");
	BOOST_TEST(r->id.as_int64() == 5);

	d = decode_line("{\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[0.0001]}\r");
	BOOST_TEST_REQUIRE(d.message.has_value());
	const auto *n = std::get_if<Notification>(&*d.message);
	BOOST_TEST_REQUIRE(n != nullptr);
	BOOST_TEST(n->params.at(0).as_double() == 0.0001);

	// A string id is an id; params absent is an empty list.
	d = decode_line(R"({"id":"a7","method":"client.show_message"})");
	BOOST_TEST_REQUIRE(std::get_if<Request>(&*d.message) != nullptr);
	BOOST_TEST(std::get<Request>(*d.message).params.empty());

	d = decode_line(R"({"id":3,"result":false,"error":null,"reject-reason":"Stale"})");
	BOOST_TEST_REQUIRE(d.message.has_value());
	const auto &resp = std::get<Response>(*d.message);
	BOOST_TEST(resp.result.as_bool() == false);
	BOOST_TEST(resp.reject_reason == "Stale");
}

BOOST_AUTO_TEST_CASE(errors_in_every_shape_pools_send)
{
	auto e = rpc_error(boost::json::parse(R"([23,"Low difficulty share",null])"));
	BOOST_TEST_REQUIRE(e.has_value());
	BOOST_TEST(e->code == 23);
	BOOST_TEST(e->message == "Low difficulty share");
	e = rpc_error(boost::json::parse(R"({"code":21,"message":"Job not found"})"));
	BOOST_TEST(e->code == 21);
	e = rpc_error(boost::json::parse(R"("bad")"));
	BOOST_TEST(e->code == 20);
	BOOST_TEST(e->message == "bad");
	BOOST_TEST(!rpc_error(nullptr).has_value());
}

BOOST_AUTO_TEST_CASE(encoded_lines_decode_to_what_was_encoded)
{
	const std::string line = encode_request(7, "mining.submit", {"w", "1", "00", "01", "02"});
	BOOST_TEST(line.back() == '\n');
	const auto d = decode_line(std::string_view(line).substr(0, line.size() - 1));
	const auto &r = std::get<Request>(*d.message);
	BOOST_TEST(r.id.to_number<std::uint64_t>() == 7u);
	BOOST_TEST(r.params.size() == 5u);
	const auto n = decode_line(encode_notification("mining.notify", {}));
	BOOST_TEST(std::get_if<Notification>(&*n.message) != nullptr);
}

BOOST_AUTO_TEST_CASE(hostile_lines_get_a_reason_not_a_crash)
{
	const char *bad[] = {"",
	                     "   ",
	                     "{",
	                     "[1,2,3]",
	                     "42",
	                     "null",
	                     R"({"id":1})",
	                     R"({"method":5,"id":1})",
	                     R"({"method":"","id":1})",
	                     R"({"method":"x","id":1,"params":{"a":1}})",
	                     R"({"method":"x","id":[1],"params":[]})",
	                     R"({"result":true})",
	                     R"({"id":{},"result":true})",
	                     "{\"id\":1,\"result\":\"\xff\xfe\"}",
	                     "\x00\x01\x02"};
	for (const char *line : bad) {
		const auto d = decode_line(line);
		BOOST_TEST(!d.message.has_value(), line);
		BOOST_TEST(!d.error.empty(), line);
	}
	// Nesting past the cap is refused, not recursed into.
	const std::string deep =
	    "{\"id\":1,\"result\":" + std::string(1000, '[') + std::string(1000, ']') + "}";
	BOOST_TEST(!decode_line(deep).message.has_value());
	// Random bytes: always either a message or a reason.
	std::mt19937 rng(7);
	for (int i = 0; i < 2000; ++i) {
		std::string s(rng() % 64, '\0');
		for (auto &c : s)
			c = "{}[]\":,0123456789 abcdefnulltrue\\\x80"[rng() % 35];
		const auto d = decode_line(s);
		BOOST_TEST((d.message.has_value() != !d.error.empty()));
	}
}

BOOST_AUTO_TEST_CASE(line_reader_splits_and_caps)
{
	LineReader r(16);
	BOOST_TEST(r.feed("ab"));
	BOOST_TEST(!r.next_line().has_value());
	BOOST_TEST(r.feed("c\nde\n\nf"));
	BOOST_TEST(*r.next_line() == "abc");
	BOOST_TEST(*r.next_line() == "de");
	BOOST_TEST(*r.next_line() == "");
	BOOST_TEST(!r.next_line().has_value());
	BOOST_TEST(r.buffered() == 1u);
	// 16 bytes without a newline is fine, the 17th is not; the error sticks.
	BOOST_TEST(r.feed(std::string(15, 'x')));
	BOOST_TEST(!r.feed("y"));
	BOOST_TEST(r.overflowed());
	BOOST_TEST(!r.feed("\n"));
	BOOST_TEST(r.buffered() == 0u);
}

BOOST_AUTO_TEST_CASE(default_cap_is_64_kib)
{
	LineReader r;
	BOOST_TEST(r.feed(std::string(64 * 1024, 'a')));
	BOOST_TEST(r.feed("\n"));
	BOOST_TEST(r.next_line()->size() == 64u * 1024);
	BOOST_TEST(!r.feed(std::string(64 * 1024 + 1, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pool_url)

BOOST_AUTO_TEST_CASE(good_urls)
{
	auto u = parse_pool_url("stratum+tcp://public-pool.io:21496");
	BOOST_TEST(!u.tls);
	BOOST_TEST(u.host == "public-pool.io");
	BOOST_TEST(u.port == 21496);
	BOOST_TEST(u.text() == "stratum+tcp://public-pool.io:21496");
	u = parse_pool_url("stratum+ssl://127.0.0.1:4443/");
	BOOST_TEST(u.tls);
	BOOST_TEST(u.port == 4443);
	u = parse_pool_url("stratum+tcp://[::1]:3333");
	BOOST_TEST(u.host == "::1");
	BOOST_TEST(u.text() == "stratum+tcp://[::1]:3333");
}

BOOST_AUTO_TEST_CASE(bad_urls_say_what_is_wrong)
{
	const std::pair<const char *, const char *> cases[] = {
	    {"pool.example:3333", "no scheme"},
	    {"http://pool.example:3333", "not stratum+tcp"},
	    {"stratum+tcp://pool.example", "no port"},
	    {"stratum+tcp://:3333", "no host"},
	    {"stratum+tcp://pool.example:0", "1..65535"},
	    {"stratum+tcp://pool.example:65536", "1..65535"},
	    {"stratum+tcp://pool.example:33a", "not a number"},
	    {"stratum+tcp://pool.example:3333/path", "path"},
	    {"stratum+tcp://user@pool.example:3333", "user"},
	    {"stratum+tcp://po ol:3333", "character"},
	    {"stratum+tcp://[::1:3333", "without ']'"},
	};
	for (const auto &[url, why] : cases) {
		try {
			parse_pool_url(url);
			BOOST_ERROR("accepted " << url);
		} catch (const std::invalid_argument &e) {
			BOOST_TEST(std::string(e.what()).find(why) != std::string::npos,
			           url << ": " << e.what());
		}
	}
}

BOOST_AUTO_TEST_SUITE_END()
