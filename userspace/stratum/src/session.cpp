// SPDX-License-Identifier: MIT
#include <hashboardd/stratum/session.hpp>

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace hashboardd::stratum {
namespace json = boost::json;
using hashboard::StratumNotify;

namespace {

// Early notifies (before the subscribe reply) kept at most: only the newest matter.
constexpr std::size_t kMaxEarlyNotifies = 4;

std::string text_param(const json::array &p, std::size_t i, const char *what)
{
	if (i >= p.size() || !p[i].is_string())
		throw std::invalid_argument(
		    fmt::format("{}: parameter {} is not a string", what, i));
	return std::string(p[i].as_string());
}

std::optional<double> number_of(const json::value &v)
{
	if (v.is_double())
		return v.as_double();
	if (v.is_int64())
		return double(v.as_int64());
	if (v.is_uint64())
		return double(v.as_uint64());
	return std::nullopt;
}

std::optional<std::uint64_t> id_of(const json::value &v)
{
	if (v.is_uint64())
		return v.as_uint64();
	if (v.is_int64() && v.as_int64() >= 0)
		return std::uint64_t(v.as_int64());
	if (v.is_string()) {
		const auto &s = v.as_string();
		if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != s.npos)
			return std::nullopt;
		return std::stoull(std::string(s));
	}
	return std::nullopt;
}

std::uint32_t mask_from_hex(const std::string &hex, const char *what)
{
	const auto v = hashboard::parse_hex_number(hashboard::without_hex_prefix(hex), 8);
	if (!v)
		throw std::invalid_argument(
		    fmt::format("{}: '{}' is not a 32-bit hex mask", what, hex));
	return std::uint32_t(*v);
}

// An extranonce1 from subscribe or set_extranonce: bare hex bytes, up to 32 of them.
void check_extranonce(const std::string &en1, const json::value &size, const char *what,
                      std::size_t &size_out)
{
	if (en1.size() % 2 || en1.size() > 64)
		throw std::invalid_argument(
		    fmt::format("{}: extranonce1 '{}' is not 0..32 hex bytes", what, en1));
	for (char c : en1)
		if (hashboard::hex_digit_value(c) < 0)
			throw std::invalid_argument(
			    fmt::format("{}: extranonce1 '{}' is not hex", what, en1));
	const auto n = number_of(size);
	if (!n || *n != std::floor(*n) || *n < 1 || *n > 32)
		throw std::invalid_argument(fmt::format(
		    "{}: extranonce2 size {} is not 1..32 bytes", what, json::serialize(size)));
	size_out = std::size_t(*n);
}

} // namespace

StratumNotify notify_from_params(const json::array &p)
{
	if (p.size() < 9)
		throw std::invalid_argument(
		    fmt::format("mining.notify: {} parameters, expected 9", p.size()));
	StratumNotify n;
	n.job_id = text_param(p, 0, "mining.notify job_id");
	n.prev_hash = text_param(p, 1, "mining.notify prevhash");
	n.coinb1 = text_param(p, 2, "mining.notify coinb1");
	n.coinb2 = text_param(p, 3, "mining.notify coinb2");
	if (!p[4].is_array())
		throw std::invalid_argument("mining.notify merkle_branch: not a list");
	for (const auto &b : p[4].as_array()) {
		if (!b.is_string())
			throw std::invalid_argument(
			    "mining.notify merkle_branch: an entry is not a string");
		n.merkle_branch.emplace_back(b.as_string());
	}
	n.version = text_param(p, 5, "mining.notify version");
	n.nbits = text_param(p, 6, "mining.notify nbits");
	n.ntime = text_param(p, 7, "mining.notify ntime");
	if (!p[8].is_bool())
		throw std::invalid_argument("mining.notify clean_jobs: not true/false");
	n.clean_jobs = p[8].as_bool();
	return n;
}

json::array params_from_notify(const StratumNotify &n)
{
	json::array branches;
	for (const auto &b : n.merkle_branch)
		branches.emplace_back(b);
	return json::array{n.job_id,  n.prev_hash, n.coinb1, n.coinb2,    branches,
	                   n.version, n.nbits,     n.ntime,  n.clean_jobs};
}

Session::Session(SessionConfig config, SessionListener *listener)
    : config_(std::move(config)), listener_(listener)
{
}

