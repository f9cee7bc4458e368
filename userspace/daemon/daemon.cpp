// SPDX-License-Identifier: MIT
#include "daemon.hpp"

#include "state_dir.hpp"

#include <hashboardd/api/cgminer_server.hpp>
#include <hashboardd/api/http_server.hpp>
#include <hashboardd/web/web_app.hpp>

#include <hashboard/chip_family.hpp>

#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <random>
#include <set>

namespace hashboardd {
namespace {

using namespace std::chrono_literals;

// How long an API call waits for a board change to finish on the mining thread before
// answering that it is under way: a PLL ramp takes seconds, and the pools share the
// API's thread.
constexpr auto kBoardWait = 200ms;

unsigned chain_slots(const hashboard::Board &board)
{
	unsigned n = 0;
	for (unsigned id : board.chain_ids())
		n = std::max(n, id + 1);
	return n;
}

template <typename Fn> auto pool_call(Fn &&fn)
{
	try {
		return fn();
	} catch (const std::invalid_argument &e) {
		throw ControlError(e.what());
	} catch (const std::out_of_range &e) {
		throw ControlError(e.what());
	}
}

} // namespace

stratum::PoolManagerOptions pool_manager_options(const DaemonConfig &c, stratum::LineTap line_tap)
{
	stratum::PoolManagerOptions o;
	o.session.notify_timeout = c.pool_policy.silent_after;
	o.session.submit_timeout = c.pool_policy.submit_timeout;
	o.session.user_agent = std::string("hashboard/") + HB_VERSION;
	o.backoff_initial = c.pool_policy.retry_min;
	o.backoff_max = c.pool_policy.retry_max;
	o.failback_after = c.pool_policy.failback_after;
	// A farm's miners restart together after a power cut: each seeds its jitter on its
	// own so their reconnects spread out.
	o.seed = std::random_device{}();
	o.line_tap = std::move(line_tap);
	return o;
}

namespace {

// The default serial: the board file's name, with what a file name cannot hold as '_'.
std::string default_serial(const std::string &board)
{
	std::string s = board.substr(0, 64);
	for (char &c : s)
		if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
		    c != '-')
			c = '_';
	if (s.empty() || s.front() == '.')
		s.insert(0, "board");
	return s.substr(0, 64);
}

} // namespace

MiningOptions mining_options(const DaemonConfig &c, const hashboard::Board &board,
                             std::function<void()> on_tick)
{
	MiningOptions o;
	o.frequency_mhz = c.mining.frequency_mhz;
	o.idle_after_no_work = c.mining.idle_after_no_pool;
	o.nonces_per_chip_s = c.mining.nonces_per_chip_s;
	o.on_tick = std::move(on_tick);
	const TuningConfig &t = c.tuning;
	if (t.mode)
		o.tuning.goal = t.goal;
	o.tuning.profile_dir = t.profile_dir.empty() ? state_directory("hashboard") / "profiles"
	                                             : std::filesystem::path(t.profile_dir);
	o.tuning.serial = t.serial.empty() ? default_serial(board.config().name) : t.serial;
	o.tuning.apply_profile = t.apply_profile;
	o.tuning.tune_when_missing = t.tune_when_missing;
	return o;
}

Daemon::Daemon(DaemonConfig config, BoardRig &rig, Log &log, DaemonHooks hooks)
    : config_(std::move(config)), rig_(rig), log_(log), hooks_(std::move(hooks)),
      pools_(io_, *rig.clock, pool_manager_options(config_, hooks_.pool_lines), config_.pools),
      jobs_(pools_, chain_slots(*rig.board)), feed_(io_, pools_, jobs_, log_),
      loop_(*rig.board, feed_, log_,
            mining_options(config_, *rig.board,
                           [this] {
	                           if (hooks_.notify)
		                           hooks_.notify("WATCHDOG=1");
                           })),
      tune_goal_(config_.tuning.mode ? std::optional(config_.tuning.goal) : std::nullopt),
      signals_(io_, SIGTERM, SIGINT, SIGHUP)
{
	feed_.on_change([this] { loop_.wake(); });
	pools_.set_events({
	    [this](std::optional<stratum::PoolId> active) {
		    feed_.refresh();
		    if (!active)
			    log_.warning("no pool is alive");
	    },
	    [this](stratum::PoolId, const stratum::JobPtr &, bool) { feed_.refresh(); },
	    [this](stratum::PoolId id, const std::string &text) {
		    log_.info(fmt::format("pool {}: {}", pool_name(id), text));
	    },
	});
}

