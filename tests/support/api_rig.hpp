// SPDX-License-Identifier: MIT
//
// For the API tests (test_api_*.cpp, which link hbtest-api): a FakeControl that holds a
// multi-chain DaemonStatus and records what privileged commands asked of it, the
// servers on an io_context run by a thread of the test's own, and a client that reads
// replies the way the fleet tools do.
#pragma once

#include <hashboardd/api/dispatcher.hpp>
#include <hashboardd/control.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace apitest {

using namespace std::chrono_literals;
using hashboardd::DaemonStatus;

// 3 chains x 4 BM1366 chips; chain 1's chip 2 is dead (3 of 4 found); two pools, the
// first alive and active, the second dead; two fans, one of them without a tachometer
// reading; a sensor that failed.
inline DaemonStatus sample_status()
{
	using namespace hashboardd;
	DaemonStatus s;
	s.version = "0.1.0";
	s.board_model = "rig-3x4";
	s.board_serial = "SN42";
	s.now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'100));
	s.started = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
	s.summary.elapsed_s = 100;
	s.summary.hashrate_ghs_5s = 1234.5;
	s.summary.hashrate_ghs_1m = 1200;
	s.summary.hashrate_ghs_5m = 1190;
	s.summary.hashrate_ghs_15m = 1180;
	s.summary.hashrate_ghs_avg = 1150.25;
	s.summary.hashrate_ideal_ghs = 1300;
	s.summary.accepted = 50;
	s.summary.rejected = 2;
	s.summary.stale = 1;
	s.summary.hw_errors = 3;
	s.summary.found_blocks = 0;
	s.summary.difficulty_accepted = 51200;
	s.summary.difficulty_rejected = 2048;
	s.summary.difficulty_stale = 1024;
	s.summary.best_share = 987654;
	s.summary.power_w = 42.5;
	s.summary.efficiency_j_per_th = 34.4;
	for (unsigned c = 0; c < 3; ++c) {
		ChainStatus ch;
		ch.id = c;
		ch.family = "BM1366";
		ch.state = "running";
		ch.chips_expected = 4;
		ch.chips_found = c == 1 ? 3 : 4;
		ch.hashrate_ghs_5s = 400 + c;
		ch.hashrate_ghs_avg = 390 + c;
		ch.hashrate_ideal_ghs = 430;
		ch.freq_avg_mhz = 525;
		ch.valid = 1000 + c;
		ch.hw_errors = c;
		ch.chip_temp_c = 60.0 + c;
		ch.board_temp_c = 50.0 + c;
		ch.voltage_mv = 1200;
		for (unsigned k = 0; k < 4; ++k) {
			ChipStatus chip;
			chip.position = k;
			chip.alive = !(c == 1 && k == 2);
			chip.freq_mhz = chip.alive ? 525 : 0;
			chip.hashrate_ghs = chip.alive ? 100.0 + 10 * c + k : 0;
			chip.valid = chip.alive ? 250 : 0;
			chip.hw_errors = k == 0 ? c : 0;
			chip.temperature_c = 55.0 + k;
			ch.chips.push_back(chip);
		}
		s.chains.push_back(ch);
	}
	PoolStatus p0;
	p0.index = 0;
	p0.priority = 0;
	p0.url = "stratum+tcp://pool.example:3333";
	p0.user = "worker.1";
	p0.state = PoolState::alive;
	p0.active = true;
	p0.accepted = 50;
	p0.rejected = 2;
	p0.stale = 1;
	p0.works = 12;
	p0.get_failures = 1;
	p0.remote_failures = 0;
	p0.difficulty = 1024;
	p0.difficulty_accepted = 51200;
	p0.difficulty_rejected = 2048;
	p0.last_share_difficulty = 1024;
	p0.last_share_time =
	    std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'090));
	p0.version_rolling = true;
	p0.version_mask = 0x1fffe000;
	PoolStatus p1;
	p1.index = 1;
	p1.priority = 1;
	p1.url = "stratum+tcp://backup.example:3333";
	p1.user = "worker.2";
	p1.state = PoolState::dead;
	p1.get_failures = 4;
	p1.remote_failures = 2;
	s.pools = {p0, p1};
	s.fans = {FanStatus{"fan0", 0.4, 4200.0}, FanStatus{"fan1", 0.4, std::nullopt}};
	s.sensors = {SensorStatus{"inlet", 31.5, ""}, SensorStatus{"outlet", std::nullopt, "nak"}};
	s.safety.board_state = "mining";
	s.tuning.mode = "efficiency";
	s.tuning.state = "tuned";
	s.tuning.profile_serial = "SN42";
	s.tuning.hashrate_ths = 1.25;
	s.tuning.power_w = 40;
	s.tuning.j_per_th = 32;
	return s;
}

