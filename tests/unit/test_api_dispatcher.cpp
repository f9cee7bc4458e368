// SPDX-License-Identifier: MIT
// The cgminer API without sockets: request framing and parsing, the STATUS envelope and
// codes, joined commands, ascset's syntax and hostile values, and the privilege model
// (allow list, session tokens and their expiry on an injected clock).
#include <hashboardd/api/dispatcher.hpp>
#include <hashboardd/api/metrics.hpp>
#include <hashboardd/api/status_json.hpp>

#include "api_rig.hpp"
#include "request.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>

using namespace hashboardd;
using namespace hashboardd::api;
using namespace std::string_literals;
using apitest::fleet_json;
using apitest::number;
using apitest::status_of;

namespace {

// Spelled as bytes, not parsed: a static's initialiser must not throw (cert-err58-cpp).
const IpAddress kLoopback{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}};
const IpAddress kLan{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 50}};

// A clock the test moves by hand, for session expiry.
struct ManualClock {
	std::chrono::steady_clock::time_point t{};
	SteadyNow fn()
	{
		return [this] { return t; };
	}
};

struct Rig {
	apitest::FakeControl control;
	ManualClock clock;
	PrivilegeOptions opts;
	std::unique_ptr<Dispatcher> d;

	explicit Rig(std::function<void(PrivilegeOptions &)> tweak = {})
	{
		opts.now = clock.fn();
		opts.session_idle = std::chrono::seconds(60);
		if (tweak)
			tweak(opts);
		d = std::make_unique<Dispatcher>(control, opts);
	}

	boost::json::object json(const std::string &request, const IpAddress &peer = kLoopback)
	{
		return fleet_json(d->handle(request, peer).text + '\0');
	}
	boost::json::object cmd(const std::string &command, const std::string &param = "",
	                        const IpAddress &peer = kLoopback)
	{
		boost::json::object req{{"command", command}};
		if (!param.empty())
			req["parameter"] = param;
		return json(boost::json::serialize(req), peer);
	}
};

std::string sev(const boost::json::object &reply)
{
	return std::string(status_of(reply).at("STATUS").as_string());
}
std::int64_t code_of(const boost::json::object &reply)
{
	return status_of(reply).at("Code").as_int64();
}
std::string msg(const boost::json::object &reply)
{
	return std::string(status_of(reply).at("Msg").as_string());
}

} // namespace

BOOST_AUTO_TEST_SUITE(framing)

BOOST_AUTO_TEST_CASE(request_end_finds_the_end_of_one_request)
{
	BOOST_TEST(!request_end("").has_value());
	BOOST_TEST(!request_end("{\"command\":\"sum").has_value());
	BOOST_TEST(request_end("{\"command\":\"summary\"}").value() == 21U);
	// Braces inside strings do not count; an escaped quote does not end the string.
	const std::string tricky = R"({"command":"a}\"}","parameter":"{"})";
	BOOST_TEST(request_end(tricky + "junk").value() == tricky.size());
	BOOST_TEST(request_end("  {\"a\":[1,{}]}").value() == 14U);
	BOOST_TEST(!request_end("summary").has_value()); // ends by EOF or quiet time
	BOOST_TEST(request_end("summary\n").value() == 7U);
	BOOST_TEST(request_end("summary|0\r\n").value() == 9U);
	BOOST_TEST(request_end("summary\0more"s).value() == 7U);
	BOOST_TEST(request_end("{\"command\"\0"s).value() == 10U);
}