Daemon::~Daemon()
{
	feed_.close();
	if (mining_.joinable()) {
		mining_.request_stop();
		mining_.join();
	}
}

namespace {

// WebConfig::password_file: where systemd keeps the daemon's state, or the user's.
std::string web_password_file(const WebConfig &web)
{
	if (!web.password_file.empty())
		return web.password_file;
	const std::filesystem::path dir = state_directory("hashboardd");
	std::error_code ec;
	std::filesystem::create_directories(dir, ec); // a failure shows when it is written
	return (dir / "web-password").string();
}

constexpr auto kWebSampleEvery = std::chrono::seconds(10);

} // namespace

std::string Daemon::pool_name(stratum::PoolId id) const
{
	const auto all = pools_.status();
	for (unsigned i = 0; i < all.size(); ++i)
		if (pools_.id_of(i) == id)
			return fmt::format("{} ({})", i, all[i].url);
	return fmt::format("#{}", id);
}

void Daemon::start_servers()
{
	if (config_.api.enabled) {
		api::CgminerOptions o;
		o.address = config_.api.listen;
		o.port = config_.api.port;
		o.privilege.allow = config_.api.privileged_from;
		o.privilege.logon_secret = config_.api.logon_secret;
		cgminer_ = std::make_unique<api::CgminerServer>(io_, *this, o);
		log_.info(fmt::format("cgminer API on {}:{}", o.address, cgminer_->port()));
	}
	if (config_.metrics.enabled) {
		api::HttpOptions o;
		o.address = config_.metrics.listen;
		o.port = config_.metrics.port;
		http_ = std::make_unique<api::HttpServer>(io_, *this, o);
		log_.info(fmt::format("metrics and status on http://{}:{}/metrics", o.address,
		                      http_->port()));
	}
	if (config_.web.enabled)
		start_web();
}

void Daemon::start_web()
{
	web::WebOptions w;
	w.password_file = web_password_file(config_.web);
	w.public_status = config_.web.public_status;
	web_app_ = std::make_unique<web::WebApp>(*this, web_clock_, w);
	api::HttpOptions o;
	o.address = config_.web.listen;
	o.port = config_.web.port;
	o.max_body_bytes = 16 * 1024; // a pool's URL and user, a password: far less
	// On the I/O thread like the other servers: DaemonControl is called there.
	web_ = std::make_unique<api::HttpServer>(io_, web_app_->handler(), o);
	log_.info(fmt::format("web dashboard on http://{}:{}/ (password in {})", o.address,
	                      web_->port(), w.password_file));
	web_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
	sample_web();
}

void Daemon::sample_web()
{
	web_app_->sample();
	web_timer_->expires_after(kWebSampleEvery);
	web_timer_->async_wait([this](const boost::system::error_code &ec) {
		if (!ec && !stopping_)
			sample_web();
	});
}

std::uint16_t Daemon::web_port() const
{
	return web_ ? web_->port() : 0;
}

