// SPDX-License-Identifier: MIT
// The cgminer API's request parser and dispatcher on arbitrary bytes, without sockets:
// no crash, no hang, no exception out of Dispatcher::handle; every reply is non-empty and
// NUL-free (the NUL is the server's end marker); a request meant as JSON gets a JSON
// object back with a STATUS; the framing (request_end) never points past the bytes.
// The first input byte picks the peer (loopback, an allowed LAN peer that needs a token,
// a stranger), so privilege paths are reached too.

#include <hashboardd/api/dispatcher.hpp>

#include "fuzz_common.hpp"
#include "request.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace hashboardd;

namespace {

// A daemon with two chains and two pools whose control calls succeed or refuse the way
// a real one may (ControlError), so every reply path of the commands is reachable.
class FuzzControl final : public DaemonControl {
public:
	FuzzControl()
	{
		s_.version = "0.1.0";
		s_.board_model = "fuzz";
		for (unsigned c = 0; c < 2; ++c) {
			ChainStatus ch;
			ch.id = c;
			ch.family = "BM1366";
			ch.chips_expected = 3;
			ch.chips_found = 3 - c;
			for (unsigned k = 0; k < 3; ++k)
				ch.chips.push_back(
				    ChipStatus{k, k != 2 || c == 0, 525, 100, 1, 0, 60.0});
			s_.chains.push_back(ch);
		}
		for (unsigned p = 0; p < 2; ++p) {
			PoolStatus pool;
			pool.index = p;
			pool.url = "stratum+tcp://p" + std::to_string(p) + ":3333";
			pool.active = p == 0;
			s_.pools.push_back(pool);
		}
		s_.fans.push_back(FanStatus{"fan0", 0.5, 3000.0});
	}
	DaemonStatus status() const override { return s_; }
	unsigned add_pool(const NewPool &p) override
	{
		if (p.url.size() % 2)
			throw ControlError("odd");
		return 2;
	}
	void remove_pool(unsigned i) override { check(i < 1); }
	void switch_pool(unsigned i) override { check(i < 2); }
	void enable_pool(unsigned i) override { check(i < 2); }
	void disable_pool(unsigned i) override { check(i < 2); }
	void set_chain_frequency(unsigned, double mhz) override { check(mhz < 650); }
	void set_chip_frequency(unsigned, unsigned k, double mhz) override
	{
		check(k < 3 && mhz < 650);
	}
	void set_chain_voltage(unsigned, double mv) override { check(mv < 1500); }
	void restart() override {}
	void quit() override {}

private:
	static void check(bool ok)
	{
		if (!ok)
			throw ControlError("refused");
	}
	DaemonStatus s_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	if (size == 0)
		return 0;
	static FuzzControl control; // NOLINT: one fake for the whole run, stateless
	api::PrivilegeOptions opts;
	opts.allow = {"127.0.0.0/8", "10.0.0.0/8"};
	static api::Dispatcher dispatcher(control,
	                                  opts); // NOLINT: sessions persist, as in a server
	const api::IpAddress peers[] = {api::IpAddress::parse("127.0.0.1"),
	                                api::IpAddress::parse("10.1.2.3"),
	                                api::IpAddress::parse("203.0.113.9")};
	const api::IpAddress &peer = peers[data[0] % 3];
	const std::string_view text(reinterpret_cast<const char *>(data) + 1, size - 1);

	if (const auto end = api::request_end(text))
		FUZZ_CHECK(*end <= text.size());

	const api::Response r = dispatcher.handle(text, peer);
	FUZZ_CHECK(!r.text.empty());
	FUZZ_CHECK(r.text.find('\0') == std::string::npos);
	if (peer == peers[2])
		FUZZ_CHECK(r.after == api::AfterReply::nothing);
	if (api::looks_like_json(text)) {
		boost::json::error_code ec;
		const auto v = boost::json::parse(r.text, ec);
		FUZZ_CHECK(!ec);
		FUZZ_CHECK(v.is_object());
		const auto &o = v.as_object();
		// An envelope, a bare restart/quit status, or a joined reply of named slots.
		FUZZ_CHECK(o.contains("STATUS") || o.contains("id"));
	}
	const std::string refused = dispatcher.refuse(text, "cut off");
	FUZZ_CHECK(!refused.empty() && refused.find('\0') == std::string::npos);
	return 0;
}
