// SPDX-License-Identifier: MIT
//
// A Stratum V1 pool for tests, on the caller's io_context (loopback only). It serves
// jobs made from real mining.notify data (each new job varies the template's ntime and
// job id), answers configure/subscribe/authorize/suggest_difficulty/
// extranonce.subscribe, resumes a session by its id, and validates every submit the way
// a pool does: rebuild the header from the job, the session's extranonce1 and the
// submitted fields, check the version bits against the mask and the hash against the
// difficulty the job was sent with. Errors carry the usual codes (20 other, 21 job not
// found/stale, 22 duplicate, 23 low difficulty, 24 unauthorized, 25 not subscribed).
// Faults on cue: drop every connection, fall silent, stop listening.
#pragma once

#include <hashboard/job_builder.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hbpool {

struct TestPoolOptions {
	std::uint16_t port = 0; // 0: any free port on 127.0.0.1 (port() tells)
	std::string address = "127.0.0.1";
	double difficulty = 1;
	std::uint32_t version_mask = 0x1fffe000;
	std::size_t extranonce2_size = 4;
	std::vector<hashboard::StratumNotify> notifies; // job templates, used in turn
	// TLS when both are set (PEM files).
	std::optional<std::string> cert_file;
	std::optional<std::string> key_file;
};

struct WorkerCounts {
	std::uint64_t accepted = 0;
	std::uint64_t rejected = 0; // every refusal, duplicates and stale included
	std::uint64_t duplicates = 0;
	std::uint64_t stale = 0;
	std::uint64_t low_difficulty = 0;
	std::uint64_t other = 0; // bad fields, version bits outside the mask, ...
};

class TestPool {
public:
	TestPool(boost::asio::io_context &io, TestPoolOptions options);
	~TestPool();
	TestPool(const TestPool &) = delete;
	TestPool &operator=(const TestPool &) = delete;

	std::uint16_t port() const { return port_; }
	std::string url() const;

	// A new job to every subscribed connection (clean: the earlier ones are stale).
	void new_job(bool clean);
	void set_difficulty(double difficulty); // sent now, applies to jobs after it
	// Closes every connection (the listener stays up).
	void drop_all();
	// client.reconnect [host, port, wait_s] to every connection.
	void send_reconnect(const std::string &host, std::uint16_t port, unsigned wait_s);
	// Silent: reads but answers nothing and sends no job (a hung pool).
	void set_silent(bool silent);
	// Not listening: new connections are refused (a pool that is down).
	void set_listening(bool listening);

	WorkerCounts counts(const std::string &worker) const;
	WorkerCounts totals() const;
	std::size_t connections() const;
	std::uint64_t subscribes() const { return subscribes_; }
	std::uint64_t resumes() const { return resumes_; }
	std::string current_job_id() const;

	struct Conn; // one client connection (test_pool.cpp)
private:
	friend struct Conn;
	struct JobEntry {
		hashboard::StratumNotify notify;
		bool live = true;
	};
	void accept();
	void listen();
	void send_job(Conn &c, const hashboard::StratumNotify &n);

	boost::asio::io_context &io_;
	TestPoolOptions options_;
	struct Tls;
	std::unique_ptr<Tls> tls_;
	std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
	std::uint16_t port_ = 0;
	std::vector<std::weak_ptr<Conn>> conns_;
	std::map<std::string, JobEntry> jobs_;
	std::vector<std::string> job_order_;
	std::uint64_t next_job_ = 1;
	std::uint64_t next_session_ = 1;
	std::map<std::string, std::string> sessions_; // session id -> extranonce1
	std::set<std::string> seen_;                  // submitted shares (duplicates)
	std::map<std::string, WorkerCounts> counts_;
	double difficulty_;
	bool silent_ = false;
	std::uint64_t subscribes_ = 0;
	std::uint64_t resumes_ = 0;
};

// Notify templates from a JSON file: a test vector object with "notify" (such as
// tests/vectors/stratum_example_b.json), one notify params list, or a list of them.
// Throws std::runtime_error naming the file and what is wrong.
std::vector<hashboard::StratumNotify> read_notify_file(const std::string &path);

} // namespace hbpool