std::uint64_t Session::send(Call call, std::string_view method, const json::array &params)
{
	const std::uint64_t id = next_id_++;
	pending_[id] = call;
	out_.push_back(encode_request(id, method, params));
	return id;
}

void Session::start(Duration now)
{
	out_.clear();
	pending_.clear();
	submits_.clear();
	early_notifies_.clear();
	subscribed_ = authorized_ = resumed_ = configure_answered_ = false;
	failure_.clear();
	state_ = SessionState::handshake;
	started_ = now;
	last_notify_ = now;
	// BIP 310: configure comes first so the mask is known before the first job.
	json::array extensions;
	json::object options;
	if (config_.version_mask) {
		extensions.emplace_back("version-rolling");
		options["version-rolling.mask"] = fmt::format("{:08x}", config_.version_mask);
		options["version-rolling.min-bit-count"] = config_.version_min_bits;
	}
	if (config_.minimum_difficulty) {
		extensions.emplace_back("minimum-difficulty");
		options["minimum-difficulty.value"] = *config_.minimum_difficulty;
	}
	if (!extensions.empty())
		send(Call::configure, "mining.configure", json::array{extensions, options});
	else
		configure_answered_ = true;
	json::array sub{config_.user_agent};
	if (!session_id_.empty())
		sub.emplace_back(session_id_);
	send(Call::subscribe, "mining.subscribe", sub);
	// Pipelined: pools answer in order, and waiting a round trip gains nothing.
	send(Call::authorize, "mining.authorize", json::array{config_.user, config_.password});
}

std::vector<std::uint64_t> Session::connection_lost()
{
	std::vector<std::uint64_t> unanswered;
	for (const auto &[id, when] : submits_)
		unanswered.push_back(id);
	submits_.clear();
	pending_.clear();
	out_.clear();
	early_notifies_.clear();
	subscribed_ = authorized_ = false;
	if (state_ != SessionState::failed)
		state_ = SessionState::idle;
	return unanswered;
}

std::vector<std::string> Session::take_output()
{
	std::vector<std::string> lines(std::make_move_iterator(out_.begin()),
	                               std::make_move_iterator(out_.end()));
	out_.clear();
	return lines;
}

Session::LineResult Session::on_line(std::string_view line, Duration now)
{
	Decoded d = decode_line(line);
	if (!d.message) {
		++bad_lines_;
		return {false, d.error};
	}
	try {
		if (const auto *req = std::get_if<Request>(&*d.message))
			on_request(*req, now);
		else if (const auto *n = std::get_if<Notification>(&*d.message))
			on_notification(*n, now);
		else
			on_response(std::get<Response>(*d.message), now);
	} catch (const std::exception &e) {
		// invalid_argument from the field checks; anything else a handler lets through
		// is still one bad line, never an exception out of the read loop.
		++bad_lines_;
		return {false, e.what()};
	}
	return {};
}

void Session::on_request(const Request &r, Duration now)
{
	if (r.method == "client.get_version") {
		out_.push_back(encode_response(r.id, json::value(config_.user_agent), nullptr));
		return;
	}
	// Some pools send these with an id; they are the same messages.
	if (r.method == "client.reconnect" || r.method == "client.show_message" ||
	    r.method == "mining.set_difficulty" || r.method == "mining.notify" ||
	    r.method == "mining.set_extranonce" || r.method == "mining.set_version_mask") {
		out_.push_back(encode_response(r.id, true, nullptr));
		on_notification(Notification{r.method, r.params}, now);
		return;
	}
	out_.push_back(
	    encode_response(r.id, nullptr, make_error(20, "unknown method " + r.method)));
	throw std::invalid_argument("pool called unknown method " + r.method);
}

void Session::on_notification(const Notification &n, Duration now)
{
	const auto &p = n.params;
	if (n.method == "mining.notify")
		handle_notify(p, now);
	else if (n.method == "mining.set_difficulty")
		handle_set_difficulty(p);
	else if (n.method == "mining.set_extranonce")
		handle_set_extranonce(p);
	else if (n.method == "mining.set_version_mask")
		handle_set_version_mask(p);
	else if (n.method == "client.reconnect")
		handle_reconnect(p);
	else if (n.method == "client.show_message") {
		if (listener_)
			listener_->on_message(text_param(p, 0, "client.show_message"));
	} else
		throw std::invalid_argument("unknown notification " + n.method);
}

