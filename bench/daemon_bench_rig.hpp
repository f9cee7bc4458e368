// SPDX-License-Identifier: MIT
//
// Shared by bench_daemon_clean_job and bench_daemon_share_latency: hashboardd (the Daemon,
// as main() builds it) mining the built-in simulated board in real time against an
// in-process test pool on loopback, with two taps:
//  - the pool lines, through DaemonHooks::pool_lines (stratum's LineTap): a received
//    line as the daemon's socket read hands it over, before the Session parses it; a
//    sent line once the socket has taken all of it;
//  - each chain's transport, wrapped: the job frames the host writes (decoded, so a job's
//    ntime is known) with the time their last bit leaves the host's UART, and the nonce
//    replies it reads with the time the read returned them.
// Every time is std::chrono::steady_clock's.
#pragma once

#include <board_setup.hpp>
#include <daemon.hpp>
#include <log.hpp>

#include <hbpool/test_pool.hpp>

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/board/sim_board.hpp>
#include <hashboard/transport.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace daemon_bench {

namespace stratum = hashboardd::stratum;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

inline double ms(Clock::duration d)
{
	return std::chrono::duration<double, std::milli>(d).count();
}

// p-th percentile (0..100) by nearest rank; v is sorted in place.
inline double percentile(std::vector<double> &v, double p)
{
	if (v.empty())
		return 0;
	std::sort(v.begin(), v.end());
	const auto rank = std::size_t(std::max(0.0, p / 100.0 * double(v.size()) - 1e-9));
	return v[std::min(rank, v.size() - 1)];
}

// One job frame on a chain's wire.
struct JobFrame {
	unsigned chain;
	std::uint32_t ntime;
	Clock::time_point written; // write() called
	Clock::time_point on_wire; // its last bit out of the host's UART
	Clock::duration wire_time; // bytes x 10 bits / baud
};

// What the taps saw; every member under mu.
struct Taps {
	std::mutex mu;
	std::vector<JobFrame> jobs;
	// Nonce replies read, by nonce value: when the read returned the frame's last byte.
	std::map<std::uint32_t, Clock::time_point> nonces;
};

// A chain transport that records the job frames written and the nonce replies read. The
// host UART is modelled at the link's baud: a frame's bits leave once the bytes written
// before it have (the in-process simulator's chips receive them on the same schedule).
class TappedTransport final : public hashboard::Transport {
public:
	TappedTransport(std::unique_ptr<hashboard::Transport> inner, unsigned chain, Taps &taps)
	    : inner_(std::move(inner)), chain_(chain), taps_(taps), replies_(11)
	{
	}
	void write(hashboard::ByteSpan data) override
	{
		const auto now = Clock::now();
		const auto wire = std::chrono::duration_cast<Clock::duration>(
		    std::chrono::duration<double>(double(data.size()) * 10.0 / double(baud())));
		const auto start = std::max(now, line_free_);
		line_free_ = start + wire;
		inner_->write(data);
		hosts_.feed(data, [&](const hashboard::bm13xx::HostFrame &f) {
			if (const auto *job = std::get_if<hashboard::bm13xx::HeaderJob>(&f)) {
				std::lock_guard lock(taps_.mu);
				taps_.jobs.push_back({chain_, job->ntime, now, line_free_, wire});
			}
		});
	}
	std::size_t read(std::span<std::uint8_t> buf, hashboard::Duration timeout) override
	{
		const std::size_t n = inner_->read(buf, timeout);
		if (n == 0)
			return 0;
		const auto now = Clock::now();
		replies_.feed(buf.first(n), [&](const hashboard::bm13xx::ChipFrame &f) {
			if (const auto *r = std::get_if<hashboard::bm13xx::NonceReply>(&f)) {
				std::lock_guard lock(taps_.mu);
				taps_.nonces.try_emplace(r->nonce, now);
			}
		});
		return n;
	}
	void set_baud(std::uint32_t baud) override
	{
		inner_->set_baud(baud);
		replies_.reset();
	}
	std::uint32_t baud() const override { return inner_->baud(); }
	void flush_input() override
	{
		inner_->flush_input();
		replies_.reset();
	}
	bool has_reset() const override { return inner_->has_reset(); }
	void set_reset(bool asserted) override { inner_->set_reset(asserted); }
	std::string describe() const override { return inner_->describe(); }

private:
	std::unique_ptr<hashboard::Transport> inner_;
	unsigned chain_;
	Taps &taps_;
	hashboard::bm13xx::HostParser hosts_;
	hashboard::bm13xx::ReplyParser replies_;
	Clock::time_point line_free_{};
};

// The simulator's twins, each chain's link tapped.
class TappedDevices final : public hashboard::DeviceFactory {
public:
	TappedDevices(const hashboard::BoardConfig &config, const hashboard::Clock &clock,
	              Taps &taps)
	    : twins_(config, clock), taps_(taps)
	{
	}
	hashboard::ChainLink open_chain(const hashboard::ChainSpec &spec,
	                                hashboard::Clock &clock) override
	{
		hashboard::ChainLink link = twins_.open_chain(spec, clock);
		link.transport =
		    std::make_unique<TappedTransport>(std::move(link.transport), spec.id, taps_);
		return link;
	}
	std::shared_ptr<hashboard::Regulator>
	make_regulator(const hashboard::RegulatorSpec &spec) override
	{
		return twins_.make_regulator(spec);
	}
	std::shared_ptr<hashboard::TemperatureSensor>
	make_sensor(const hashboard::SensorSpec &spec) override
	{
		return twins_.make_sensor(spec);
	}
	std::shared_ptr<hashboard::Fan> make_fan(const hashboard::FanSpec &spec) override
	{
		return twins_.make_fan(spec);
	}
	std::shared_ptr<hashboard::GpioLine> make_gpio(const hashboard::GpioSpec &spec) override
	{
		return twins_.make_gpio(spec);
	}
	void update(hashboard::Duration now) override { twins_.update(now); }

private:
	hashboard::SimDeviceFactory twins_;
	Taps &taps_;
};