// Implements DaemonControl over a DaemonStatus it owns: pool changes and frequencies
// show in the next status(), so a test sees a command's effect the way a client would.
class FakeControl : public hashboardd::DaemonControl {
public:
	static constexpr double kMaxMhz = 650;

	FakeControl() : status_(sample_status()) {}

	DaemonStatus status() const override
	{
		const std::lock_guard lock(mutex_);
		++status_calls;
		return status_;
	}

	unsigned add_pool(const hashboardd::NewPool &pool) override
	{
		const std::lock_guard lock(mutex_);
		if (pool.url.find("refuse") != std::string::npos)
			throw hashboardd::ControlError("pool refused by the fake");
		hashboardd::PoolStatus p;
		p.index = static_cast<unsigned>(status_.pools.size());
		p.priority = p.index;
		p.url = pool.url;
		p.user = pool.user;
		passwords.push_back(pool.password);
		status_.pools.push_back(p);
		return p.index;
	}
	void remove_pool(unsigned index) override
	{
		const std::lock_guard lock(mutex_);
		check_pool(index);
		if (status_.pools[index].active)
			throw hashboardd::ControlError("cannot remove the active pool");
		status_.pools.erase(status_.pools.begin() + index);
		for (unsigned i = 0; i < status_.pools.size(); ++i)
			status_.pools[i].index = i;
	}
	void switch_pool(unsigned index) override
	{
		const std::lock_guard lock(mutex_);
		check_pool(index);
		for (auto &p : status_.pools)
			p.active = p.index == index;
	}
	void enable_pool(unsigned index) override
	{
		const std::lock_guard lock(mutex_);
		check_pool(index);
		status_.pools[index].state = hashboardd::PoolState::connecting;
	}
	void disable_pool(unsigned index) override
	{
		const std::lock_guard lock(mutex_);
		check_pool(index);
		status_.pools[index].state = hashboardd::PoolState::disabled;
	}
	void set_chain_frequency(unsigned chain_id, double mhz) override
	{
		const std::lock_guard lock(mutex_);
		auto &c = chain(chain_id);
		check_mhz(mhz);
		c.freq_avg_mhz = mhz;
		for (auto &chip : c.chips)
			chip.freq_mhz = mhz;
	}
	void set_chip_frequency(unsigned chain_id, unsigned position, double mhz) override
	{
		const std::lock_guard lock(mutex_);
		auto &c = chain(chain_id);
		check_mhz(mhz);
		if (position >= c.chips.size())
			throw hashboardd::ControlError("no chip " + std::to_string(position));
		c.chips[position].freq_mhz = mhz;
	}
	void set_chain_voltage(unsigned chain_id, double mv) override
	{
		const std::lock_guard lock(mutex_);
		chain(chain_id).voltage_mv = mv;
	}
	// Records the goal; a fixed tune without a frequency is refused as the daemon's
	// validate_goal would.
	void tune(const std::string &mode, std::optional<double> target) override
	{
		const std::lock_guard lock(mutex_);
		if (mode == "fixed" && !target && !tune_target)
			throw hashboardd::ControlError("tuning goal: fixed mode needs a frequency");
		if (!mode.empty())
			status_.tuning.mode = mode;
		if (target)
			tune_target = target;
		status_.tuning.target = tune_target;
		status_.tuning.state = mode == "off" ? "off" : "tuning";
		++tunes;
	}
	void restart() override { ++restarts; }
	void quit() override { ++quits; }