void Session::on_response(const Response &r, Duration now)
{
	const auto id = id_of(r.id);
	if (!id)
		throw std::invalid_argument("response id " + json::serialize(r.id) +
		                            " is not ours");
	const auto it = pending_.find(*id);
	if (it == pending_.end())
		throw std::invalid_argument("response to id " + std::to_string(*id) +
		                            " that we did not send (or already answered)");
	const Call call = it->second;
	pending_.erase(it);
	switch (call) {
	case Call::configure:
		handle_configure(r);
		break;
	case Call::subscribe:
		handle_subscribe(r);
		break;
	case Call::authorize:
		handle_authorize(r);
		break;
	case Call::submit:
		handle_submit(*id, r);
		break;
	case Call::suggest:
	case Call::extranonce:
		// Optional extensions: a pool that does not know them says so, and that is fine.
		break;
	}
	(void)now;
}

void Session::handle_configure(const Response &r)
{
	configure_answered_ = true;
	std::uint32_t mask = 0;
	if (r.error.is_null() && r.result.is_object()) {
		const auto &o = r.result.as_object();
		const auto *on = o.if_contains("version-rolling");
		const auto *m = o.if_contains("version-rolling.mask");
		if (on && on->is_bool() && on->as_bool() && m && m->is_string())
			// The pool's answer is its mask AND ours; AND again in case it is not.
			mask = mask_from_hex(std::string(m->as_string()), "mining.configure") &
			       config_.version_mask;
	}
	set_mask(mask);
}

void Session::handle_subscribe(const Response &r)
{
	if (const auto e = rpc_error(r.error)) {
		fail(fmt::format("mining.subscribe refused: {} ({})", e->message, e->code));
		return;
	}
	if (!r.result.is_array() || r.result.as_array().size() < 3) {
		fail("mining.subscribe: the result is not [subscriptions, extranonce1, size]");
		return;
	}
	const auto &res = r.result.as_array();
	if (!res[1].is_string()) {
		fail("mining.subscribe: extranonce1 is not a string");
		return;
	}
	const std::string en1(res[1].as_string());
	std::size_t en2_size = 0;
	try {
		check_extranonce(en1, res[2], "mining.subscribe", en2_size);
	} catch (const std::invalid_argument &e) {
		fail(e.what());
		return;
	}
	// The session id is the mining.notify subscription's id (the one pools resume by);
	// a pool that lists none gets no resume.
	std::string sid;
	auto scan = [&sid](const json::value &entry) {
		if (entry.is_array() && entry.as_array().size() >= 2 &&
		    entry.as_array()[0].is_string() &&
		    entry.as_array()[0].as_string() == "mining.notify" &&
		    entry.as_array()[1].is_string())
			sid = std::string(entry.as_array()[1].as_string());
	};
	if (res[0].is_array()) {
		scan(res[0]);
		for (const auto &e : res[0].as_array())
			scan(e);
	}
	resumed_ = !session_id_.empty() && sid == session_id_ && en1 == extranonce1_ &&
	           en2_size == extranonce2_size_;
	session_id_ = sid;
	extranonce1_ = en1;
	extranonce2_size_ = en2_size;
	subscribed_ = true;
	if (!resumed_) {
		// A new pool session: every job (and so every share) of the last one is stale.
		++epoch_;
		discarded_ += jobs_.size();
		jobs_.clear();
	}
	auto early = std::move(early_notifies_);
	early_notifies_.clear();
	for (const auto &n : early)
		add_job(n);
	become_ready();
}

void Session::handle_authorize(const Response &r)
{
	const auto e = rpc_error(r.error);
	if (e || !r.result.is_bool() || !r.result.as_bool()) {
		fail(e ? fmt::format("mining.authorize refused for '{}': {} ({})", config_.user,
		                     e->message, e->code)
		       : fmt::format("mining.authorize refused for '{}'", config_.user));
		return;
	}
	authorized_ = true;
	// After the authorize reply: some pools ignore a suggestion from a worker they do not
	// know yet.
	if (config_.suggest_difficulty)
		send(Call::suggest, "mining.suggest_difficulty",
		     json::array{*config_.suggest_difficulty});
	if (config_.extranonce_subscribe)
		send(Call::extranonce, "mining.extranonce.subscribe", json::array{});
	become_ready();
}

