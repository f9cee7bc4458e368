// SPDX-License-Identifier: MIT
//
// hbsim in its own process, for the integration tests that drive it like hardware: the
// test chain, hbsim's own account through its control socket, and a broadcast read of
// the chips. It reads hbsim's control protocol (an HAL internal), so only the tests that
// link hashboard-internal include it.
#pragma once

#include "child_process.hpp"
#include "hbtest.hpp"

#include "transport/hbsim_control.hpp"

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/transport.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <chrono>
#include <string>
#include <vector>

namespace hbtest {

// hbsim with the tests' chain on a new pty, or on a unix socket at unix_path: 4 BM1366
// whose nonces need 8 zero bits, so hbsim computes 2^-24 of the real chips' hashes
// (about 100 k SHA-256d a second) and keeps up with real time even in a Debug+ASan
// build, while the chips still report nonces at the real rate.
struct HbsimProcess {
	Child child;
	std::string link; // the pty or the socket path
	std::string control;
	long pid = 0;
	bool on_pty;

	explicit HbsimProcess(const std::vector<std::string> &extra = {},
	                      const std::string &unix_path = "")
	    : child(args(extra, unix_path)), on_pty(unix_path.empty())
	{
		using namespace std::chrono_literals;
		const auto line = child.read_line(10s);
		BOOST_TEST_REQUIRE(line.has_value(), "hbsim printed nothing");
		const auto info = boost::json::parse(*line).as_object();
		link = std::string(info.at(on_pty ? "pty" : "unix").as_string());
		control = std::string(info.at("control").as_string());
		pid = static_cast<long>(info.at("pid").as_int64());
		BOOST_TEST(info.at("chips").as_int64() == 4);
		BOOST_TEST(info.at("family").as_string() == "bm1366");
		BOOST_TEST_MESSAGE("hbsim on " << link << ", control " << control);
	}
	// The link with the reset line through the control socket.
	std::string uri() const
	{
		return (on_pty ? "tty:" : "unix:") + link + "?reset=hbsim:" + control;
	}

private:
	static std::vector<std::string> args(const std::vector<std::string> &extra,
	                                     const std::string &unix_path)
	{
		std::vector<std::string> a{hbsim_bin(), "--json", "--family",    "bm1366",
		                           "--chips",   "4",      "--zero-bits", "8"};
		if (unix_path.empty())
			a.push_back("--pty");
		else
			a.insert(a.end(), {"--unix", unix_path});
		a.insert(a.end(), extra.begin(), extra.end());
		return a;
	}
};

// hbsim's own account ("family=... host=1 ..."), through the HAL's control client.
inline std::string hbsim_status(const std::string &control)
{
	hashboard::SteadyClock clock;
	return hashboard::transport::HbsimControl(control, clock).status();
}

// Whether hbsim sees a host (or none) on its link within a few seconds.
inline bool host_seen(const std::string &control, bool present)
{
	using namespace std::chrono_literals;
	hashboard::SteadyClock clock;
	const std::string want = present ? "host=1" : "host=0";
	for (const auto end = clock.now() + 3s; clock.now() < end; clock.sleep_for(10ms))
		if (hbsim_status(control).find(want) != std::string::npos)
			return true;
	return false;
}

// Version rolling on (BM1366+ replies are 11 bytes from then on), then a broadcast read
// of register 0: the register replies that come before a quiet 300 ms (the chain
// answers in a few milliseconds).
inline std::vector<hashboard::bm13xx::RegisterReply>
read_chip_ids(hashboard::Transport &t, const hashboard::ChipFamily &family)
{
	using namespace std::chrono_literals;
	namespace bm = hashboard::bm13xx;
	t.flush_input();
	t.write(bm::encode_write_register(true, 0, *family.regs.version_rolling,
	                                  hashboard::version_rolling_value(family, 0x1FFFE000)));
	t.write(bm::encode_read_register(true, 0, family.regs.chip_id));
	bm::ReplyParser parser(family.reply_len);
	std::vector<bm::RegisterReply> replies;
	std::array<std::uint8_t, 64> buf;
	while (const std::size_t n = t.read(buf, 300ms))
		parser.feed(hashboard::ByteSpan(buf.data(), n), [&](const bm::ChipFrame &f) {
			if (const auto *r = std::get_if<bm::RegisterReply>(&f))
				replies.push_back(*r);
		});
	return replies;
}

} // namespace hbtest
