// SPDX-License-Identifier: MIT
#include "mining_loop.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace hashboardd {
namespace {

using hashboard::BoardState;
using hashboard::Duration;
using namespace std::chrono_literals;

// Sensors, fans and regulators are read this often for the status: on real boards each
// read is an i2c transaction, and the supervisor reads them on its own schedule.
constexpr Duration kDeviceReadEvery = 1s;
// After a failed bring-up (no chips answered, a regulator fault at power-up) the loop
// waits this long before trying again, so a broken board does not spin.
constexpr Duration kBringUpRetry = 30s;
// The longest the loop sleeps while the board is not mining (off, idle, tripped): how
// soon a posted command runs then.
constexpr Duration kIdleSleep = 10ms;

double ghs(double hashes_per_second)
{
	return hashes_per_second / 1e9;
}

} // namespace

// Hash rates from the chips' credited hashes (valid nonces x 2^(32 + ticket log2)),
// sampled on every tick: the same figure hbctl and the benches report.
struct MiningLoop::Rates {
	hashboard::RateWindow board_5s{5s, 10}, board_1m{60s, 12}, board_5m{300s, 30},
	    board_15m{900s, 30};
	std::map<unsigned, hashboard::RateWindow> chain_5s;
	std::map<std::pair<unsigned, unsigned>, hashboard::RateWindow> chip_1m;
	std::map<std::pair<unsigned, unsigned>, double> last_credited;
	std::map<unsigned, double> chain_total;
	double total = 0;
};

MiningLoop::MiningLoop(hashboard::Board &board, WorkFeed &feed, Log &log, MiningOptions options)
    : board_(board), clock_(board.clock()), feed_(feed), log_(log), options_(std::move(options)),
      supervisor_(board), rates_(std::make_unique<Rates>())
{
}

MiningLoop::~MiningLoop() = default;

std::future<void> MiningLoop::post(std::function<void(hashboard::Board &)> fn)
{
	std::packaged_task<void(hashboard::Board &)> task(std::move(fn));
	auto done = task.get_future();
	{
		std::lock_guard lock(posted_mu_);
		posted_.push_back(std::move(task));
	}
	board_.wake();
	return done;
}

void MiningLoop::run_posted()
{
	for (;;) {
		std::packaged_task<void(hashboard::Board &)> task;
		{
			std::lock_guard lock(posted_mu_);
			if (posted_.empty())
				return;
			task = std::move(posted_.front());
			posted_.pop_front();
		}
		task(board_);
	}
}

BoardSnapshot MiningLoop::snapshot() const
{
	std::lock_guard lock(snap_mu_);
	return snap_;
}

void MiningLoop::bring_up()
{
	log_.notice(fmt::format("board {}: powering up", board_.config().name));
	board_.power_up();
	if (options_.frequency_mhz)
		for (unsigned id : board_.chain_ids())
			board_.set_chain_frequency(id, *options_.frequency_mhz);
	for (const auto &r : board_.start_chains()) {
		const auto &scan = r.scan;
		std::string line =
		    fmt::format("chain {}: {} of {} chips, {} Bd, up to {:.0f} MHz", r.chain_id,
		                scan.found(), scan.expected, r.baud, r.max_mhz);
		if (scan.ok())
			log_.info(line);
		else
			log_.warning(line +
			             " (the chain is short: docs/chain.md, locating a break)");
	}
	apply_saved_profile();
	idle_ = false;
	ticket_difficulty_.reset(); // the chips start at the link rule's ticket again
	mining_since_ = clock_.now();
	next_job_ = clock_.now();
	generation_ = feed_.generation() - 1; // feed at once
}

void MiningLoop::idle(const std::string &why)
{
	log_.warning(fmt::format("board {}: idle, powered down: {}", board_.config().name, why));
	board_.power_down();
	idle_ = true;
}