void Session::handle_submit(std::uint64_t id, const Response &r)
{
	submits_.erase(id);
	SubmitResult res;
	res.id = id;
	const auto e = rpc_error(r.error);
	res.accepted = !e && r.result.is_bool() && r.result.as_bool();
	if (!res.accepted) {
		res.code = e ? e->code : 20;
		res.reason =
		    e ? e->message : (r.reject_reason.empty() ? "rejected" : r.reject_reason);
		// reject-reason is free text; the common words map to the usual codes.
		std::string lower = r.reject_reason;
		for (auto &ch : lower)
			ch = char(std::tolower(static_cast<unsigned char>(ch)));
		if (!e && lower.find("stale") != std::string::npos)
			res.code = 21;
		else if (!e && lower.find("duplicate") != std::string::npos)
			res.code = 22;
		else if (!e && lower.find("low difficulty") != std::string::npos)
			res.code = 23;
	}
	if (listener_)
		listener_->on_submit_result(res);
}

void Session::handle_notify(const json::array &params, Duration now)
{
	StratumNotify n = notify_from_params(params);
	if (!subscribed_) {
		if (n.clean_jobs)
			early_notifies_.clear();
		if (early_notifies_.size() == kMaxEarlyNotifies)
			early_notifies_.erase(early_notifies_.begin());
		early_notifies_.push_back(std::move(n));
	} else {
		add_job(n); // throws on a bad field: then it is neither a job nor a sign of life
	}
	++notifies_;
	last_notify_ = now;
}

namespace {

bool same_work(const StratumNotify &a, const StratumNotify &b)
{
	return a.job_id == b.job_id && a.prev_hash == b.prev_hash && a.coinb1 == b.coinb1 &&
	       a.coinb2 == b.coinb2 && a.merkle_branch == b.merkle_branch &&
	       a.version == b.version && a.nbits == b.nbits && a.ntime == b.ntime;
}

} // namespace

void Session::add_job(const StratumNotify &notify)
{
	// A pool that resumed our session sends its current job again: the same job, not a new
	// one, so the shares already found on it stay live (and are not found twice).
	for (const auto &j : jobs_)
		if (same_work(j->notify, notify) && j->extranonce1 == extranonce1_ &&
		    j->builder.extranonce2_size() == extranonce2_size_) {
			const JobPtr keep = j;
			if (notify.clean_jobs && jobs_.size() > 1) {
				discarded_ += jobs_.size() - 1;
				jobs_.assign(1, keep);
			}
			return;
		}
	auto job = std::make_shared<Job>(Job{
	    notify, hashboard::JobBuilder(notify, extranonce1_, extranonce2_size_, version_mask_),
	    difficulty_, hashboard::target_from_difficulty(difficulty_), next_serial_++, epoch_,
	    extranonce1_});
	// A new previous block makes every older job stale even without clean_jobs.
	const bool clean = notify.clean_jobs ||
	                   (!jobs_.empty() && jobs_.back()->notify.prev_hash != notify.prev_hash);
	if (clean) {
		discarded_ += jobs_.size();
		jobs_.clear();
	}
	// A job id sent again replaces the old one.
	for (auto it = jobs_.begin(); it != jobs_.end(); ++it)
		if ((*it)->notify.job_id == notify.job_id) {
			jobs_.erase(it);
			break;
		}
	jobs_.push_back(job);
	while (jobs_.size() > config_.max_jobs)
		jobs_.pop_front();
	if (listener_)
		listener_->on_job(job, clean);
}

void Session::handle_set_difficulty(const json::array &params)
{
	const auto d = params.empty() ? std::nullopt : number_of(params[0]);
	if (!d || !std::isfinite(*d) || *d <= 0)
		throw std::invalid_argument("mining.set_difficulty: not a positive number");
	difficulty_ = *d;
	if (listener_)
		listener_->on_difficulty(difficulty_);
}

void Session::handle_set_extranonce(const json::array &params)
{
	const std::string en1 = text_param(params, 0, "mining.set_extranonce");
	std::size_t size = 0;
	check_extranonce(en1, params.size() > 1 ? params[1] : json::value(),
	                 "mining.set_extranonce", size);
	// Applies to the jobs that come after it (the pool follows with a notify); the live
	// jobs keep the extranonce1 they were sent with.
	extranonce1_ = en1;
	extranonce2_size_ = size;
}