std::vector<SettingEntry> Daemon::settings() const
{
	const auto &b = rig_.board->config();
	const auto num = [](double v) { return fmt::format("{:g}", v); };
	std::vector<SettingEntry> out{
	    {"board", "model", b.name},
	    {"board", "file",
	     config_.board_file ? config_.board_file->string() : "(built-in simulated board)"},
	    {"limits", "freq_mhz",
	     num(b.limits.freq_min_mhz) + " .. " + num(b.limits.freq_max_mhz)},
	    {"limits", "vout_mv", num(b.limits.vout.min_mv) + " .. " + num(b.limits.vout.max_mv)},
	    {"limits", "temp_warn_c", num(b.limits.temp_warn_c)},
	    {"limits", "temp_trip_c", num(b.limits.temp_trip_c)},
	    {"limits", "power_max_w", b.limits.power_max_w ? num(*b.limits.power_max_w) : "none"},
	    {"limits", "fan_min_rpm", num(b.limits.fan_min_rpm)}};
	for (const auto &f : b.fans)
		out.push_back({"fans", f.name,
		               f.target_c ? fmt::format("PI loop to {:g} C, at least {:g} % duty",
		                                        *f.target_c, 100 * f.min_duty)
		                          : fmt::format("fixed {:g} % duty", 100 * f.duty)});
	std::string from;
	for (const auto &net : config_.api.privileged_from)
		from += (from.empty() ? "" : ", ") + net;
	out.push_back({"api", "cgminer",
	               config_.api.enabled
	                   ? fmt::format("{}:{}", config_.api.listen, config_.api.port)
	                   : "off"});
	out.push_back({"api", "privileged_from", from.empty() ? "nobody" : from});
	out.push_back(
	    {"api", "logon_secret", config_.api.logon_secret.empty() ? "not set" : "set"});
	out.push_back({"api", "metrics",
	               config_.metrics.enabled
	                   ? fmt::format("{}:{}", config_.metrics.listen, config_.metrics.port)
	                   : "off"});
	out.push_back({"web", "public_status", config_.web.public_status ? "yes" : "no"});
	out.push_back({"mining", "nonces_per_chip_s", num(config_.mining.nonces_per_chip_s)});
	const LoopTuning t = mining_options(config_, *rig_.board).tuning;
	out.push_back(
	    {"tuning", "mode",
	     tune_goal_ ? std::string(hashboard::tune_mode_name(tune_goal_->mode)) : "off"});
	out.push_back({"tuning", "profile", t.profile_dir.string() + "/" + t.serial + ".toml"});
	out.push_back({"tuning", "apply_profile", t.apply_profile ? "yes" : "no"});
	out.push_back({"tuning", "tune_when_missing", t.tune_when_missing ? "yes" : "no"});
	return out;
}

std::vector<LogLine> Daemon::recent_log() const
{
	std::vector<LogLine> out;
	for (const auto &e : log_.recent())
		out.push_back({std::string(log_level_name(e.level)), e.text});
	return out;
}

int Daemon::run()
{
	started_ = std::chrono::system_clock::now();
	try {
		start_servers();
	} catch (const std::exception &e) {
		log_.error(std::string("cannot listen: ") + e.what());
		return 1;
	}
	log_.notice(fmt::format("hashboardd {} on board {}, {} pool{}", HB_VERSION,
	                        rig_.board->config().name, config_.pools.size(),
	                        config_.pools.size() == 1 ? "" : "s"));
	pools_.start();
	mining_ = std::jthread([this](std::stop_token stop) {
		try {
			loop_.run(stop);
		} catch (const std::exception &e) {
			log_.error(std::string("the mining loop failed: ") + e.what());
			boost::asio::post(io_, [this] {
				exit_code_ = 1;
				shutdown();
			});
		}
	});
	std::function<void(const boost::system::error_code &, int)> on_sig;
	on_sig = [this, &on_sig](const boost::system::error_code &ec, int signo) {
		if (ec)
			return;
		on_signal(signo);
		if (!stopping_)
			signals_.async_wait(on_sig);
	};
	signals_.async_wait(on_sig);
	if (hooks_.notify)
		hooks_.notify("READY=1\nSTATUS=mining");
	if (hooks_.on_ready)
		hooks_.on_ready(cgminer_ ? cgminer_->port() : 0, http_ ? http_->port() : 0);
	io_.run();
	return exit_code_;
}