// A mining.notify's ntime and clean flag, or nullopt for any other line.
struct Notify {
	std::uint32_t ntime;
	bool clean;
};
inline std::optional<Notify> parse_notify(std::string_view line)
{
	if (line.find("mining.notify") == std::string_view::npos)
		return std::nullopt;
	boost::system::error_code ec;
	const boost::json::value v = boost::json::parse(line, ec);
	if (ec || !v.is_object())
		return std::nullopt;
	const auto *params = v.as_object().if_contains("params");
	if (!params || !params->is_array() || params->as_array().size() < 9)
		return std::nullopt;
	const auto &p = params->as_array();
	return Notify{std::uint32_t(std::stoul(std::string(p[7].as_string()), nullptr, 16)),
	              p[8].is_bool() && p[8].as_bool()};
}

// A mining.submit's nonce, or nullopt for any other line.
inline std::optional<std::uint32_t> parse_submit_nonce(std::string_view line)
{
	if (line.find("mining.submit") == std::string_view::npos)
		return std::nullopt;
	boost::system::error_code ec;
	const boost::json::value v = boost::json::parse(line, ec);
	if (ec || !v.is_object())
		return std::nullopt;
	const auto *params = v.as_object().if_contains("params");
	if (!params || !params->is_array() || params->as_array().size() < 5)
		return std::nullopt;
	return std::uint32_t(
	    std::stoul(std::string(params->as_array()[4].as_string()), nullptr, 16));
}

// The test pool on its own thread, the daemon on the built-in board on another.
class Rig {
public:
	// tap sees every pool line (DaemonHooks::pool_lines) on the daemon's I/O thread.
	using Tap = std::function<void(Taps &, stratum::LineDirection, std::string_view)>;
	Rig(double difficulty, Tap tap)
	{
		hbpool::TestPoolOptions o;
		o.notifies =
		    hbpool::read_notify_file(HB_SOURCE_DIR "/tests/vectors/stratum_example_b.json");
		o.difficulty = difficulty;
		pool_ = std::make_unique<hbpool::TestPool>(pool_io_, o);
		pool_thread_ = std::jthread([this](std::stop_token stop) {
			while (!stop.stop_requested()) {
				pool_io_.run_for(20ms);
				if (pool_io_.stopped())
					pool_io_.restart();
			}
		});
		hashboardd::DaemonConfig c;
		hashboardd::PoolConfig pc;
		pc.url = pool_->url();
		pc.user = "bench.worker";
		c.pools.push_back(pc);
		c.api.enabled = false;
		c.metrics.enabled = false;
		const hashboard::BoardConfig board = hashboardd::board_config(std::nullopt);
		rig_.clock = std::make_unique<hashboard::SteadyClock>();
		rig_.devices = std::make_shared<TappedDevices>(board, *rig_.clock, taps_);
		rig_.board = std::make_unique<hashboard::Board>(board, *rig_.clock, rig_.devices);
		rig_.simulated = true;
		baud_ = board.chains.front().baud;
		chains_ = unsigned(board.chains.size());
		hashboardd::DaemonHooks hooks;
		hooks.pool_lines = [this, tap = std::move(tap)](stratum::LineDirection dir,
		                                                std::string_view line) {
			tap(taps_, dir, line);
		};
		daemon_ = std::make_unique<hashboardd::Daemon>(c, rig_, log_, hooks);
		daemon_thread_ = std::jthread([this] { daemon_->run(); });
	}
	~Rig()
	{
		daemon_->stop();
		daemon_thread_.join();
		daemon_.reset();
		pool_thread_.request_stop();
		pool_thread_.join();
		std::fclose(log_file_);
	}
	Rig(const Rig &) = delete;
	Rig &operator=(const Rig &) = delete;

	Taps &taps() { return taps_; }
	unsigned chains() const { return chains_; }
	std::uint32_t baud() const { return baud_; }

	// Runs fn on the pool's thread and waits for it.
	template <typename Fn> auto on_pool(Fn fn)
	{
		std::packaged_task<decltype(fn(std::declval<hbpool::TestPool &>()))()> task(
		    [&] { return fn(*pool_); });
		auto f = task.get_future();
		boost::asio::post(pool_io_, [&] { task(); });
		return f.get();
	}

	static bool wait_until(const std::function<bool()> &done, Clock::duration limit)
	{
		const auto end = Clock::now() + limit;
		while (!done()) {
			if (Clock::now() > end)
				return false;
			std::this_thread::sleep_for(1ms);
		}
		return true;
	}

private:
	boost::asio::io_context pool_io_;
	std::unique_ptr<hbpool::TestPool> pool_;
	std::jthread pool_thread_;
	std::FILE *log_file_ = std::tmpfile();
	hashboardd::Log log_{hashboardd::LogLevel::warning, hashboardd::LogStyle::journal,
	                     log_file_};
	Taps taps_;
	hashboardd::BoardRig rig_;
	std::unique_ptr<hashboardd::Daemon> daemon_;
	std::jthread daemon_thread_;
	std::uint32_t baud_ = 0;
	unsigned chains_ = 0;
};

} // namespace daemon_bench
