// SPDX-License-Identifier: MIT
//
// A Stratum V1 client session, sans I/O: lines in (on_line), lines out (take_output),
// time as an argument, events through a SessionListener. PoolConnection carries it over
// a socket; tests drive it line by line in virtual time. One Session lives as long as
// its pool entry, across reconnects, so it can ask the pool to resume (subscribe with
// the previous session id) and keep its jobs when the pool does.
//
// Messages are taken in whatever order pools send them (docs/stratum.md, "Orders"):
// notify before the subscribe reply is kept until the extranonce1 is known; set_difficulty
// before anything applies to the first job; an authorize reply may come before or after
// the first notify.
#pragma once

#include <hashboardd/stratum/job.hpp>
#include <hashboardd/stratum/json_rpc.hpp>

#include <hashboard/bytes.hpp>
#include <hashboard/clock.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashboardd::stratum {

using hashboard::Duration;

struct SessionConfig {
	std::string user; // worker name, sent with every submit
	std::string password = "x";
	std::string user_agent = "hashboard/0.1";
	// BIP 310 version rolling: the mask we ask for (the pool answers with the part it
	// allows) and the fewest bits we can work with. 0 = do not ask.
	std::uint32_t version_mask = 0x1fffe000;
	unsigned version_min_bits = 2;
	// mining.configure "minimum-difficulty" extension; nullopt = do not ask.
	std::optional<double> minimum_difficulty;
	// mining.suggest_difficulty, sent once the pool has authorized us.
	std::optional<double> suggest_difficulty;
	bool extranonce_subscribe = true;
	// Dead-pool rules (health()): no notify for this long after the last one (or after
	// the handshake began), or a submit unanswered for this long.
	Duration notify_timeout = std::chrono::seconds(120);
	Duration submit_timeout = std::chrono::seconds(60);
	Duration handshake_timeout = std::chrono::seconds(30);
	// Jobs kept live at once (older ones are dropped as pools forget them too).
	std::size_t max_jobs = 16;
};

enum class SessionState { idle, handshake, ready, failed };

struct SubmitResult {
	std::uint64_t id = 0;
	bool accepted = false;
	int code = 0;       // the pool's error code (0 when accepted)
	std::string reason; // the pool's message or reject-reason
};

struct ReconnectRequest {
	std::string host; // empty: the same host
	std::optional<std::uint16_t> port;
	Duration wait{0};
};

class SessionListener {
public:
	virtual ~SessionListener() = default;
	// A new job, or a live job rebuilt with a new version mask (same id, same serial).
	// clean: every earlier job is gone (clean_jobs, a new epoch).
	virtual void on_job(const JobPtr & /*job*/, bool /*clean*/) {}
	virtual void on_difficulty(double /*difficulty*/) {}
	virtual void on_version_mask(std::uint32_t /*mask*/) {}
	virtual void on_submit_result(const SubmitResult & /*result*/) {}
	virtual void on_reconnect(const ReconnectRequest & /*request*/) {}
	virtual void on_message(std::string_view /*text*/) {}
	// Subscribed and authorized: shares may be sent.
	virtual void on_ready() {}
	// The pool refused subscribe or authorize: this session cannot mine.
	virtual void on_failed(std::string_view /*reason*/) {}
};

class Session {
public:
	explicit Session(SessionConfig config, SessionListener *listener = nullptr);

	void set_listener(SessionListener *listener) { listener_ = listener; }
	const SessionConfig &config() const { return config_; }

	// A new connection is up: queues configure, subscribe (resuming the previous session
	// id when there is one) and authorize.
	void start(Duration now);
	// The connection is gone: the ids of submits that were never answered (the caller
	// decides about those shares). Jobs are kept until the next subscribe tells whether
	// the pool resumed the session.
	std::vector<std::uint64_t> connection_lost();

	// One received line. A line that is not Stratum is counted and refused with the
	// reason; the session stays usable (pools do send the odd bad line).
	struct LineResult {
		bool ok = true;
		std::string error;
	};
	LineResult on_line(std::string_view line, Duration now);
	// Lines to send, in order, each "\n" terminated.
	std::vector<std::string> take_output();