void Daemon::stop()
{
	boost::asio::post(io_, [this] { shutdown(); });
}

void Daemon::on_signal(int signo)
{
	if (signo == SIGHUP) {
		if (!hooks_.reload) {
			log_.notice("SIGHUP: no config file to read again");
			return;
		}
		try {
			reload(hooks_.reload());
		} catch (const std::exception &e) {
			// A bad edit leaves the running configuration as it was.
			log_.error(std::string("SIGHUP: configuration not changed: ") + e.what());
		}
		return;
	}
	log_.notice(signo == SIGINT ? "SIGINT: stopping" : "SIGTERM: stopping");
	shutdown();
}

void Daemon::shutdown()
{
	if (stopping_)
		return;
	stopping_ = true;
	if (hooks_.notify)
		hooks_.notify("STOPPING=1");
	if (cgminer_)
		cgminer_->stop();
	if (http_)
		http_->stop();
	if (web_)
		web_->stop();
	if (web_timer_)
		web_timer_->cancel();
	// The loop powers the board down before it returns; the pools' thread waits for it
	// (no work is asked for: the feed is closed).
	feed_.close();
	if (mining_.joinable()) {
		mining_.request_stop();
		mining_.join();
	}
	pools_.stop();
	signals_.cancel();
	io_.stop();
}

void Daemon::reload(const DaemonConfig &next)
{
	// Pools: the new list, in its order, keeping the connections of pools still in it.
	std::vector<PoolStatus> now = pools_.status();
	std::set<std::string> wanted;
	for (const auto &p : next.pools)
		wanted.insert(p.url + "\n" + p.user);
	for (unsigned i = unsigned(now.size()); i-- > 0;)
		if (!wanted.count(now[i].url + "\n" + now[i].user))
			pools_.remove_pool(i);
	for (const auto &p : next.pools) {
		now = pools_.status();
		const bool have = std::any_of(now.begin(), now.end(), [&](const PoolStatus &s) {
			return s.url == p.url && s.user == p.user;
		});
		if (!have)
			pools_.add_pool(p);
	}
	// switch_pool moves a pool to the top: from the last wanted to the first.
	for (auto it = next.pools.rbegin(); it != next.pools.rend(); ++it) {
		now = pools_.status();
		for (const auto &s : now)
			if (s.url == it->url && s.user == it->user) {
				pools_.switch_pool(s.index);
				break;
			}
	}
	log_.set_level(next.log_level);
	if (next.mining.frequency_mhz && next.mining.frequency_mhz != config_.mining.frequency_mhz)
		for (unsigned id : rig_.board->chain_ids())
			set_chain_frequency(id, *next.mining.frequency_mhz);
	const bool restart_needed =
	    next.api.port != config_.api.port || next.metrics.port != config_.metrics.port ||
	    next.web.port != config_.web.port || next.web.enabled != config_.web.enabled ||
	    next.board_file != config_.board_file;
	if (restart_needed)
		log_.warning(
		    "SIGHUP: the board file and the listening ports change on restart only");
	config_.pools = next.pools;
	config_.mining.frequency_mhz = next.mining.frequency_mhz;
	config_.log_level = next.log_level;
	log_.notice(fmt::format("SIGHUP: configuration read again: {} pool{}", next.pools.size(),
	                        next.pools.size() == 1 ? "" : "s"));
}

