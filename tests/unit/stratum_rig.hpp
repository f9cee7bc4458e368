// SPDX-License-Identifier: MIT
// Shared by the Stratum tests: the real notify of tests/vectors/stratum_example_b.json,
// a listener that records every Session event, and a scripted pool side that reads what
// the Session sent and answers line by line (virtual time, no sockets).
#pragma once

#include "hbtest.hpp"

#include <hashboardd/stratum/session.hpp>

#include <hashboard/job_builder.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace stratum_rig {

namespace json = boost::json;
using namespace hashboardd::stratum;
using namespace std::chrono_literals;

inline std::string fmt_hex32(unsigned long v)
{
	char buf[16];
	std::snprintf(buf, sizeof buf, "%08lx", v & 0xffffffffUL);
	return buf;
}
inline const json::object &vector_b()
{
	static const json::value v = hbtest::load_vector("stratum_example_b.json");
	return v.as_object();
}
inline std::string vstr(const char *key)
{
	return std::string(vector_b().at(key).as_string());
}
inline json::array vector_notify_params()
{
	return vector_b().at("notify").as_array();
}
inline hashboard::StratumNotify vector_notify()
{
	return notify_from_params(vector_notify_params());
}
// The vector's notify as another job: its own id, ntime + delta, clean as asked.
inline json::array notify_params(const std::string &job_id, unsigned ntime_delta, bool clean)
{
	hashboard::StratumNotify n = vector_notify();
	n.job_id = job_id;
	n.ntime = fmt_hex32(std::stoul(n.ntime, nullptr, 16) + ntime_delta);
	n.clean_jobs = clean;
	return params_from_notify(n);
}

struct Recorder : SessionListener {
	std::vector<JobPtr> jobs;
	std::vector<bool> cleans;
	std::vector<double> difficulties;
	std::vector<std::uint32_t> masks;
	std::vector<SubmitResult> results;
	std::vector<ReconnectRequest> reconnects;
	std::vector<std::string> messages;
	std::vector<std::string> failures;
	int ready = 0;

	void on_job(const JobPtr &job, bool clean) override
	{
		jobs.push_back(job);
		cleans.push_back(clean);
	}
	void on_difficulty(double d) override { difficulties.push_back(d); }
	void on_version_mask(std::uint32_t m) override { masks.push_back(m); }
	void on_submit_result(const SubmitResult &r) override { results.push_back(r); }
	void on_reconnect(const ReconnectRequest &r) override { reconnects.push_back(r); }
	void on_message(std::string_view t) override { messages.emplace_back(t); }
	void on_ready() override { ++ready; }
	void on_failed(std::string_view why) override { failures.emplace_back(why); }
};

// One line the session sent, parsed.
struct Sent {
	std::uint64_t id = 0;
	std::string method;
	json::array params;
};
inline std::vector<Sent> take(Session &s)
{
	std::vector<Sent> out;
	for (const auto &line : s.take_output()) {
		BOOST_TEST_REQUIRE(!line.empty());
		BOOST_TEST_REQUIRE(line.back() == '\n');
		const json::object o = json::parse(line).as_object();
		Sent m;
		if (o.at("id").is_uint64() || o.at("id").is_int64())
			m.id = o.at("id").to_number<std::uint64_t>();
		if (const auto *meth = o.if_contains("method"))
			m.method = std::string(meth->as_string());
		if (const auto *p = o.if_contains("params"))
			m.params = p->as_array();
		out.push_back(std::move(m));
	}
	return out;
}
inline const Sent &find(const std::vector<Sent> &sent, const std::string &method)
{
	for (const auto &m : sent)
		if (m.method == method)
			return m;
	BOOST_FAIL("the session did not send " << method);
	return sent.front();
}
inline bool has(const std::vector<Sent> &sent, const std::string &method)
{
	for (const auto &m : sent)
		if (m.method == method)
			return true;
	return false;
}

inline std::string response(std::uint64_t id, const json::value &result,
                            const json::value &error = nullptr)
{
	return serialize(json::object{{"id", id}, {"result", result}, {"error", error}});
}
inline std::string notification(const std::string &method, const json::array &params)
{
	return serialize(json::object{{"id", nullptr}, {"method", method}, {"params", params}});
}
inline json::value subscribe_result(const std::string &sid, const std::string &en1,
                                    std::size_t en2_size)
{
	return json::array{json::array{json::array{"mining.set_difficulty", sid},
	                               json::array{"mining.notify", sid}},
	                   en1, en2_size};
}
inline void feed(Session &s, const std::string &line, hashboard::Duration now = 0s)
{
	const auto r = s.on_line(line, now);
	BOOST_TEST_REQUIRE(r.ok, "line refused: " << r.error << " (" << line << ")");
}

// The usual handshake answered in order; returns what the session sent first.
inline std::vector<Sent> handshake(Session &s, hashboard::Duration now = 0s,
                                   const std::string &sid = "sid1",
                                   const std::string &en1 = "57a6f098")
{
	s.start(now);
	auto sent = take(s);
	if (has(sent, "mining.configure"))
		feed(s,
		     response(find(sent, "mining.configure").id,
		              json::object{{"version-rolling", true},
		                           {"version-rolling.mask", "1fffe000"}}),
		     now);
	feed(s, response(find(sent, "mining.subscribe").id, subscribe_result(sid, en1, 4)), now);
	feed(s, response(find(sent, "mining.authorize").id, true), now);
	return sent;
}

} // namespace stratum_rig
