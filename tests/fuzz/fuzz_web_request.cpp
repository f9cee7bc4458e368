// SPDX-License-Identifier: MIT
// The web dashboard (userspace/web, WebApp) on arbitrary requests, without sockets: no
// crash, no hang, no exception out of handle(), never a 500 (an internal error is a bug:
// every bad input has its own 4xx), and every /api answer is a JSON object. Input: byte 0
// picks the method, byte 1 which credentials come along (the session's cookie, its CSRF
// token, a JSON content type, a foreign Origin), then the target up to the first NUL and
// the body after it. The app is set up once with a password, so both the logged-in and
// the anonymous paths are reached.

#include <hashboardd/web/web_app.hpp>

#include <boost/json.hpp>

#include "fuzz_common.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <unistd.h>

using namespace hashboardd;

namespace {

class FuzzControl final : public DaemonControl {
public:
	FuzzControl()
	{
		s_.board_model = "fuzz";
		ChainStatus ch;
		ch.id = 0;
		ch.family = "BM1366";
		ch.chips_expected = 2;
		ch.chips_found = 1;
		ch.chips.push_back(ChipStatus{0, true, 525, 100, 1, 0, 60.0});
		s_.chains.push_back(ch);
		s_.pools.push_back(PoolStatus{});
	}
	DaemonStatus status() const override { return s_; }
	std::vector<LogLine> recent_log() const override { return {{"info", "a line"}}; }
	unsigned add_pool(const NewPool &p) override
	{
		if (p.url.empty())
			throw ControlError("no URL");
		return 1;
	}
	void remove_pool(unsigned i) override { pool(i); }
	void switch_pool(unsigned i) override { pool(i); }
	void enable_pool(unsigned i) override { pool(i); }
	void disable_pool(unsigned i) override { pool(i); }
	void set_chain_frequency(unsigned c, double mhz) override { chain(c, mhz, 650); }
	void set_chip_frequency(unsigned c, unsigned, double mhz) override { chain(c, mhz, 650); }
	void set_chain_voltage(unsigned c, double mv) override { chain(c, mv, 1400); }
	void restart() override {}
	void quit() override {}

private:
	static void pool(unsigned i)
	{
		if (i > 0)
			throw ControlError("no pool " + std::to_string(i));
	}
	static void chain(unsigned c, double v, double max)
	{
		if (c > 0 || v > max || v < 0)
			throw ControlError("out of range");
	}
	DaemonStatus s_;
};

struct Fixture {
	FuzzControl control;
	hashboard::VirtualClock clock;
	std::string password_file;
	web::WebApp app;
	std::string cookie, csrf;

	Fixture() : password_file(make_path()), app(control, clock, options(password_file))
	{
		api::HttpRequest r;
		r.method = "POST";
		r.target = "/api/setup";
		r.body = R"({"password":"fuzzing horse"})";
		r.headers = {{"content-type", "application/json"}, {"host", "h"}};
		const auto res = app.handle(r);
		FUZZ_CHECK(res.status == 201);
		for (const auto &[n, v] : res.headers)
			if (n == "Set-Cookie")
				cookie = v.substr(0, v.find(';'));
		csrf = std::string(boost::json::parse(res.body).at("csrf").as_string());
	}
	static std::string make_path()
	{
		char dir[] = "/tmp/hb-fuzz-web-XXXXXX";
		FUZZ_CHECK(::mkdtemp(dir) != nullptr);
		return std::string(dir) + "/web-password";
	}
	static web::WebOptions options(const std::string &file)
	{
		web::WebOptions o;
		o.password_file = file;
		o.password_rounds = 1;
		return o;
	}
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	static Fixture f;
	if (size < 2)
		return 0;
	static constexpr const char *kMethods[] = {"GET",  "POST", "DELETE",
	                                           "HEAD", "PUT",  "OPTIONS"};
	const std::string_view in(reinterpret_cast<const char *>(data) + 2, size - 2);
	const auto nul = in.find('\0');
	api::HttpRequest r;
	r.method = kMethods[data[0] % std::size(kMethods)];
	r.target = std::string(in.substr(0, nul));
	if (nul != std::string_view::npos)
		r.body = std::string(in.substr(nul + 1));
	r.headers.emplace_back("host", "miner.local");
	const unsigned flags = data[1];
	if (flags & 1)
		r.headers.emplace_back("cookie", f.cookie);
	if (flags & 2)
		r.headers.emplace_back("x-csrf-token", f.csrf);
	if (flags & 4)
		r.headers.emplace_back("content-type", "application/json");
	if (flags & 8)
		r.headers.emplace_back("origin", "http://elsewhere");
	// Time moves, so sessions and the throttle expire now and then.
	f.clock.sleep_for(std::chrono::seconds(flags >> 4));

	const auto res = f.app.handle(r);
	FUZZ_CHECK(res.status >= 200 && res.status < 500);
	if (r.target.rfind("/api/", 0) == 0 && r.method != "HEAD") {
		boost::system::error_code ec;
		const auto v = boost::json::parse(res.body, ec);
		FUZZ_CHECK(!ec && v.is_object());
	}
	// A password change ends every session: log in again for the next input.
	api::HttpRequest s;
	s.method = "GET";
	s.target = "/api/session";
	s.headers = {{"cookie", f.cookie}};
	if (!boost::json::parse(f.app.handle(s).body).at("logged_in").as_bool()) {
		FUZZ_CHECK(::unlink(f.password_file.c_str()) == 0);
		api::HttpRequest setup;
		setup.method = "POST";
		setup.target = "/api/setup";
		setup.body = R"({"password":"fuzzing horse"})";
		setup.headers = {{"content-type", "application/json"}, {"host", "h"}};
		const auto res2 = f.app.handle(setup);
		FUZZ_CHECK(res2.status == 201);
		for (const auto &[n, v] : res2.headers)
			if (n == "Set-Cookie")
				f.cookie = v.substr(0, v.find(';'));
		f.csrf = std::string(boost::json::parse(res2.body).at("csrf").as_string());
	}
	return 0;
}