	void edit(const std::function<void(DaemonStatus &)> &f)
	{
		const std::lock_guard lock(mutex_);
		f(status_);
	}

	mutable std::atomic<int> status_calls{0};
	std::atomic<int> restarts{0};
	std::atomic<int> tunes{0};
	std::optional<double> tune_target;
	std::atomic<int> quits{0};
	std::vector<std::string> passwords;

private:
	void check_pool(unsigned index) const
	{
		if (index >= status_.pools.size())
			throw hashboardd::ControlError("no pool " + std::to_string(index));
	}
	hashboardd::ChainStatus &chain(unsigned id)
	{
		for (auto &c : status_.chains)
			if (c.id == id)
				return c;
		throw hashboardd::ControlError("no chain " + std::to_string(id));
	}
	static void check_mhz(double mhz)
	{
		if (mhz > kMaxMhz)
			throw hashboardd::ControlError("frequency " + std::to_string(mhz) +
			                               " MHz is above the board's limit 650 MHz");
	}

	mutable std::mutex mutex_;
	DaemonStatus status_;
};

// An io_context run by one thread of the test's own until the fixture ends.
class IoThread {
public:
	IoThread() : work_(boost::asio::make_work_guard(io)), thread_([this] { io.run(); }) {}
	~IoThread()
	{
		work_.reset();
		io.stop();
		thread_.join();
	}
	IoThread(const IoThread &) = delete;
	IoThread &operator=(const IoThread &) = delete;

	boost::asio::io_context io;

private:
	boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
	std::thread thread_;
};

// A blocking TCP client socket with a deadline on every call; closes itself.
class Client {
public:
	// source: the local address to bind first (127.0.0.2 to come from another
	// loopback address); fails the test when it cannot connect.
	explicit Client(std::uint16_t port, const char *source = nullptr)
	{
		fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		BOOST_TEST_REQUIRE(fd_ >= 0);
		if (source != nullptr) {
			sockaddr_in src{};
			src.sin_family = AF_INET;
			::inet_pton(AF_INET, source, &src.sin_addr);
			BOOST_TEST_REQUIRE(
			    ::bind(fd_, reinterpret_cast<sockaddr *>(&src), sizeof src) == 0,
			    "bind " << source << ": " << std::strerror(errno));
		}
		sockaddr_in a{};
		a.sin_family = AF_INET;
		a.sin_port = htons(port);
		::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
		BOOST_TEST_REQUIRE(::connect(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0,
		                   "connect: " << std::strerror(errno));
	}
	~Client()
	{
		if (fd_ >= 0)
			::close(fd_);
	}
	Client(const Client &) = delete;
	Client &operator=(const Client &) = delete;

	// False when the peer has gone (EPIPE, reset).
	bool send(const std::string &bytes)
	{
		std::size_t off = 0;
		while (off < bytes.size()) {
			const ssize_t n =
			    ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
			if (n <= 0)
				return false;
			off += static_cast<std::size_t>(n);
		}
		return true;
	}
	void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

	struct Read {
		std::string bytes;
		bool closed = false;    // EOF (or reset) seen
		bool timed_out = false; // the deadline came first
	};
	// Reads until EOF (pyasic) or, with stop_at_nul, until the first NUL (asic-rs).
	Read read(std::chrono::milliseconds timeout, bool stop_at_nul = false)
	{
		Read r;
		const auto end = std::chrono::steady_clock::now() + timeout;
		char buf[4096];
		for (;;) {
			if (stop_at_nul && r.bytes.find('\0') != std::string::npos)
				return r;
			const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
			    end - std::chrono::steady_clock::now());
			if (left.count() <= 0) {
				r.timed_out = true;
				return r;
			}
			pollfd p{fd_, POLLIN, 0};
			if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
				continue;
			const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
			if (n <= 0) {
				r.closed = true;
				return r;
			}
			r.bytes.append(buf, static_cast<std::size_t>(n));
		}
	}

private:
	int fd_ = -1;
};

