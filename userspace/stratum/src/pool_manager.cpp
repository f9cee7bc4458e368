// SPDX-License-Identifier: MIT
#include <hashboardd/stratum/pool_manager.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace hashboardd::stratum {

struct PoolManager::Pool {
	PoolId id = 0;
	PoolConfig config;
	PoolUrl url;
	bool enabled = true;
	std::unique_ptr<Session> session;
	std::unique_ptr<Listener> listener;
	ShareBook book;
	std::shared_ptr<PoolConnection> conn;
	// Backoff: failures in a row and when the next attempt may start.
	unsigned failures = 0;
	Duration next_attempt{0};
	bool was_ready = false; // this connection reached ready
	// Since when it has been ready with a job (negative: it is not), for failback_after.
	Duration usable_since{-1};
	std::uint64_t get_failures = 0;
	std::uint64_t remote_failures = 0;
	std::optional<std::uint16_t> redirected_port; // client.reconnect to another port
};

// A pool's session events, into the manager.
class PoolManager::Listener final : public SessionListener {
public:
	Listener(PoolManager &m, PoolId id) : m_(m), id_(id) {}
	void on_job(const JobPtr &job, bool clean) override
	{
		if (m_.active_ == id_ && m_.events_.on_job)
			m_.events_.on_job(id_, job, clean);
		// A first job can make this pool the preferred alive one.
		m_.choose_active();
	}
	void on_difficulty(double d) override
	{
		if (auto *p = m_.find(id_))
			m_.log(*p, fmt::format("difficulty {:g}", d));
	}
	void on_submit_result(const SubmitResult &r) override
	{
		if (auto *p = m_.find(id_)) {
			p->book.on_result(r);
			if (!r.accepted)
				m_.log(*p,
				       fmt::format("share rejected: {} ({})", r.reason, r.code));
		}
	}
	void on_reconnect(const ReconnectRequest &r) override
	{
		auto *p = m_.find(id_);
		if (!p)
			return;
		// Only to the same host: a pool redirecting its miners elsewhere is how hijacked
		// pools steal hash rate, so another host is refused (docs/stratum.md).
		if (!r.host.empty() && r.host != p->url.host) {
			m_.log(*p, "client.reconnect to another host (" + r.host + ") refused");
			return;
		}
		p->redirected_port = r.port;
		m_.drop(*p, "the pool asked us to reconnect", false);
		p->failures = 0;
		p->next_attempt = m_.clock_.now() + r.wait;
	}
	void on_message(std::string_view text) override
	{
		if (auto *p = m_.find(id_))
			m_.log(*p, "pool says: " + std::string(text));
	}
	void on_ready() override
	{
		if (auto *p = m_.find(id_)) {
			p->was_ready = true;
			p->failures = 0;
			m_.log(*p, p->session->resumed() ? "ready (session resumed)" : "ready");
			if (p->conn) {
				p->book.flush(*p->session, m_.clock_.now());
				p->conn->flush();
			}
		}
		m_.choose_active();
	}
	void on_failed(std::string_view reason) override
	{
		if (auto *p = m_.find(id_)) {
			++p->get_failures;
			m_.drop(*p, std::string(reason), true);
		}
	}

private:
	PoolManager &m_;
	PoolId id_;
};

PoolManager::PoolManager(boost::asio::io_context &io, const hashboard::Clock &clock,
                         PoolManagerOptions options, const std::vector<PoolConfig> &pools)
    : io_(io), clock_(clock), options_(std::move(options)), rng_(options_.seed), timer_(io)
{
	for (const auto &p : pools)
		add_pool(p);
}

PoolManager::~PoolManager()
{
	for (auto &p : pools_)
		if (p->conn)
			p->conn->close("");
}

void PoolManager::log(const Pool &p, const std::string &text)
{
	if (events_.on_log)
		events_.on_log(p.id, text);
}

PoolManager::Pool *PoolManager::find(PoolId id) const
{
	for (const auto &p : pools_)
		if (p->id == id)
			return p.get();
	return nullptr;
}

PoolManager::Pool &PoolManager::at(unsigned index) const
{
	if (index >= pools_.size())
		throw std::invalid_argument(
		    fmt::format("no pool {} (there are {})", index, pools_.size()));
	return *pools_[index];
}

PoolId PoolManager::id_of(unsigned index) const
{
	return at(index).id;
}

std::optional<unsigned> PoolManager::active_index() const
{
	for (unsigned i = 0; i < pools_.size(); ++i)
		if (active_ && pools_[i]->id == *active_)
			return i;
	return std::nullopt;
}