DaemonStatus Daemon::status() const
{
	DaemonStatus s;
	s.version = HB_VERSION;
	s.board_model = rig_.board->config().name;
	s.now = std::chrono::system_clock::now();
	s.started = started_;
	BoardSnapshot b = loop_.snapshot();
	s.chains = std::move(b.chains);
	s.fans = std::move(b.fans);
	s.sensors = std::move(b.sensors);
	s.safety = std::move(b.safety);
	s.tuning = std::move(b.tuning);
	s.pools = pools_.status();
	Summary &m = s.summary;
	m.elapsed_s = std::chrono::duration<double>(s.now - started_).count();
	m.hashrate_ghs_5s = b.hashrate_ghs_5s;
	m.hashrate_ghs_1m = b.hashrate_ghs_1m;
	m.hashrate_ghs_5m = b.hashrate_ghs_5m;
	m.hashrate_ghs_15m = b.hashrate_ghs_15m;
	m.hashrate_ghs_avg = b.hashrate_ghs_avg;
	m.hashrate_ideal_ghs = b.hashrate_ideal_ghs;
	m.hw_errors = b.hw_errors;
	m.local_work = b.jobs_sent;
	m.power_w = b.power_w;
	if (b.power_w > 0 && b.hashrate_ghs_1m > 0)
		m.efficiency_j_per_th = b.power_w / (b.hashrate_ghs_1m / 1000.0);
	for (const auto &p : s.pools) {
		m.accepted += p.accepted;
		m.rejected += p.rejected;
		m.stale += p.stale;
		m.discarded += p.discarded;
		m.get_failures += p.get_failures;
		m.remote_failures += p.remote_failures;
		m.difficulty_accepted += p.difficulty_accepted;
		m.difficulty_rejected += p.difficulty_rejected;
		m.difficulty_stale += p.difficulty_stale;
		m.best_share = std::max(m.best_share, p.best_share);
	}
	return s;
}

DaemonStatus Daemon::query_status()
{
	std::promise<DaemonStatus> promise;
	auto result = promise.get_future();
	boost::asio::post(io_, [&] { promise.set_value(status()); });
	return result.get();
}

unsigned Daemon::add_pool(const NewPool &pool)
{
	return pool_call([&] {
		stratum::parse_pool_url(pool.url);
		if (pool.user.empty())
			throw std::invalid_argument("addpool: no user");
		stratum::PoolConfig p;
		p.url = pool.url;
		p.user = pool.user;
		p.password = pool.password.empty() ? "x" : pool.password;
		const unsigned index = pools_.add_pool(p);
		log_.notice(fmt::format("API: pool {} added: {}", index, pool.url));
		return index;
	});
}

void Daemon::remove_pool(unsigned index)
{
	pool_call([&] {
		if (pools_.size() <= 1)
			throw std::invalid_argument("cannot remove the last pool");
		pools_.remove_pool(index);
		log_.notice(fmt::format("API: pool {} removed", index));
	});
}

void Daemon::switch_pool(unsigned index)
{
	pool_call([&] {
		pools_.switch_pool(index);
		log_.notice(fmt::format("API: pool {} preferred", index));
	});
}

void Daemon::enable_pool(unsigned index)
{
	pool_call([&] { pools_.enable_pool(index); });
}

void Daemon::disable_pool(unsigned index)
{
	pool_call([&] { pools_.disable_pool(index); });
}

void Daemon::check_chain(unsigned chain_id) const
{
	const auto &ids = rig_.board->chain_ids();
	if (std::find(ids.begin(), ids.end(), chain_id) == ids.end())
		throw ControlError(
		    fmt::format("no chain {} on board {}", chain_id, rig_.board->config().name));
}

void Daemon::check_frequency(unsigned chain_id, double mhz) const
{
	const auto &cfg = rig_.board->config();
	try {
		hashboard::check_chain_frequency(cfg, cfg.chain(chain_id), mhz);
	} catch (const std::invalid_argument &e) {
		throw ControlError(e.what());
	}
}

void Daemon::on_board(std::function<void(hashboard::Board &)> fn, const char *what)
{
	auto done = loop_.post([fn = std::move(fn), what, &log = log_](hashboard::Board &b) {
		try {
			fn(b);
		} catch (const std::exception &e) {
			log.error(std::string(what) + ": " + e.what());
			throw;
		}
	});
	if (done.wait_for(kBoardWait) != std::future_status::ready)
		return; // under way; a failure is logged
	try {
		done.get();
	} catch (const std::exception &e) {
		throw ControlError(std::string(what) + ": " + e.what());
	}
}