BOOST_AUTO_TEST_CASE(parse_request_reads_json_and_plain)
{
	auto r =
	    std::get<Request>(parse_request(R"({"command":"ascset","parameter":"0,freq,525"})"));
	BOOST_TEST(r.json);
	BOOST_TEST(r.command == "ascset");
	BOOST_TEST(r.parameter == "0,freq,525");
	r = std::get<Request>(parse_request(R"({"command":"switchpool","parameter":1})"));
	BOOST_TEST(r.parameter == "1");
	r = std::get<Request>(parse_request(R"({"command":"x","parameter":0.5})"));
	BOOST_TEST(r.parameter == "0.5");
	r = std::get<Request>(parse_request("pools|0\n\0"s));
	BOOST_TEST(!r.json);
	BOOST_TEST(r.command == "pools");
	BOOST_TEST(r.parameter == "0");
	r = std::get<Request>(parse_request("summary"));
	BOOST_TEST(r.parameter.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(envelope)

BOOST_AUTO_TEST_CASE(every_reply_has_the_status_envelope_and_id)
{
	Rig rig;
	for (const char *c : {"version", "summary", "devs", "edevs", "pools", "stats", "estats",
	                      "config", "devdetails", "coin", "lcd"}) {
		BOOST_TEST_CONTEXT(c)
		{
			const auto reply = rig.cmd(c);
			const auto &st = status_of(reply);
			BOOST_TEST(sev(reply) == "S");
			BOOST_TEST(st.at("When").as_int64() == 1'700'000'100);
			BOOST_TEST(std::string(st.at("Description").as_string()) ==
			           "HASHBOARD 0.1.0");
			BOOST_TEST(!std::string(st.at("Msg").as_string()).empty());
			BOOST_TEST(reply.at("id").as_int64() == 1);
			BOOST_TEST(reply.size() == 3U, "STATUS, the command's section, id");
		}
	}
	BOOST_TEST(code_of(rig.cmd("pools")) == 7);
	BOOST_TEST(code_of(rig.cmd("devs")) == 9);
	BOOST_TEST(code_of(rig.cmd("summary")) == 11);
	BOOST_TEST(code_of(rig.cmd("version")) == 22);
	BOOST_TEST(code_of(rig.cmd("config")) == 33);
	BOOST_TEST(code_of(rig.cmd("devdetails")) == 69);
	BOOST_TEST(code_of(rig.cmd("stats")) == 70);
	BOOST_TEST(code_of(rig.cmd("lcd")) == 125);
}

BOOST_AUTO_TEST_CASE(version_names_only_our_own_firmware)
{
	Rig rig;
	const std::string raw = rig.d->handle(R"({"command":"version"})", kLoopback).text +
	                        rig.d->handle(R"({"command":"devdetails"})", kLoopback).text;
	std::string upper = raw;
	std::transform(upper.begin(), upper.end(), upper.begin(),
	               [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
	BOOST_TEST(upper.find(kFirmwareName) != std::string::npos);
	// The tokens fleet tools look for in other firmwares' replies never appear.
	for (const char *other : {"BOSMINER", "LUXMINER", "BTMINER", "ANTMINER", "AVALON", "VNISH",
	                          "BMMINER", "DCENT", "WHATSMINER"})
		BOOST_TEST(upper.find(other) == std::string::npos, other);
	const auto v = rig.cmd("version").at("VERSION").as_array().at(0).as_object();
	BOOST_TEST(std::string(v.at("Type").as_string()) == "rig-3x4");
	BOOST_TEST(std::string(v.at("Miner").as_string()) == "HASHBOARD 0.1.0");
	BOOST_TEST(std::string(v.at("API").as_string()) == "3.7");
}

BOOST_AUTO_TEST_CASE(bad_requests_get_cgminer_codes)
{
	Rig rig;
	auto r = rig.cmd("frobnicate");
	BOOST_TEST(sev(r) == "E");
	BOOST_TEST(code_of(r) == 14);
	r = rig.json(R"({"command":"summary")");
	BOOST_TEST(code_of(r) == 23);
	r = rig.json(R"({"parameter":"0"})");
	BOOST_TEST(code_of(r) == 24);
	r = rig.json(R"({"command":7})");
	BOOST_TEST(code_of(r) == 23);
	r = rig.json(R"({"command":"summary","parameter":[1,2]})");
	BOOST_TEST(code_of(r) == 23);
	BOOST_TEST(msg(r).find("parameter") != std::string::npos);
	r = rig.json(R"({"command":"summary","parameter":{"a":true}})");
	BOOST_TEST(code_of(r) == 23);
	// Not starting with '{' is plain text to cgminer, so no JSON reply either.
	BOOST_TEST(rig.d->handle("[1,2,3]", kLoopback).text.find("Code=14") != std::string::npos);
	r = rig.json(R"({"command":"sum\u0000mary"})");
	BOOST_TEST(code_of(r) == 14);
	// Deep nesting is refused by the parser's depth limit, not by a stack overflow.
	r = rig.json("{\"command\":" + std::string(10000, '[') + std::string(10000, ']') + "}");
	BOOST_TEST(code_of(r) == 23);
	r = rig.json("{" + std::string(5000, '{'));
	BOOST_TEST(code_of(r) == 23);
	// Plain text: the same codes, in cgminer's text form.
	const std::string plain = rig.d->handle("frobnicate|1", kLoopback).text;
	BOOST_TEST(plain.starts_with("STATUS=E,When=1700000100,Code=14,Msg=Invalid command,"));
	BOOST_TEST(plain.ends_with("|"));
}

BOOST_AUTO_TEST_CASE(a_failing_daemon_is_an_error_reply_not_a_crash)
{
	struct Broken final : apitest::FakeControl {
		DaemonStatus status() const override
		{
			throw std::runtime_error("mining loop gone");
		}
	} broken;
	Dispatcher d(broken, PrivilegeOptions{});
	const auto r = fleet_json(d.handle(R"({"command":"summary"})", kLoopback).text + '\0');
	BOOST_TEST(sev(r) == "F");
	BOOST_TEST(msg(r).find("mining loop gone") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(joined)

BOOST_AUTO_TEST_CASE(joined_commands_answer_each_under_its_name)
{
	Rig rig;
	const auto r = rig.cmd("summary+pools+summary+bogus+addpool+stats");
	BOOST_TEST(r.size() == 6U, "summary, pools, bogus, addpool, stats, id (duplicates folded)");
	BOOST_TEST(r.at("id").as_int64() == 1);
	for (const char *k : {"summary", "pools", "stats"}) {
		const auto &slot = r.at(k).as_array();
		BOOST_TEST(slot.size() == 1U);
		BOOST_TEST(sev(slot.at(0).as_object()) == "S", k);
	}
	BOOST_TEST(number(r.at("summary")
	                      .as_array()[0]
	                      .as_object()
	                      .at("SUMMARY")
	                      .as_array()[0]
	                      .as_object()
	                      .at("GHS 5s")) == 1234.5);
	BOOST_TEST(code_of(r.at("bogus").as_array()[0].as_object()) == 14);
	const auto &add = r.at("addpool").as_array()[0].as_object();
	BOOST_TEST(sev(add) == "E");
	BOOST_TEST(msg(add).find("cannot be joined") != std::string::npos);
	BOOST_TEST(rig.control.status().pools.size() == 2U, "a joined addpool did nothing");
	// Plain text does not join, as in cgminer.
	BOOST_TEST(rig.d->handle("summary+pools", kLoopback).text.find("Code=14") !=
	           std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ascset)

BOOST_AUTO_TEST_CASE(sets_chain_and_chip_frequency_and_chain_voltage)
{
	Rig rig;
	auto r = rig.cmd("ascset", "1,freq,500");
	BOOST_TEST(sev(r) == "S");
	BOOST_TEST(code_of(r) == 119);
	BOOST_TEST(msg(r) == "ASC 1 set OK");
	BOOST_TEST(rig.control.status().chains[1].freq_avg_mhz == 500);
	r = rig.cmd("ascset", "2,frequency,480.5,chip=3");
	BOOST_TEST(code_of(r) == 119);
	BOOST_TEST(rig.control.status().chains[2].chips[3].freq_mhz == 480.5);
	BOOST_TEST(rig.control.status().chains[2].chips[0].freq_mhz == 525);
	r = rig.cmd("ascset", "0,volt,1250");
	BOOST_TEST(code_of(r) == 119);
	BOOST_TEST(rig.control.status().chains[0].voltage_mv.value() == 1250);
	r = rig.json(R"({"command":"ascset","parameter":"0,help"})");
	BOOST_TEST(sev(r) == "I");
	BOOST_TEST(code_of(r) == 118);
}

BOOST_AUTO_TEST_CASE(hostile_values_are_clear_errors)
{
	Rig rig;
	const auto before = rig.control.status().chains;
	struct Case {
		const char *param;
		int code;
		const char *says;
	};
	const Case cases[] = {
	    {"0,freq,nan", 120, "not a finite number"},
	    {"0,freq,NaN", 120, "not a finite number"},
	    {"0,freq,inf", 120, "not a finite number"},
	    {"0,freq,-inf", 120, "not a finite number"},
	    {"0,freq,1e999", 120, "not a finite number"},
	    {"0,freq,1e308", 120, "outside"},
	    {"0,freq,-525", 120, "outside"},
	    {"0,freq,0", 120, "outside"},
	    {"0,freq,525MHz", 120, "not a finite number"},
	    {"0,freq,", 120, "missing value"},
	    {"0,freq", 120, "missing value"},
	    {"0,freq,900", 120, "650"}, // the board's limit, from ControlError
	    {"0,volt,99999999", 120, "outside"},
	    {"0,volt,1200,chip=1", 120, "per chain"},
	    {"0,freq,500,chip=x", 120, "chip position"},
	    {"0,freq,500,core=1", 120, "chip="},
	    {"0,freq,500,chip=9", 120, "no chip 9"},
	    {"0,freq,500,chip=1,extra", 120, "too many"},
	    {"0,overclock,9", 120, "unknown option"},
	    {"0", 116, "Missing option"},
	    {"", 116, "Missing ASC id"},
	    {"3,freq,500", 107, "range is 0 - 2"},
	    {"-1,freq,500", 107, "Invalid ASC id"},
	    {"99999999999999999999,freq,1", 107, "Invalid ASC id"},
	};
	for (const Case &c : cases) {
		BOOST_TEST_CONTEXT(c.param)
		{
			const auto r = rig.cmd("ascset", c.param);
			BOOST_TEST(sev(r) == "E");
			BOOST_TEST(code_of(r) == c.code);
			BOOST_TEST(msg(r).find(c.says) != std::string::npos, msg(r));
		}
	}
	// A JSON number too large for a double, and a huge integer: refused, not UB.
	auto r = rig.json(R"({"command":"ascset","parameter":1e999})");
	BOOST_TEST(sev(r) == "E");
	r = rig.json(R"({"command":"ascset","parameter":18446744073709551615})");
	BOOST_TEST(code_of(r) == 107);
	const auto after = rig.control.status().chains;
	for (std::size_t i = 0; i < after.size(); ++i) {
		BOOST_TEST(after[i].freq_avg_mhz == before[i].freq_avg_mhz);
		BOOST_TEST(after[i].voltage_mv.value() == before[i].voltage_mv.value());
	}
}

BOOST_AUTO_TEST_CASE(tune_mode_and_target_set_the_goal_and_start_a_tune)
{
	Rig rig;
	auto r = rig.cmd("ascset", "0,tune-mode,efficiency");
	BOOST_TEST(sev(r) == "S", msg(r));
	BOOST_TEST(code_of(r) == 119);
	BOOST_TEST(rig.control.status().tuning.mode == "efficiency");
	BOOST_TEST(rig.control.status().tuning.state == "tuning");
	r = rig.cmd("ascset", "0,tune-target,1.5");
	BOOST_TEST(sev(r) == "S", msg(r));
	BOOST_TEST(rig.control.status().tuning.target.value() == 1.5);
	BOOST_TEST(rig.control.tunes == 2);
	r = rig.cmd("ascset", "0,help");
	BOOST_TEST(msg(r).find("tune-mode") != std::string::npos, msg(r));
}

BOOST_AUTO_TEST_CASE(bad_tuning_values_are_clear_errors_and_start_nothing)
{
	Rig rig;
	struct Case {
		const char *param;
		int code;
		const char *says;
	};
	const Case cases[] = {
	    {"0,tune-mode,turbo", 120, "unknown tuning mode 'turbo'"},
	    {"0,tune-mode,Efficiency", 120, "unknown tuning mode"},
	    {"0,tune-mode,", 120, "missing value"},
	    {"0,tune-mode", 120, "missing value"},
	    {"0,tune-mode,heat,1000", 120, "too many"},
	    {"0,tune-target,nan", 120, "not a finite number"},
	    {"0,tune-target,inf", 120, "not a finite number"},
	    {"0,tune-target,-5", 120, "outside"},
	    {"0,tune-target,1e9", 120, "outside"},
	    {"0,tune-target,3kW", 120, "not a finite number"},
	    {"0,tune-mode,fixed", 120, "needs a frequency"}, // the daemon's ControlError
	    {"5,tune-mode,heat", 107, "Invalid ASC id"},
	};
	for (const Case &c : cases) {
		BOOST_TEST_CONTEXT(c.param)
		{
			const auto r = rig.cmd("ascset", c.param);
			BOOST_TEST(sev(r) == "E");
			BOOST_TEST(code_of(r) == c.code);
			BOOST_TEST(msg(r).find(c.says) != std::string::npos, msg(r));
		}
	}
	BOOST_TEST(rig.control.tunes == 0);
	BOOST_TEST(rig.control.status().tuning.state == "tuned");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tuning_status)

BOOST_AUTO_TEST_CASE(metrics_show_the_tuning_gauges)
{
	Rig rig;
	const std::string t = render_metrics(rig.control.status());
	BOOST_TEST(t.find("hashboard_tuning_state{mode=\"efficiency\",state=\"tuned\"} 1\n") !=
	           std::string::npos);
	BOOST_TEST(t.find("hashboard_tuning_state{mode=\"efficiency\",state=\"tuning\"} 0\n") !=
	           std::string::npos);
	BOOST_TEST(t.find("hashboard_tuning_hashrate_hashes_per_second 1250000000000\n") !=
	           std::string::npos);
	BOOST_TEST(t.find("hashboard_tuning_power_watts 40\n") != std::string::npos);
	BOOST_TEST(t.find("hashboard_tuning_efficiency_joules_per_terahash 32\n") !=
	           std::string::npos);
	BOOST_TEST(t.find("# TYPE hashboard_tuning_state gauge\n") != std::string::npos);
	for (const char *name :
	     {"hashboard_tuning_state", "hashboard_tuning_hashrate_hashes_per_second",
	      "hashboard_tuning_power_watts", "hashboard_tuning_efficiency_joules_per_terahash"})
		BOOST_TEST(std::count(metric_names().begin(), metric_names().end(), name) == 1,
		           name);
	// Before any result: the state alone, no numbers to show.
	rig.control.edit([](DaemonStatus &d) { d.tuning = TuningStatus{}; });
	const std::string off = render_metrics(rig.control.status());
	BOOST_TEST(off.find("hashboard_tuning_state{mode=\"off\",state=\"off\"} 1\n") !=
	           std::string::npos);
	BOOST_TEST(off.find("hashboard_tuning_power_watts") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(status_json_has_the_tuning_section)
{
	Rig rig;
	const auto j = status_to_json(rig.control.status()).as_object().at("tuning").as_object();
	BOOST_TEST(std::string(j.at("mode").as_string()) == "efficiency");
	BOOST_TEST(std::string(j.at("state").as_string()) == "tuned");
	BOOST_TEST(std::string(j.at("profile_serial").as_string()) == "SN42");
	BOOST_TEST(number(j.at("j_per_th")) == 32);
	BOOST_TEST(number(j.at("hashrate_ths")) == 1.25);
	BOOST_TEST(j.at("target").is_null());
	BOOST_TEST(std::string(j.at("error").as_string()).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pools)

BOOST_AUTO_TEST_CASE(pool_commands_change_the_daemon)
{
	Rig rig;
	auto r = rig.cmd("addpool", "stratum+tcp://new.example:3333,me.1,x\\,y");
	BOOST_TEST(code_of(r) == 55);
	BOOST_TEST(msg(r) == "Added pool 2: 'stratum+tcp://new.example:3333'");
	BOOST_TEST(rig.control.passwords.back() == "x,y", "an escaped comma stays in the field");
	r = rig.cmd("switchpool", "2");
	BOOST_TEST(code_of(r) == 27);
	BOOST_TEST(rig.control.status().pools[2].active);
	r = rig.cmd("disablepool", "1");
	BOOST_TEST(code_of(r) == 48);
	BOOST_TEST(rig.control.status().pools[1].state == PoolState::disabled);
	r = rig.cmd("enablepool", "1");
	BOOST_TEST(code_of(r) == 47);
	r = rig.cmd("removepool", "2");
	BOOST_TEST(code_of(r) == 132, "the fake refuses to remove the active pool");
	BOOST_TEST(msg(r).find("active pool") != std::string::npos);
	r = rig.cmd("removepool", "0");
	BOOST_TEST(code_of(r) == 68);
	BOOST_TEST(rig.control.status().pools.size() == 2U);

	BOOST_TEST(code_of(rig.cmd("switchpool")) == 25);
	BOOST_TEST(code_of(rig.cmd("switchpool", "7")) == 26);
	BOOST_TEST(code_of(rig.cmd("switchpool", "1x")) == 26);
	BOOST_TEST(code_of(rig.cmd("addpool")) == 52);
	BOOST_TEST(code_of(rig.cmd("addpool", "stratum+tcp://a:1,u")) == 53);
	BOOST_TEST(code_of(rig.cmd("addpool", "http://a:1,u,p")) == 53);
	r = rig.cmd("addpool", "stratum+tcp://refuse:1,u,p");
	BOOST_TEST(code_of(r) == 53);
	BOOST_TEST(msg(r).find("refused by the fake") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(restart_and_quit_answer_bare_and_act_after)
{
	Rig rig;
	auto resp = rig.d->handle(R"({"command":"restart"})", kLoopback);
	BOOST_TEST(resp.text == R"({"STATUS":"RESTART"})");
	BOOST_TEST(resp.after == AfterReply::restart);
	BOOST_TEST(rig.control.restarts == 0, "the server calls restart() after the reply");
	resp = rig.d->handle("quit", kLoopback);
	BOOST_TEST(resp.text == "BYE|");
	BOOST_TEST(resp.after == AfterReply::quit);
	resp = rig.d->handle("quit", kLan);
	BOOST_TEST(resp.after == AfterReply::nothing);
	BOOST_TEST(resp.text.find("Code=45") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(privilege)

BOOST_AUTO_TEST_CASE(loopback_by_default_nobody_else)
{
	Rig rig;
	BOOST_TEST(code_of(rig.cmd("privileged")) == 46);
	BOOST_TEST(code_of(rig.cmd("privileged", "", kLan)) == 45);
	BOOST_TEST(code_of(rig.cmd("addpool", "stratum+tcp://x:1,u,p", kLan)) == 45);
	BOOST_TEST(code_of(rig.cmd("logon", "", kLan)) == 45);
	BOOST_TEST(rig.control.status().pools.size() == 2U);
	// Reports are for everybody.
	BOOST_TEST(sev(rig.cmd("summary", "", kLan)) == "S");
	// ::1 and v4-mapped loopback are loopback too.
	BOOST_TEST(code_of(rig.cmd("privileged", "", IpAddress::parse("::1"))) == 46);
	BOOST_TEST(code_of(rig.cmd("privileged", "", IpAddress::parse("::ffff:127.0.0.1"))) == 46);
}

BOOST_AUTO_TEST_CASE(check_says_whether_a_command_exists_and_is_allowed)
{
	Rig rig;
	auto c = rig.cmd("check", "addpool").at("CHECK").as_array()[0].as_object();
	BOOST_TEST(std::string(c.at("Exists").as_string()) == "Y");
	BOOST_TEST(std::string(c.at("Access").as_string()) == "Y");
	c = rig.cmd("check", "addpool", kLan).at("CHECK").as_array()[0].as_object();
	BOOST_TEST(std::string(c.at("Access").as_string()) == "N");
	c = rig.cmd("check", "summary", kLan).at("CHECK").as_array()[0].as_object();
	BOOST_TEST(std::string(c.at("Access").as_string()) == "Y");
	c = rig.cmd("check", "nosuch").at("CHECK").as_array()[0].as_object();
	BOOST_TEST(std::string(c.at("Exists").as_string()) == "N");
	BOOST_TEST(code_of(rig.cmd("check")) == 71);
}

BOOST_AUTO_TEST_CASE(beyond_loopback_a_session_token_is_needed_and_expires)
{
	Rig rig([](PrivilegeOptions &o) { o.allow = {"127.0.0.0/8", "192.168.1.0/24"}; });
	// Allowed, but not token-free: refused without a token.
	auto r = rig.cmd("addpool", "stratum+tcp://a.example:1,u,p", kLan);
	BOOST_TEST(code_of(r) == 45);
	BOOST_TEST(msg(r).find("logon") != std::string::npos);
	const auto logon = rig.cmd("logon", "", kLan);
	BOOST_TEST(code_of(logon) == 300);
	const std::string token(
	    logon.at("SESSION").as_array()[0].as_object().at("SessionID").as_string());
	BOOST_TEST(SessionTable::looks_like_token(token));
	r = rig.cmd("addpool", token + ",stratum+tcp://a.example:1,u,p", kLan);
	BOOST_TEST(code_of(r) == 55, msg(r));
	BOOST_TEST(rig.control.status().pools.size() == 3U);
	r = rig.cmd("switchpool", token + ",2", kLan);
	BOOST_TEST(code_of(r) == 27);
	// A wrong token of the right shape, and a token from nowhere.
	std::string wrong = token;
	wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
	r = rig.cmd("switchpool", wrong + ",1", kLan);
	BOOST_TEST(code_of(r) == 45);
	BOOST_TEST(msg(r).find("expired") != std::string::npos);
	BOOST_TEST(code_of(rig.cmd("switchpool", "deadbeef,1", kLan)) == 45);
	// Use keeps it alive; 60 s without use ends it.
	rig.clock.t += std::chrono::seconds(50);
	BOOST_TEST(code_of(rig.cmd("privileged", token, kLan)) == 46);
	rig.clock.t += std::chrono::seconds(50);
	BOOST_TEST(code_of(rig.cmd("privileged", token, kLan)) == 46);
	rig.clock.t += std::chrono::seconds(61);
	r = rig.cmd("switchpool", token + ",0", kLan);
	BOOST_TEST(code_of(r) == 45);
	BOOST_TEST(rig.control.status().pools[2].active, "the expired token changed nothing");
	// logoff ends a session at once.
	const std::string t2(rig.cmd("logon", "", kLan)
	                         .at("SESSION")
	                         .as_array()[0]
	                         .as_object()
	                         .at("SessionID")
	                         .as_string());
	BOOST_TEST(code_of(rig.cmd("logoff", t2, kLan)) == 301);
	BOOST_TEST(code_of(rig.cmd("privileged", t2, kLan)) == 45);
	BOOST_TEST(code_of(rig.cmd("logoff", t2, kLan)) == 302);
}

BOOST_AUTO_TEST_CASE(logon_secret_and_session_cap)
{
	Rig rig([](PrivilegeOptions &o) {
		o.allow = {"0.0.0.0/0"};
		o.token_free = {};
		o.logon_secret = "hunter2";
		o.max_sessions = 2;
	});
	BOOST_TEST(code_of(rig.cmd("logon", "", kLan)) == 45);
	BOOST_TEST(code_of(rig.cmd("logon", "hunter3", kLan)) == 45);
	BOOST_TEST(code_of(rig.cmd("logon", "hunter2", kLan)) == 300);
	BOOST_TEST(code_of(rig.cmd("privileged", "", kLoopback)) == 45,
	           "loopback is not token-free");
	rig.cmd("logon", "hunter2", kLan);
	rig.cmd("logon", "hunter2", kLan);
	BOOST_TEST(rig.d->sessions().size() == 2U);
}

BOOST_AUTO_TEST_CASE(bad_access_lists_are_refused_at_construction)
{
	apitest::FakeControl c;
	for (const char *bad : {"10.0.0.0/33", "fd00::/129", "10.0.0/8", "host.example", "",
	                        "1.2.3.4/", "1.2.3.4/-1", "::1/x"}) {
		PrivilegeOptions o;
		o.allow = {bad};
		BOOST_CHECK_THROW(Dispatcher(c, o), std::invalid_argument);
	}
	BOOST_TEST((kLoopback == IpAddress::parse("127.0.0.1")));
	BOOST_TEST((kLan == IpAddress::parse("192.168.1.50")));
	BOOST_TEST(kLan.to_string() == "192.168.1.50");
	BOOST_TEST(IpAddress::parse("fd00::1").to_string() == "fd00::1");
	BOOST_TEST(Cidr::parse("10.1.0.0/16").contains(IpAddress::parse("10.1.200.3")));
	BOOST_TEST(!Cidr::parse("10.1.0.0/16").contains(IpAddress::parse("10.2.0.1")));
	BOOST_TEST(Cidr::parse("0.0.0.0/0").contains(IpAddress::parse("8.8.8.8")));
	BOOST_TEST(!Cidr::parse("0.0.0.0/0").contains(IpAddress::parse("fd00::1")));
	BOOST_TEST(Cidr::parse("fd00::/8").contains(IpAddress::parse("fdab::1")));
	BOOST_TEST(Cidr::parse("192.168.1.7").contains(IpAddress::parse("192.168.1.7")));
	BOOST_TEST(!Cidr::parse("192.168.1.7").contains(IpAddress::parse("192.168.1.8")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(text)

// Found by fuzz_api_request: a message that cut a UTF-8 sequence made the reply
// invalid JSON. Replies are always valid UTF-8 now, whatever the request or the daemon
// holds.
BOOST_AUTO_TEST_CASE(replies_are_valid_json_whatever_the_bytes)
{
	Rig rig;
	rig.control.edit([](DaemonStatus &s) {
		s.pools[0].url = "stratum+tcp://p\xe9ol:1";    // Latin-1, not UTF-8
		s.pools[0].user = "w\xc3\xa9rker\xf0\x9f\x98"; // UTF-8, then a cut sequence
		s.pools[1].user = "nul\0in"s;                  // a NUL must never go out raw
	});
	const std::string raw = rig.d->handle(R"({"command":"pools"})", kLoopback).text;
	BOOST_TEST(raw.find('\0') == std::string::npos);
	const auto pools = fleet_json(raw + '\0').at("POOLS").as_array();
	BOOST_TEST(std::string(pools[0].as_object().at("URL").as_string()) ==
	           "stratum+tcp://p\xef\xbf\xbdol:1");
	BOOST_TEST(std::string(pools[0].as_object().at("User").as_string()) ==
	           "w\xc3\xa9rker\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	BOOST_TEST(std::string(pools[1].as_object().at("User").as_string()) == "nul\0in"s);
	std::string name = "{\"command\":\"" + std::string(63, 'a') + "\xc8\x9c\"}";
	const auto r = rig.json(name);
	BOOST_TEST(code_of(r) == 14);
	BOOST_TEST(msg(r).find('?') != std::string::npos, "non-ASCII is shown as '?'");
}

BOOST_AUTO_TEST_SUITE_END()