unsigned PoolManager::add_pool(const PoolConfig &config)
{
	auto p = std::make_unique<Pool>();
	p->url = parse_pool_url(config.url); // throws with the reason
	p->id = next_id_++;
	p->config = config;
	SessionConfig sc = options_.session;
	sc.user = config.user;
	sc.password = config.password;
	p->listener = std::make_unique<Listener>(*this, p->id);
	p->session = std::make_unique<Session>(sc, p->listener.get());
	pools_.push_back(std::move(p));
	if (running_)
		tick();
	return unsigned(pools_.size() - 1);
}

void PoolManager::remove_pool(unsigned index)
{
	Pool &p = at(index);
	if (p.conn)
		p.conn->close("");
	p.book.drop_all();
	const PoolId id = p.id;
	pools_.erase(pools_.begin() + index);
	if (active_ == id) {
		active_.reset();
		choose_active();
	}
	if (running_)
		tick();
}

void PoolManager::switch_pool(unsigned index)
{
	at(index); // checks the index
	auto p = std::move(pools_[index]);
	p->enabled = true;
	pools_.erase(pools_.begin() + index);
	pools_.insert(pools_.begin(), std::move(p));
	pools_.front()->next_attempt = clock_.now();
	if (running_)
		tick();
}

void PoolManager::enable_pool(unsigned index)
{
	Pool &p = at(index);
	p.enabled = true;
	p.failures = 0;
	p.next_attempt = clock_.now();
	if (running_)
		tick();
}

void PoolManager::disable_pool(unsigned index)
{
	Pool &p = at(index);
	p.enabled = false;
	if (p.conn)
		drop(p, "disabled", false);
	if (running_)
		tick();
}

void PoolManager::start()
{
	running_ = true;
	for (auto &p : pools_)
		p->next_attempt = clock_.now();
	tick();
	arm_timer();
}

void PoolManager::stop()
{
	running_ = false;
	timer_.cancel();
	for (auto &p : pools_)
		if (p->conn) {
			p->conn->close("");
			p->book.on_connection_lost(p->session->connection_lost());
			p->conn.reset();
		}
	active_.reset();
}

void PoolManager::arm_timer()
{
	timer_.expires_after(options_.tick);
	timer_.async_wait([this](const boost::system::error_code &ec) {
		if (ec || !running_)
			return;
		tick();
		arm_timer();
	});
}

void PoolManager::connect(Pool &p)
{
	PoolUrl url = p.url;
	if (p.redirected_port)
		url.port = *p.redirected_port;
	ConnectionOptions co;
	co.verify_peer = p.config.tls_verify;
	co.ca_file = p.config.ca_file;
	co.connect_timeout = options_.connect_timeout;
	co.max_line = LineReader::kDefaultMaxLine;
	co.tap = options_.line_tap;
	const PoolId id = p.id;
	PoolConnection::Handlers h;
	h.on_input = [this, id] {
		if (Pool *q = find(id))
			q->book.flush(*q->session, clock_.now());
	};
	h.on_bad_line = [this, id](const std::string &why) {
		if (Pool *q = find(id))
			log(*q, "bad line from the pool: " + why);
	};
	h.on_closed = [this, id](const std::string &why) {
		if (Pool *q = find(id))
			drop(*q, why, true);
	};
	p.was_ready = false;
	log(p, "connecting to " + url.text());
	p.conn = PoolConnection::create(io_, url, co, *p.session, clock_, std::move(h));
	p.conn->open();
}

void PoolManager::drop(Pool &p, const std::string &reason, bool dead)
{
	if (p.conn) {
		auto conn = std::move(p.conn);
		conn->close("");
		p.book.on_connection_lost(p.session->connection_lost());
		if (dead) {
			if (p.was_ready)
				++p.remote_failures;
			else
				++p.get_failures;
		}
	}
	log(p, "disconnected: " + reason);
	if (dead)
		schedule_retry(p);
	if (active_ == p.id) {
		active_.reset();
		choose_active();
	}
}

void PoolManager::schedule_retry(Pool &p)
{
	++p.failures;
	// initial * 2^(failures-1), capped, then jittered and capped again: bounded either way.
	const double base = hashboard::to_seconds(options_.backoff_initial) *
	                    std::pow(2.0, double(std::min(p.failures - 1, 20u)));
	const double capped = std::min(base, hashboard::to_seconds(options_.backoff_max));
	std::uniform_real_distribution<double> jitter(-options_.backoff_jitter,
	                                              options_.backoff_jitter);
	const double wait = std::clamp(capped * (1 + jitter(rng_)), 0.0,
	                               hashboard::to_seconds(options_.backoff_max));
	p.next_attempt = clock_.now() + hashboard::from_seconds(wait, "backoff");
}