// One request, one reply read to the close, as pyasic does.
inline std::string ask(std::uint16_t port, const std::string &request, const char *source = nullptr)
{
	Client c(port, source);
	BOOST_TEST_REQUIRE(c.send(request));
	const auto r = c.read(5s);
	BOOST_TEST_REQUIRE(r.closed, "the server must close after its reply");
	return r.bytes;
}

// pyasic's reading of a reply: one trailing NUL stripped, then its repairs of known
// cgminer JSON quirks (objects back to back without a comma, a comma before a closing
// brace, a literal NaN), then JSON.
inline boost::json::object fleet_json(std::string raw)
{
	BOOST_TEST_REQUIRE(!raw.empty());
	BOOST_TEST(raw.back() == '\0', "the reply must end in one NUL");
	BOOST_TEST(raw.find('\0') == raw.size() - 1, "exactly one NUL, at the end");
	if (!raw.empty() && raw.back() == '\0')
		raw.pop_back();
	for (std::size_t p; (p = raw.find("}{")) != std::string::npos;)
		raw.replace(p, 2, "},{");
	for (std::size_t p; (p = raw.find(",}")) != std::string::npos;)
		raw.replace(p, 2, "}");
	for (std::size_t p; (p = raw.find(":nan")) != std::string::npos;)
		raw.replace(p, 4, ":0");
	boost::json::error_code ec;
	auto v = boost::json::parse(raw, ec);
	BOOST_TEST_REQUIRE(!ec, "reply is JSON: " << ec.message() << ": " << raw.substr(0, 300));
	BOOST_TEST_REQUIRE(v.is_object());
	return v.as_object();
}

// cgminer's plain text: records split at unescaped '|', fields at unescaped ',', each
// key=value; a record's name (SUMMARY, VERSION) is a field without '=' and is stored
// under the key "" .
using PlainRecord = std::map<std::string, std::string>;
inline std::vector<PlainRecord> parse_plain(std::string raw)
{
	if (!raw.empty() && raw.back() == '\0')
		raw.pop_back();
	std::vector<PlainRecord> out;
	PlainRecord rec;
	std::string key, value;
	bool in_value = false;
	const auto end_field = [&] {
		if (in_value)
			rec[key] = value;
		else if (!key.empty())
			rec[""] = key;
		key.clear();
		value.clear();
		in_value = false;
	};
	for (std::size_t i = 0; i < raw.size(); ++i) {
		char c = raw[i];
		if (c == '\\' && i + 1 < raw.size()) {
			(in_value ? value : key) += raw[++i];
			continue;
		}
		if (c == '|') {
			end_field();
			out.push_back(rec);
			rec.clear();
		} else if (c == ',') {
			end_field();
		} else if (c == '=' && !in_value) {
			in_value = true;
		} else {
			(in_value ? value : key) += c;
		}
	}
	return out;
}

// The first STATUS object of a JSON reply.
inline const boost::json::object &status_of(const boost::json::object &reply)
{
	return reply.at("STATUS").as_array().at(0).as_object();
}

inline double number(const boost::json::value &v)
{
	if (v.is_double())
		return v.as_double();
	if (v.is_int64())
		return static_cast<double>(v.as_int64());
	if (v.is_uint64())
		return static_cast<double>(v.as_uint64());
	if (v.is_string())
		return std::stod(std::string(v.as_string()));
	BOOST_FAIL("not a number: " << boost::json::serialize(v));
	return 0;
}

} // namespace apitest

namespace hashboardd {
inline std::ostream &operator<<(std::ostream &os, PoolState s)
{
	return os << static_cast<int>(s);
}
namespace api {
inline std::ostream &operator<<(std::ostream &os, AfterReply a)
{
	return os << static_cast<int>(a);
}
} // namespace api
} // namespace hashboardd