	// mining.submit for nonce found on job with extranonce2 and the version the chip
	// hashed; returns the request id. Throws std::logic_error before ready, and
	// std::invalid_argument when the job is not live or the version leaves the mask.
	std::uint64_t submit(const Job &job, hashboard::ByteSpan extranonce2, std::uint32_t nonce,
	                     std::uint32_t rolled_version, Duration now);

	// nullopt while healthy; otherwise why the pool counts as dead (silent, submits
	// unanswered, handshake stuck, refused).
	std::optional<std::string> health(Duration now) const;

	SessionState state() const { return state_; }
	bool ready() const { return state_ == SessionState::ready; }
	bool subscribed() const { return subscribed_; }
	bool authorized() const { return authorized_; }
	bool resumed() const { return resumed_; }
	const std::string &session_id() const { return session_id_; }
	const std::string &extranonce1() const { return extranonce1_; }
	std::size_t extranonce2_size() const { return extranonce2_size_; }
	double difficulty() const { return difficulty_; }
	std::uint32_t version_mask() const { return version_mask_; }
	std::uint64_t epoch() const { return epoch_; }
	// The newest live job, and a live job by id (nullptr when it is gone: stale).
	JobPtr current_job() const;
	JobPtr live_job(std::string_view job_id) const;
	bool is_live(const Job &job) const;
	std::size_t live_jobs() const { return jobs_.size(); }
	std::size_t in_flight() const { return submits_.size(); }

	// Counters for PoolStatus.
	std::uint64_t notifies() const { return notifies_; }
	std::uint64_t discarded() const { return discarded_; }
	std::uint64_t bad_lines() const { return bad_lines_; }
	const std::string &failure() const { return failure_; }

private:
	enum class Call { configure, subscribe, authorize, suggest, extranonce, submit };

	std::uint64_t send(Call call, std::string_view method, const boost::json::array &params);
	void on_request(const Request &r, Duration now);
	void on_notification(const Notification &n, Duration now);
	void on_response(const Response &r, Duration now);
	void handle_configure(const Response &r);
	void handle_subscribe(const Response &r);
	void handle_authorize(const Response &r);
	void handle_submit(std::uint64_t id, const Response &r);
	void handle_notify(const boost::json::array &params, Duration now);
	void handle_set_difficulty(const boost::json::array &params);
	void handle_set_extranonce(const boost::json::array &params);
	void handle_set_version_mask(const boost::json::array &params);
	void handle_reconnect(const boost::json::array &params);
	void add_job(const hashboard::StratumNotify &notify);
	void set_mask(std::uint32_t mask);
	void become_ready();
	void fail(std::string reason);

	SessionConfig config_;
	SessionListener *listener_;
	SessionState state_ = SessionState::idle;
	std::deque<std::string> out_;
	std::uint64_t next_id_ = 1;
	std::map<std::uint64_t, Call> pending_;
	std::map<std::uint64_t, Duration> submits_; // id -> when sent
	bool subscribed_ = false;
	bool authorized_ = false;
	bool resumed_ = false;
	bool configure_answered_ = false;
	std::string session_id_;
	std::string extranonce1_;
	std::size_t extranonce2_size_ = 0;
	double difficulty_ = 1; // Stratum's default until set_difficulty
	std::uint32_t version_mask_ = 0;
	std::uint64_t epoch_ = 0;
	std::uint64_t next_serial_ = 1;
	std::deque<JobPtr> jobs_;                              // oldest first
	std::vector<hashboard::StratumNotify> early_notifies_; // before the subscribe reply
	Duration started_{0};
	Duration last_notify_{0};
	std::uint64_t notifies_ = 0;
	std::uint64_t discarded_ = 0;
	std::uint64_t bad_lines_ = 0;
	std::string failure_;
};

// mining.notify params -> StratumNotify; throws std::invalid_argument naming the field.
hashboard::StratumNotify notify_from_params(const boost::json::array &params);
boost::json::array params_from_notify(const hashboard::StratumNotify &notify);

} // namespace hashboardd::stratum