void PoolManager::choose_active()
{
	const Duration now = clock_.now();
	const Pool *current = active_ ? find(*active_) : nullptr;
	bool current_usable = false;
	for (const auto &p : pools_) {
		const bool usable =
		    p->enabled && p->conn && p->session->ready() && p->session->current_job();
		if (!usable)
			p->usable_since = Duration{-1};
		else if (p->usable_since < Duration::zero())
			p->usable_since = now;
		if (p.get() == current)
			current_usable = usable;
	}
	// The first usable pool, except that one above a usable active pool must have been
	// usable for failback_after first.
	std::optional<PoolId> best;
	for (const auto &p : pools_) {
		if (p->usable_since < Duration::zero())
			continue;
		if (!current_usable || p.get() == current ||
		    now - p->usable_since >= options_.failback_after) {
			best = p->id;
			break;
		}
	}
	if (best == active_)
		return;
	active_ = best;
	if (Pool *p = best ? find(*best) : nullptr)
		log(*p, "active");
	if (events_.on_active)
		events_.on_active(active_);
	if (Pool *p = best ? find(*best) : nullptr; p && events_.on_job)
		events_.on_job(p->id, p->session->current_job(), true);
}

void PoolManager::tick()
{
	if (!running_)
		return;
	const Duration now = clock_.now();
	// Dead-pool rules first, so a silent pool frees the active slot this round.
	for (auto &p : pools_)
		if (p->conn && p->conn->connected())
			if (auto why = p->session->health(now))
				drop(*p, *why, true);
	choose_active();
	// Wanted: enabled pools down to the active one, or all of them when none is alive.
	bool above_active = true;
	for (auto &ptr : pools_) {
		Pool &p = *ptr;
		const bool wanted = p.enabled && above_active;
		if (active_ && p.id == *active_)
			above_active = false;
		if (wanted && !p.conn && now >= p.next_attempt)
			connect(p);
		// Left behind by a failback: closed once its shares are answered.
		if (!wanted && p.conn && p.book.in_flight() == 0 && p.book.queued() == 0)
			drop(p, "a preferred pool is back", false);
	}
}

JobPtr PoolManager::current_job() const
{
	const Pool *p = active_ ? find(*active_) : nullptr;
	return p ? p->session->current_job() : nullptr;
}

Offer PoolManager::submit(PoolId pool, Share share)
{
	Pool *p = find(pool);
	if (!p)
		return Offer::stale;
	const Offer o = p->book.offer(std::move(share));
	if (o == Offer::queued && p->conn && p->conn->connected()) {
		p->book.flush(*p->session, clock_.now());
		p->conn->flush();
	}
	return o;
}

const Session *PoolManager::session(PoolId pool) const
{
	const Pool *p = find(pool);
	return p ? p->session.get() : nullptr;
}

const ShareBook *PoolManager::book(PoolId pool) const
{
	const Pool *p = find(pool);
	return p ? &p->book : nullptr;
}

std::vector<PoolStatus> PoolManager::status() const
{
	std::vector<PoolStatus> out;
	for (unsigned i = 0; i < pools_.size(); ++i) {
		const Pool &p = *pools_[i];
		const ShareCounters &c = p.book.counters();
		PoolStatus s;
		s.index = i;
		s.priority = i;
		s.url = p.url.text();
		s.user = p.config.user;
		if (!p.enabled)
			s.state = PoolState::disabled;
		else if (p.conn && p.session->ready())
			s.state = PoolState::alive;
		else if (p.conn)
			s.state = PoolState::connecting;
		else
			s.state = PoolState::dead;
		s.active = active_ && *active_ == p.id;
		s.accepted = c.accepted;
		s.rejected = c.rejected;
		s.stale = c.stale;
		s.works = p.session->notifies();
		s.discarded = p.session->discarded();
		s.get_failures = p.get_failures;
		s.remote_failures = p.remote_failures + c.unanswered;
		s.difficulty = p.session->difficulty();
		s.difficulty_accepted = c.difficulty_accepted;
		s.difficulty_rejected = c.difficulty_rejected;
		s.difficulty_stale = c.difficulty_stale;
		s.last_share_difficulty = c.last_share_difficulty;
		s.last_share_time = c.last_share_time;
		s.best_share = c.best_share;
		s.version_mask = p.session->version_mask();
		s.version_rolling = s.version_mask != 0;
		out.push_back(std::move(s));
	}
	return out;
}

} // namespace hashboardd::stratum
