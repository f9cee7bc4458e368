// SPDX-License-Identifier: MIT
// The mining loop's tuning: a saved profile applied after every bring-up, and an online
// tune run on the mining thread (the board's one owner) with the pool's work, its valid
// nonces still going to the pool.
#include "mining_loop.hpp"

#include <hashboard/tuning/profile.hpp>
#include <hashboard/tuning/tuning_port.hpp>

#include <fmt/format.h>

#include <cmath>
#include <system_error>

namespace hashboardd {
namespace {

using hashboard::BoardState;
using hashboard::Duration;

// Thrown from the tuner's work function when the daemon stops: the tuner unwinds and
// the loop powers the board down as it always does.
struct TuneStopped {};

std::optional<double> goal_target(const hashboard::TuneGoal &g)
{
	using hashboard::TuneMode;
	switch (g.mode) {
	case TuneMode::hashrate:
		return g.power_limit_w;
	case TuneMode::efficiency:
		return g.min_ths;
	case TuneMode::fixed:
		return g.fixed_mhz;
	case TuneMode::heat:
	case TuneMode::quiet:
		return g.heat_w;
	}
	return std::nullopt;
}

} // namespace

void MiningLoop::set_tuning(const std::function<void(TuningStatus &)> &edit)
{
	std::lock_guard lock(snap_mu_);
	edit(tuning_);
	snap_.tuning = tuning_;
}

void MiningLoop::request_tune(const hashboard::TuneGoal &goal)
{
	post([this, goal](hashboard::Board &) {
		pending_tune_ = goal;
		tune_wait_logged_ = false;
		set_tuning([&](TuningStatus &t) {
			t.mode = std::string(hashboard::tune_mode_name(goal.mode));
			t.target = goal_target(goal);
		});
	});
}

void MiningLoop::cancel_tune()
{
	post([this](hashboard::Board &) {
		pending_tune_.reset();
		set_tuning([](TuningStatus &t) {
			t.mode = "off";
			t.target.reset();
		});
	});
}

void MiningLoop::apply_saved_profile()
{
	const LoopTuning &opt = options_.tuning;
	if (opt.serial.empty() || opt.profile_dir.empty())
		return;
	const bool first = !tune_when_missing_checked_;
	tune_when_missing_checked_ = true;
	set_tuning([&](TuningStatus &t) {
		t.profile_serial = opt.serial;
		if (opt.goal && t.state == "off") {
			t.mode = std::string(hashboard::tune_mode_name(opt.goal->mode));
			t.target = goal_target(*opt.goal);
		}
	});
	std::filesystem::path file;
	try {
		file = hashboard::profile_path(opt.profile_dir, opt.serial);
	} catch (const std::exception &e) {
		log_.warning(std::string("tuning: no profile: ") + e.what());
		return;
	}
	std::error_code ec;
	if (!std::filesystem::exists(file, ec)) {
		if (first && opt.tune_when_missing && opt.goal) {
			log_.notice(fmt::format(
			    "tuning: no profile saved for {} ({}): tuning online "
			    "({})",
			    opt.serial, file.string(), hashboard::tune_mode_name(opt.goal->mode)));
			pending_tune_ = *opt.goal;
		} else {
			log_.info(fmt::format("tuning: no profile saved for {} ({}): the board "
			                      "file's settings",
			                      opt.serial, file.string()));
		}
		return;
	}
	if (!opt.apply_profile) {
		log_.info(fmt::format("tuning: profile {} not applied (apply_profile = false)",
		                      file.string()));
		return;
	}
	// A bad profile never stops mining: the board stays at the board file's settings.
	const auto refuse = [&](const std::string &why) {
		log_.warning(fmt::format("tuning: profile {} not applied: {}; mining at the board "
		                         "file's settings",
		                         file.string(), why));
		set_tuning([&](TuningStatus &t) {
			t.state = "failed";
			t.error = why;
		});
	};
	try {
		const hashboard::TuneProfile p = hashboard::load_profile(file);
		const std::string &board = board_.config().name;
		if (p.board != board)
			return refuse(
			    fmt::format("it is for board '{}', this is '{}'", p.board, board));
		hashboard::BoardTuningPort port(board_, supervisor_, [this](unsigned id) {
			// apply() changes settings only; nothing mines through the port.
			return tuning_work_.at(id);
		});
		hashboard::Tuner tuner(port, p.goal, options_.tuning.tuner);
		tuner.apply(p.rail_mv, p.chip_mhz);
		log_.notice(fmt::format("tuning: profile {} applied ({} from {}: {:.3g} TH/s, "
		                        "{:.4g} W, {:.3g} J/TH)",
		                        file.string(), hashboard::tune_mode_name(p.mode),
		                        p.saved_at.empty() ? "an unknown date" : p.saved_at,
		                        p.hashrate_ths, p.power_w, p.j_per_th));
		set_tuning([&](TuningStatus &t) {
			t.state = "applied";
			t.mode = std::string(hashboard::tune_mode_name(p.mode));
			t.target = goal_target(p.goal);
			t.hashrate_ths = p.hashrate_ths;
			t.power_w = p.power_w;
			t.j_per_th = p.j_per_th;
			t.error.clear();
		});
	} catch (const std::exception &e) {
		refuse(e.what());
	}
}

bool MiningLoop::take_tuning_work()
{
	for (unsigned id : board_.chain_ids()) {
		auto w = feed_.next_work(id);
		if (!w) {
			feed_.sent();
			if (!tune_wait_logged_)
				log_.notice("tuning: waiting for pool work to tune with");
			tune_wait_logged_ = true;
			return false;
		}
		tuning_work_.insert_or_assign(id, *w);
	}
	feed_.sent();
	return true;
}

void MiningLoop::run_tune(const std::stop_token &stop)
{
	const hashboard::TuneGoal goal = *pending_tune_;
	pending_tune_.reset();
	const std::string mode(hashboard::tune_mode_name(goal.mode));
	log_.notice(
	    fmt::format("tuning: {} tune started online on board {}", mode, board_.config().name));
	set_tuning([&](TuningStatus &t) {
		t.mode = mode;
		t.target = goal_target(goal);
		t.state = "tuning";
		t.error.clear();
	});
	// The tuner lowers the tickets to count nonces; the loop's own come back after.
	std::map<unsigned, unsigned> tickets;
	for (unsigned id : board_.chain_ids())
		tickets[id] = board_.chain(id).ticket_difficulty_log2();
	const auto failed = [&](const std::string &why) {
		log_.error("tuning: " + mode + " tune failed: " + why);
		set_tuning([&](TuningStatus &t) {
			t.state = "failed";
			t.error = why;
		});
	};
	try {
		hashboard::BoardTuningPort port(board_, supervisor_, [&](unsigned id) {
			if (stop.stop_requested())
				throw TuneStopped{};
			if (auto w = feed_.next_work(id))
				tuning_work_.insert_or_assign(id, *w);
			feed_.sent();
			// No fresh job: the last one again (its nonces still measure the chips).
			return tuning_work_.at(id);
		});
		port.set_nonce_sink(
		    [this](unsigned id, const hashboard::NonceEvent &ev) { on_nonce(id, ev); });
		port.set_observer([&](const hashboard::TuningSample &) {
			const Duration now = clock_.now();
			if (now >= next_tick_) {
				if (options_.on_tick)
					options_
					    .on_tick(); // the watchdog, through a tune of minutes
				refresh_snapshot(now);
				next_tick_ = now + options_.tick;
			}
		});
		hashboard::Tuner tuner(port, goal, options_.tuning.tuner);
		const hashboard::TuneResult r = tuner.tune([&](const hashboard::TuneStep &s) {
			log_.info(
			    fmt::format("tuning: {:.0f} s {}: {:.3g} TH/s, {:.4g} W, {:.1f} C, "
			                "{:.2g} % wrong, {:.0f}/{:.0f}/{:.0f} MHz{}",
			                s.t_s, s.phase, s.hashrate_ths, s.power_w, s.hottest_c,
			                100 * s.error_rate, s.min_mhz, s.median_mhz, s.max_mhz,
			                s.note.empty() ? "" : " (" + s.note + ")"));
		});
		// A tune that did not converge (a trip, the time budget, a goal the limits do
		// not allow) saves nothing: the board keeps what the tune left, the status says
		// why.
		if (board_.state() == BoardState::tripped || !r.converged) {
			failed(r.stop_reason);
		} else {
			std::string saved;
			const LoopTuning &opt = options_.tuning;
			if (!opt.serial.empty() && !opt.profile_dir.empty()) {
				const auto file =
				    hashboard::profile_path(opt.profile_dir, opt.serial);
				hashboard::save_profile(
				    file, hashboard::profile_from_result(
				              r, opt.serial, board_.config().name, goal));
				saved = ", saved to " + file.string();
			}
			log_.notice(fmt::format("tuning: {} tune {} after {:.0f} s: {:.3g} TH/s, "
			                        "{:.4g} W, {:.3g} J/TH{}",
			                        mode, r.stop_reason, r.took_s, r.hashrate_ths,
			                        r.power_w, r.j_per_th, saved));
			set_tuning([&](TuningStatus &t) {
				t.state = "tuned";
				t.hashrate_ths = r.hashrate_ths;
				t.power_w = r.power_w;
				t.j_per_th = r.j_per_th;
				t.sweep.clear();
				for (const auto &p : r.sweep)
					t.sweep.push_back({p.mv, p.median_mhz, p.hashrate_ths,
					                   p.power_w, p.j_per_th});
			});
		}
	} catch (const TuneStopped &) {
		log_.notice("tuning: stopped with the daemon");
		set_tuning([&](TuningStatus &t) {
			t.state = "failed";
			t.error = "stopped";
		});
	} catch (const std::exception &e) {
		failed(e.what());
	}
	if (board_.state() == BoardState::mining)
		for (const auto &[id, k] : tickets)
			try {
				board_.chain(id).set_ticket_difficulty_log2(k);
			} catch (const std::exception &e) {
				log_.warning(
				    fmt::format("chain {}: ticket 2^{}: {}", id, k, e.what()));
			}
	// Work again at once, from the feed's current job.
	generation_ = feed_.generation() - 1;
	next_job_ = clock_.now();
	next_tick_ = clock_.now();
}

} // namespace hashboardd