void Session::handle_set_version_mask(const json::array &params)
{
	const std::string hex = text_param(params, 0, "mining.set_version_mask");
	set_mask(mask_from_hex(hex, "mining.set_version_mask") & config_.version_mask);
}

void Session::set_mask(std::uint32_t mask)
{
	if (mask == version_mask_)
		return;
	version_mask_ = mask;
	// BIP 310: a new mask is valid at once, not from the next job: rebuild the live jobs.
	for (auto &j : jobs_) {
		auto rebuilt = std::make_shared<Job>(*j);
		rebuilt->builder = hashboard::JobBuilder(j->notify, j->extranonce1,
		                                         j->builder.extranonce2_size(), mask);
		j = std::move(rebuilt);
	}
	if (listener_) {
		listener_->on_version_mask(mask);
		if (!jobs_.empty())
			listener_->on_job(jobs_.back(), false);
	}
}

void Session::handle_reconnect(const json::array &params)
{
	ReconnectRequest r;
	if (!params.empty() && params[0].is_string())
		r.host = std::string(params[0].as_string());
	if (params.size() > 1) {
		std::optional<double> port = number_of(params[1]);
		if (!port && params[1].is_string()) {
			const auto &s = params[1].as_string();
			if (!s.empty() && s.size() <= 5 &&
			    s.find_first_not_of("0123456789") == s.npos)
				port = std::stod(std::string(s));
		}
		if (port && *port >= 1 && *port <= 65535)
			r.port = std::uint16_t(*port);
	}
	if (params.size() > 2)
		if (const auto w = number_of(params[2]); w && *w > 0 && std::isfinite(*w))
			r.wait =
			    hashboard::from_seconds(std::min(*w, 3600.0), "client.reconnect wait");
	if (listener_)
		listener_->on_reconnect(r);
}

void Session::become_ready()
{
	if (subscribed_ && authorized_ && state_ == SessionState::handshake) {
		state_ = SessionState::ready;
		if (listener_)
			listener_->on_ready();
	}
}

void Session::fail(std::string reason)
{
	state_ = SessionState::failed;
	failure_ = std::move(reason);
	if (listener_)
		listener_->on_failed(failure_);
}

std::uint64_t Session::submit(const Job &job, hashboard::ByteSpan extranonce2, std::uint32_t nonce,
                              std::uint32_t rolled_version, Duration now)
{
	if (!ready())
		throw std::logic_error("submit before the pool subscribed and authorized us");
	const JobPtr live = live_job(job.notify.job_id);
	if (!live || live->epoch != job.epoch)
		throw std::invalid_argument("submit: job " + job.notify.job_id + " is stale");
	const hashboard::SubmitFields f = live->builder.submit(extranonce2, nonce, rolled_version);
	json::array p{config_.user, f.job_id, f.extranonce2, f.ntime, f.nonce};
	if (f.version_bits)
		p.emplace_back(*f.version_bits);
	const std::uint64_t id = send(Call::submit, "mining.submit", p);
	submits_[id] = now;
	return id;
}

std::optional<std::string> Session::health(Duration now) const
{
	using hashboard::to_seconds;
	if (state_ == SessionState::failed)
		return failure_;
	if (state_ == SessionState::idle)
		return std::nullopt;
	if (state_ == SessionState::handshake && now - started_ > config_.handshake_timeout)
		return fmt::format("no answer to subscribe/authorize in {:g} s",
		                   to_seconds(config_.handshake_timeout));
	if (now - last_notify_ > config_.notify_timeout)
		return fmt::format("no job from the pool for {:g} s",
		                   to_seconds(now - last_notify_));
	for (const auto &[id, sent] : submits_)
		if (now - sent > config_.submit_timeout)
			return fmt::format("submit {} unanswered for {:g} s", id,
			                   to_seconds(now - sent));
	return std::nullopt;
}

JobPtr Session::current_job() const
{
	return jobs_.empty() ? nullptr : jobs_.back();
}

JobPtr Session::live_job(std::string_view job_id) const
{
	for (const auto &j : jobs_)
		if (j->notify.job_id == job_id)
			return j;
	return nullptr;
}

bool Session::is_live(const Job &job) const
{
	const JobPtr j = live_job(job.notify.job_id);
	return j && j->epoch == job.epoch && j->serial == job.serial;
}

} // namespace hashboardd::stratum