void MiningLoop::feed_all()
{
	std::map<unsigned, hashboard::Work> works;
	for (unsigned id : board_.chain_ids()) {
		auto w = feed_.next_work(id);
		if (!w) {
			works.clear();
			break;
		}
		works.emplace(id, *w);
	}
	const Duration now = clock_.now();
	if (works.empty()) {
		feed_.sent(); // the works taken are dropped; their successors are wanted
		if (no_work_since_ < Duration::zero())
			no_work_since_ = now;
		next_job_ = now + 100ms; // ask again soon: a pool may be about to answer
		return;
	}
	no_work_since_ = Duration{-1};
	generation_ = feed_.generation();
	board_.send_work([&](unsigned chain_id) { return works.at(chain_id); });
	feed_.sent();
	if (const auto d = feed_.share_difficulty(); d && d != ticket_difficulty_)
		apply_ticket_policy(*d);
	Duration interval = 1s;
	for (const auto &r : board_.bring_up_report())
		if (r.scan.found() > 0)
			interval = std::min(interval, board_.chain(r.chain_id).job_interval());
	next_job_ = now + std::max<Duration>(interval, 1ms);
}

void MiningLoop::apply_ticket_policy(double share_difficulty)
{
	ticket_difficulty_ = share_difficulty;
	if (!(options_.nonces_per_chip_s > 0))
		return;
	for (const auto &r : board_.bring_up_report()) {
		// A board file that names a ticket has chosen it.
		if (r.scan.found() == 0 || board_.config().chain(r.chain_id).ticket_log2)
			continue;
		hashboard::Chain &chain = board_.chain(r.chain_id);
		const double per_chip = chain.nominal_hashes_per_second() / r.scan.found();
		// The bring-up's ticket keeps the link a quarter full: never go below it. Above
		// it, as few nonces as the daemon needs, but every share must still pass.
		const unsigned wire = r.ticket_log2;
		const unsigned rate =
		    hashboard::ticket_log2_for_rate(per_chip, options_.nonces_per_chip_s);
		const unsigned share =
		    hashboard::ticket_log2_for_share(share_difficulty, chain.config().zero_bits);
		const unsigned k = std::max(wire, std::min(rate, share));
		if (k == chain.ticket_difficulty_log2())
			continue;
		try {
			chain.set_ticket_difficulty_log2(k);
			log_.info(fmt::format("chain {}: ticket 2^{} (pool difficulty {:g}, about "
			                      "{:.3g} nonces per chip per second)",
			                      r.chain_id, k, share_difficulty,
			                      per_chip / std::ldexp(4294967296.0, int(k))));
		} catch (const std::exception &e) {
			log_.warning(
			    fmt::format("chain {}: ticket 2^{}: {}", r.chain_id, k, e.what()));
		}
	}
}

void MiningLoop::on_nonce(unsigned chain_id, const hashboard::NonceEvent &event)
{
	if (event.verdict == hashboard::NonceVerdict::valid)
		feed_.found(chain_id, event);
}