void Daemon::set_chain_frequency(unsigned chain_id, double mhz)
{
	check_chain(chain_id);
	check_frequency(chain_id, mhz);
	log_.notice(fmt::format("API: chain {} to {:g} MHz", chain_id, mhz));
	on_board([=](hashboard::Board &b) { b.set_chain_frequency(chain_id, mhz); },
	         "chain frequency");
}

void Daemon::set_chip_frequency(unsigned chain_id, unsigned position, double mhz)
{
	check_chain(chain_id);
	check_frequency(chain_id, mhz);
	if (position >= rig_.board->config().chain(chain_id).chips)
		throw ControlError(fmt::format("chain {} has no chip {}", chain_id, position));
	log_.notice(fmt::format("API: chain {} chip {} to {:g} MHz", chain_id, position, mhz));
	on_board([=](hashboard::Board &b) { b.set_chip_frequency(chain_id, position, mhz); },
	         "chip frequency");
}

void Daemon::set_chain_voltage(unsigned chain_id, double mv)
{
	check_chain(chain_id);
	const auto &cfg = rig_.board->config();
	std::vector<std::string> domains;
	for (const auto &d : cfg.domains)
		if (d.chain == chain_id) {
			const auto limits = cfg.vout_limits(cfg.regulator(d.regulator));
			if (!std::isfinite(mv) || mv < limits.min_mv || mv > limits.max_mv)
				throw ControlError(
				    fmt::format("{:g} mV is outside domain {}'s limits "
				                "({:g}..{:g} mV)",
				                mv, d.name, limits.min_mv, limits.max_mv));
			domains.push_back(d.name);
		}
	if (domains.empty())
		throw ControlError(fmt::format("chain {} has no voltage domain", chain_id));
	log_.notice(fmt::format("API: chain {} to {:g} mV", chain_id, mv));
	on_board(
	    [=](hashboard::Board &b) {
		    for (const auto &d : domains)
			    b.set_domain_voltage(d, mv);
	    },
	    "chain voltage");
}

void Daemon::tune(const std::string &mode, std::optional<double> target)
{
	if (mode == "off") {
		tune_goal_.reset();
		log_.notice("API: tuning off (the board keeps its settings until a restart)");
		loop_.cancel_tune();
		return;
	}
	hashboard::TuneGoal goal = tune_goal_.value_or(config_.tuning.goal);
	try {
		if (!mode.empty())
			goal.mode = hashboard::parse_tune_mode(mode);
		else if (!tune_goal_)
			throw std::invalid_argument("no tuning mode: set tune-mode first");
		if (target) {
			switch (goal.mode) {
			case hashboard::TuneMode::hashrate:
				goal.power_limit_w = *target;
				break;
			case hashboard::TuneMode::efficiency:
				goal.min_ths = *target;
				break;
			case hashboard::TuneMode::fixed:
				goal.fixed_mhz = *target;
				break;
			case hashboard::TuneMode::heat:
			case hashboard::TuneMode::quiet:
				goal.heat_w = *target;
				break;
			}
		}
		hashboard::validate_goal(goal);
	} catch (const std::invalid_argument &e) {
		throw ControlError(e.what());
	}
	tune_goal_ = goal;
	log_.notice(fmt::format("API: tuning {}{}: an online tune starts",
	                        tune_mode_name(goal.mode),
	                        target ? fmt::format(" to {:g}", *target) : std::string()));
	loop_.request_tune(goal);
}

void Daemon::restart()
{
	log_.notice("API: restart: bringing the board up again");
	// Powered down on the mining thread; the loop brings an off board up by itself.
	loop_.post([](hashboard::Board &b) {
		if (b.state() != hashboard::BoardState::off &&
		    b.state() != hashboard::BoardState::tripped)
			b.power_down();
		else if (b.state() == hashboard::BoardState::tripped)
			b.clear_trip();
	});
}

void Daemon::quit()
{
	log_.notice("API: quit");
	boost::asio::post(io_, [this] { shutdown(); });
}

} // namespace hashboardd