void MiningLoop::run(std::stop_token stop)
{
	const auto sink = [this](unsigned id, const hashboard::NonceEvent &ev) {
		on_nonce(id, ev);
	};
	Duration retry_at{};
	bool bring_up_failed = false;
	next_tick_ = clock_.now();
	while (!stop.stop_requested()) {
		run_posted();
		const Duration now = clock_.now();
		supervisor_.kick(now);
		const BoardState state = board_.state();
		if (state == BoardState::tripped) {
			if (!trip_logged_) {
				const auto reason = board_.trip_reason();
				log_.error(
				    "board tripped, in its safe state: " +
				    (reason ? reason->message() : std::string("no reason given")));
				trip_logged_ = true;
			}
		} else if (state == BoardState::off && !idle_) {
			if (!bring_up_failed || now >= retry_at) {
				try {
					bring_up();
					bring_up_failed = false;
				} catch (const std::exception &e) {
					log_.error(fmt::format(
					    "bring-up failed, retrying in {} s: {}",
					    kBringUpRetry.count() / 1'000'000'000, e.what()));
					bring_up_failed = true;
					retry_at = clock_.now() + kBringUpRetry;
				}
			}
		} else if (idle_) {
			// Ask the feed whether a pool has work again: the chains are off, so the
			// work is only a probe.
			if (feed_.next_work(board_.chain_ids().front()))
				idle_ = false, no_work_since_ = Duration{-1};
			feed_.sent();
		} else if (pending_tune_ && state == BoardState::mining && take_tuning_work()) {
			run_tune(stop);
		} else if (feed_.generation() != generation_ || now >= next_job_) {
			try {
				feed_all();
			} catch (const std::exception &e) {
				log_.error(std::string("sending work: ") + e.what());
				next_job_ = now + 1s;
			}
			if (no_work_since_ >= Duration::zero() &&
			    now - no_work_since_ >= options_.idle_after_no_work && !idle_)
				idle("no pool has had work for " +
				     fmt::format("{:.0f} s",
				                 hashboard::to_seconds(now - no_work_since_)));
		}
		const Duration after = clock_.now();
		const Duration until =
		    std::max(std::min({after + options_.poll_slice, next_tick_, next_job_}), after);
		if (board_.state() == BoardState::mining)
			board_.poll(std::max(until - after, Duration(100us)), sink);
		else // not mining: nothing ends a sleep early, so it is kept short
			clock_.sleep_for(std::clamp(until - after, Duration(1ms), kIdleSleep));
		if (clock_.now() >= next_tick_) {
			tick(clock_.now());
			next_tick_ = clock_.now() + options_.tick;
		}
	}
	supervisor_.disarm();
	if (board_.state() != BoardState::tripped && board_.state() != BoardState::off) {
		log_.notice("stopping: powering the board down");
		board_.power_down();
	}
	refresh_snapshot(clock_.now());
}

void MiningLoop::tick(Duration now)
{
	board_.update(now);
	if (const auto reason = supervisor_.tick(now))
		log_.error("safety trip: " + reason->message());
	if (options_.on_tick)
		options_.on_tick();
	refresh_snapshot(now);
}

void MiningLoop::read_chain_devices(const std::vector<hashboard::SensorReading> &sensors,
                                    const std::vector<hashboard::RegulatorReading> &regulators)
{
	const auto &config = board_.config();
	const auto hottest = [](std::optional<double> &t, std::optional<double> c) {
		if (c && std::isfinite(*c) && (!t || *c > *t))
			t = c;
	};
	// Sensors on no chain stand for every chain's board (and chips, when they read
	// chips); a chain's own sensors replace them.
	ChainDevices whole;
	std::map<unsigned, ChainDevices> own;
	for (const auto &reading : sensors) {
		const auto spec =
		    std::find_if(config.sensors.begin(), config.sensors.end(),
		                 [&](const auto &x) { return x.name == reading.name; });
		if (spec == config.sensors.end())
			continue;
		ChainDevices &d = spec->chain ? own[*spec->chain] : whole;
		hottest(spec->measures_chips ? d.chip_temp_c : d.board_temp_c, reading.celsius);
	}
	chain_devices_.clear();
	for (unsigned id : board_.chain_ids()) {
		ChainDevices d = own[id];
		if (!d.chip_temp_c)
			d.chip_temp_c = whole.chip_temp_c;
		if (!d.board_temp_c)
			d.board_temp_c = whole.board_temp_c;
		// The chain's first domain's regulator; a chain with no domain is fed by every
		// regulator, which says something only when there is one.
		std::optional<std::string> reg;
		for (const auto &dom : config.domains)
			if (dom.chain == id) {
				reg = dom.regulator;
				break;
			}
		if (!reg && config.regulators.size() == 1)
			reg = config.regulators.front().name;
		for (const auto &r : regulators)
			if (reg && r.name == *reg)
				d.voltage_mv = r.vout_mv;
		chain_devices_[id] = d;
	}
}

void MiningLoop::refresh_snapshot(Duration now)
{
	Rates &r = *rates_;
	BoardSnapshot s;
	{
		std::lock_guard lock(snap_mu_);
		s.fans = snap_.fans;
		s.sensors = snap_.sensors;
		s.power_w = snap_.power_w;
	}
	static_assert(std::is_same_v<Duration, std::chrono::nanoseconds>);
	const bool read_devices =
	    s.fans.empty() || (now.count() / kDeviceReadEvery.count()) !=
	                          ((now - options_.tick).count() / kDeviceReadEvery.count());
	if (read_devices) {
		s.fans.clear();
		for (const auto &f : board_.read_fans())
			s.fans.push_back({f.name, f.duty, f.rpm});
		s.sensors.clear();
		const auto sensors = board_.read_sensors();
		for (const auto &t : sensors)
			s.sensors.push_back({t.name, t.celsius, t.error});
		s.power_w = 0;
		const auto regulators = board_.read_regulators();
		for (const auto &reg : regulators)
			s.power_w += reg.power_w();
		read_chain_devices(sensors, regulators);
	}
	double added = 0;
	for (unsigned id : board_.chain_ids()) {
		const hashboard::Chain &chain = board_.chain(id);
		ChainStatus c;
		c.id = id;
		c.family = std::string(chain.family().name);
		c.state = std::string(hashboard::chain_state_name(chain.state()));
		c.chips_expected = board_.config().chain(id).chips;
		// chips() keeps every position the chain was scanned for; found are those that
		// answered (a break leaves the rest unanswered).
		c.chips_found =
		    unsigned(std::count_if(chain.chips().begin(), chain.chips().end(),
		                           [](const auto &chip) { return chip.answered; }));
		const auto &freqs = chain.chip_frequencies_mhz();
		const auto &stats = chain.chip_stats();
		double chain_added = 0, freq_sum = 0;
		for (std::size_t i = 0; i < chain.chips().size(); ++i) {
			ChipStatus chip;
			chip.position = chain.chips()[i].position;
			chip.alive = chain.chips()[i].answered;
			chip.freq_mhz = i < freqs.size() ? freqs[i] : chain.frequency_mhz();
			freq_sum += chip.freq_mhz;
			const auto key = std::make_pair(id, chip.position);
			auto window = r.chip_1m.try_emplace(key, 60s, 12).first;
			if (i < stats.size()) {
				chip.valid = stats[i].valid;
				chip.hw_errors = stats[i].hw_errors;
				double &last = r.last_credited[key];
				// Stats start again at a bring-up: a drop is a new count, not a
				// loss.
				const double delta = stats[i].credited_hashes >= last
				                         ? stats[i].credited_hashes - last
				                         : stats[i].credited_hashes;
				last = stats[i].credited_hashes;
				window->second.add(now, delta);
				chain_added += delta;
			}
			chip.hashrate_ghs = ghs(window->second.rate(now));
			c.valid += chip.valid;
			c.hw_errors += chip.hw_errors;
			c.hashrate_ideal_ghs +=
			    ghs(chain.family().hashes_per_second(chip.freq_mhz));
			c.chips.push_back(chip);
		}
		if (const auto it = chain_devices_.find(id); it != chain_devices_.end()) {
			c.chip_temp_c = it->second.chip_temp_c;
			c.board_temp_c = it->second.board_temp_c;
			c.voltage_mv = it->second.voltage_mv;
		}
		auto w5 = r.chain_5s.try_emplace(id, 5s, 10).first;
		w5->second.add(now, chain_added);
		r.chain_total[id] += chain_added;
		c.hashrate_ghs_5s = ghs(w5->second.rate(now));
		const double since = mining_since_ >= Duration::zero()
		                         ? hashboard::to_seconds(now - mining_since_)
		                         : 0.0;
		c.hashrate_ghs_avg = since > 0 ? ghs(r.chain_total[id] / since) : 0.0;
		c.freq_avg_mhz =
		    c.chips.empty() ? chain.frequency_mhz() : freq_sum / c.chips.size();
		s.hashrate_ideal_ghs += c.hashrate_ideal_ghs;
		s.hw_errors += c.hw_errors;
		s.jobs_sent += chain.stats().jobs_sent;
		added += chain_added;
		s.chains.push_back(std::move(c));
	}
	for (auto *w : {&r.board_5s, &r.board_1m, &r.board_5m, &r.board_15m})
		w->add(now, added);
	r.total += added;
	s.hashrate_ghs_5s = ghs(r.board_5s.rate(now));
	s.hashrate_ghs_1m = ghs(r.board_1m.rate(now));
	s.hashrate_ghs_5m = ghs(r.board_5m.rate(now));
	s.hashrate_ghs_15m = ghs(r.board_15m.rate(now));
	s.mining_s =
	    mining_since_ >= Duration::zero() ? hashboard::to_seconds(now - mining_since_) : 0.0;
	s.hashrate_ghs_avg = s.mining_s > 0 ? ghs(r.total / s.mining_s) : 0.0;
	s.safety.board_state = std::string(hashboard::board_state_name(board_.state()));
	if (const auto reason = board_.trip_reason())
		s.safety.trip_reason = reason->message();
	s.safety.idle_no_pool = idle_;
	std::lock_guard lock(snap_mu_);
	s.tuning = tuning_;
	snap_ = std::move(s);
}

} // namespace hashboardd
