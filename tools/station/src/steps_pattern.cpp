// SPDX-License-Identifier: MIT
// The pattern test: known work (real headers the host checks every nonce against with
// SHA-256d) for long enough that a healthy chip's count is well above its threshold,
// then each chip's valid nonces against the Poisson expectation of its nominal hash
// rate at its frequency and ticket, and its hardware-error rate.
#include "steps.hpp"

#include <hashboard/work.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace station::detail {
namespace {

using namespace std::chrono_literals;
constexpr hashboard::Duration kTick = 100ms;

// Only chips the chain can count (answered, a frequency): hashes per second each.
double chip_rate(const hashboard::Chain &chain, unsigned position)
{
	const auto &f = chain.chip_frequencies_mhz();
	return position < f.size() ? chain.family().hashes_per_second(f[position]) : 0.0;
}

// Seconds until the slowest answering chip's expectation reaches min_expected, within
// the step's bounds.
double run_seconds(hashboard::Board &board, const PatternStep &p)
{
	double seconds = p.seconds;
	for (unsigned id : board.chain_ids()) {
		const hashboard::Chain &chain = board.chain(id);
		for (const auto &chip : chain.chips()) {
			if (!chip.answered)
				continue;
			const double per_s = expected_nonces(1.0, chip_rate(chain, chip.position),
			                                     chain.ticket_difficulty_log2());
			if (per_s > 0)
				seconds = std::max(seconds, p.min_expected / per_s);
		}
	}
	return std::min(seconds, p.max_seconds);
}

hashboard::Duration job_interval(hashboard::Board &board)
{
	hashboard::Duration best = 1s;
	for (const auto &r : board.bring_up_report())
		if (r.scan.found() > 0)
			best = std::min(best, board.chain(r.chain_id).job_interval());
	return std::max<hashboard::Duration>(best, 1ms);
}

std::map<unsigned, std::vector<hashboard::ChipCounters>> read_counters(hashboard::Board &board)
{
	std::map<unsigned, std::vector<hashboard::ChipCounters>> out;
	for (const auto &r : board.bring_up_report())
		if (r.scan.found() > 0)
			out[r.chain_id] = board.chain(r.chain_id).read_chip_counters();
	return out;
}

bool powered(const hashboard::Board &board)
{
	const auto s = board.state();
	return s == hashboard::BoardState::enumerated || s == hashboard::BoardState::mining;
}

// Mines for seconds of board time under the supervisor; returns the seconds mined.
double mine(Context &c, double seconds)
{
	hashboard::Board &board = c.board;
	hashboard::Clock &clock = board.clock();
	hashboard::SyntheticWorkSource work(board.config().sim.seed.value_or(1));
	const hashboard::Duration interval = job_interval(board);
	const hashboard::Duration start = clock.now();
	const hashboard::Duration end = start + hashboard::from_seconds(seconds, "pattern seconds");
	const hashboard::Duration report_every =
	    std::max<hashboard::Duration>(1s, (end - start) / 5);
	hashboard::Duration next_job = start, next_tick = start + kTick,
	                    next_report = start + report_every;
	while (board.state() != hashboard::BoardState::tripped) {
		const hashboard::Duration now = clock.now();
		if (now >= end)
			break;
		if (now >= next_job) {
			board.send_work([&] { return work.next(); });
			next_job += interval;
			continue;
		}
		if (board.state() == hashboard::BoardState::mining)
			board.poll(std::min({next_job, next_tick, end}) - now, {});
		if (clock.now() >= next_tick) {
			board.update(clock.now());
			c.supervisor.tick(clock.now());
			next_tick += kTick;
		}
		if (clock.now() >= next_report) {
			std::uint64_t valid = 0;
			for (unsigned id : board.chain_ids())
				for (const auto &st : board.chain(id).chip_stats())
					valid += st.valid;
			c.say(fmt::format("      {:.1f} of {:.1f} s, {} valid nonces",
			                  hashboard::to_seconds(clock.now() - start), seconds,
			                  valid));
			next_report += report_every;
		}
	}
	return hashboard::to_seconds(clock.now() - start);
}

void judge_chip(const PatternStep &p, const hashboard::Chain &chain, const hashboard::ChipStats &st,
                ChipResult &cr, double seconds, StepResult &r)
{
	cr.valid = st.valid;
	cr.hw_errors = st.hw_errors;
	cr.host_hashes = st.credited_hashes;
	cr.expected =
	    expected_nonces(seconds, chip_rate(chain, cr.position), chain.ticket_difficulty_log2());
	cr.min_valid = min_valid_nonces(cr.expected, p);
	const std::string where =
	    cr.domain.empty() ? std::string() : fmt::format(" and domain {}'s voltage", cr.domain);
	if (double(st.valid) < cr.min_valid) {
		cr.verdict = Verdict::fail;
		cr.reason = fmt::format("{} valid nonces, expected {:.1f} (fails below {:g})",
		                        st.valid, cr.expected, cr.min_valid);
		fail(r, {cr.reason, cr.chain, cr.position, cr.domain, "",
		         st.valid == 0 && st.hw_errors == 0
		             ? "a chip that answers but returns no nonces: its reply path (RO) or "
		               "dead cores; replace the chip"
		             : "a slow chip (dead cores or throttling): its heatsink and thermal "
		               "paste" +
		                   where + "; else replace the chip"});
	}
	cr.cores = chain.family().cores;
	cr.cores_seen = st.cores_seen();
	if (p.min_core_fraction > 0 && cr.cores > 0) {
		const double n = cr.cores;
		const double seen = n * (1.0 - std::exp(-cr.expected / n));
		if (cr.cores_seen < p.min_core_fraction * seen) {
			cr.verdict = Verdict::fail;
			const std::string why =
			    fmt::format("{} of {} cores found nonces, {:.0f} expected to",
			                cr.cores_seen, cr.cores, seen);
			cr.reason += (cr.reason.empty() ? "" : "; ") + why;
			fail(r, {why, cr.chain, cr.position, cr.domain, "",
			         "dead cores: replace the chip"});
		}
	}
	// A handful of errors is no evidence: the rate counts from three on.
	if (st.hw_errors >= 3 && cr.hw_error_rate() > p.max_hw_error_rate) {
		cr.verdict = Verdict::fail;
		const std::string why =
		    fmt::format("hardware-error rate {:.1f} % ({} of {})", 100 * cr.hw_error_rate(),
		                st.hw_errors, st.valid + st.hw_errors);
		cr.reason += (cr.reason.empty() ? "" : "; ") + why;
		fail(r,
		     {why, cr.chain, cr.position, cr.domain, "",
		      fmt::format("an unstable chip at {:.0f} MHz: its voltage{} and cooling; if "
		                  "they are right, replace the chip",
		                  cr.freq_mhz, where)});
	}
}

// Per voltage domain, in chain order: the chips that answered and what they did.
std::vector<DomainResult> domain_results(Context &c, double seconds)
{
	std::vector<DomainResult> out;
	for (const auto &cr : c.result.chips) {
		if (!cr.answered || !cr.valid)
			continue;
		auto it = std::find_if(out.begin(), out.end(), [&](const DomainResult &d) {
			return d.chain == cr.chain && d.name == cr.domain;
		});
		if (it == out.end())
			it = out.insert(out.end(), DomainResult{cr.domain, cr.chain});
		const hashboard::Chain &chain = c.board.chain(cr.chain);
		++it->chips;
		it->failed += cr.verdict == Verdict::fail;
		it->valid += double(*cr.valid);
		it->expected += cr.expected;
		it->ghs += seconds > 0 ? cr.host_hashes / seconds / 1e9 : 0.0;
		it->nominal_ghs += chip_rate(chain, cr.position) / 1e9;
	}
	return out;
}

} // namespace

void run_pattern(Context &c, const PlanStep &s, StepResult &r)
{
	const PatternStep &p = s.pattern;
	hashboard::Board &board = c.board;
	const double seconds = run_seconds(board, p);
	r.threshold = fmt::format("per chip: valid >= min({:g} x expected, expected - {:g} "
	                          "sqrt(expected)); hw errors <= {:g} %",
	                          p.min_fraction, p.z, 100 * p.max_hw_error_rate);
	PatternWindow w;
	for (unsigned id : board.chain_ids())
		board.chain(id).reset_stats();
	w.before = board.read_sensors();
	w.counters_before = read_counters(board);
	c.say(fmt::format("      known work for {:.1f} s of board time", seconds));
	w.seconds = mine(c, seconds);
	w.tripped = board.state() == hashboard::BoardState::tripped;
	w.after = board.read_sensors();
	if (powered(board))
		w.counters_after = read_counters(board);
	if (w.tripped)
		fail(r,
		     {"the board tripped: " + board.trip_reason()->message(),
		      {},
		      {},
		      "",
		      board.trip_reason()->device,
		      "the device the trip names (a fan, a sensor, a regulator) before the chips"});

	unsigned judged = 0, failed = 0;
	double worst_ratio = 1e300;
	std::string worst;
	for (unsigned id : board.chain_ids()) {
		const hashboard::Chain &chain = board.chain(id);
		const auto &stats = chain.chip_stats();
		for (unsigned pos = 0; pos < stats.size(); ++pos) {
			ChipResult *cr = c.chip(id, pos);
			if (!cr || !cr->answered)
				continue;
			++judged;
			judge_chip(p, chain, stats[pos], *cr, w.seconds, r);
			if (cr->verdict == Verdict::fail)
				++failed;
			const double ratio =
			    cr->expected > 0 ? double(*cr->valid) / cr->expected : 1;
			if (ratio < worst_ratio) {
				worst_ratio = ratio;
				worst = fmt::format("chain {} chip {}: {} of {:.1f}", id, pos,
				                    *cr->valid, cr->expected);
			}
		}
	}
	r.measured = fmt::format("{:.1f} s: {} of {} chips fail; lowest {}", w.seconds, failed,
	                         judged, worst.empty() ? "-" : worst);
	c.result.domains = domain_results(c, w.seconds);
	for (const auto &d : c.result.domains)
		c.say(
		    fmt::format("      chain {} domain {}: {:.1f} of {:.1f} GH/s nominal, {} of {} "
		                "chips fail",
		                d.chain, d.name.empty() ? "-" : d.name, d.ghs, d.nominal_ghs,
		                d.failed, d.chips));
	c.pattern = std::move(w);
}

void run_counters(Context &c, const PlanStep &s, StepResult &r)
{
	r.threshold = fmt::format("|host - chip| / chip <= {:g}, hashes the nonces received "
	                          "stand for against the chip's counter (wider for few nonces)",
	                          s.counters.tolerance);
	if (!c.pattern) {
		r.verdict = Verdict::skipped;
		r.note = "the pattern test did not run";
		return;
	}
	const PatternWindow &w = *c.pattern;
	if (w.counters_after.empty()) {
		r.verdict = Verdict::skipped;
		r.note = "the chips were off after the pattern run: no counters to read";
		return;
	}
	unsigned compared = 0;
	double worst = 0;
	for (const auto &[chain, after] : w.counters_after) {
		const auto bit = w.counters_before.find(chain);
		for (const auto &a : after) {
			ChipResult *cr = c.chip(chain, a.position);
			if (!cr || !a.nominal_hashes || !cr->valid ||
			    bit == w.counters_before.end())
				continue;
			const auto b =
			    std::find_if(bit->second.begin(), bit->second.end(),
			                 [&](const auto &x) { return x.position == a.position; });
			if (b == bit->second.end() || !b->nominal_hashes)
				continue;
			const double chip = *a.nominal_hashes - *b->nominal_hashes;
			cr->chip_hashes = chip;
			// Every nonce the chip sent stands for 2^(32 + ticket) hashes, a wrong one
			// too: the pattern step judged correctness, this judges the return path.
			const unsigned ticket = c.board.chain(chain).ticket_difficulty_log2();
			const std::uint64_t sent = *cr->valid + cr->hw_errors;
			const double host = std::ldexp(double(sent), int(32 + ticket));
			++compared;
			if (chip <= 0) {
				fail(r, {"its hash counter did not move", chain, a.position,
				         cr->domain, "",
				         "a chip that does not hash: its clock, PLL and supply"});
				continue;
			}
			const double dev = std::abs(host - chip) / chip;
			worst = std::max(worst, dev);
			const double allowed =
			    std::max(s.counters.tolerance, 4.0 / std::sqrt(double(sent) + 1));
			if (dev > allowed) {
				fail(r, {fmt::format(
				             "the host received nonces for {:.3g} hashes, the chip "
				             "counted {:.3g} ({:.0f} % apart)",
				             host, chip, 100 * dev),
				         chain, a.position, cr->domain, "",
				         host < chip ? "nonces lost between the chip and the host: "
				                       "the reply path "
				                       "(RO/BO) from this chip on, its baud"
				                     : "the chip's counter lags: a chip that "
				                       "resets or drops its "
				                       "clock"});
				if (cr->verdict != Verdict::fail) {
					cr->verdict = Verdict::fail;
					cr->reason = "counters disagree with the host";
				}
			}
		}
	}
	if (compared == 0) {
		r.verdict = Verdict::skipped;
		r.note = "no chip has a hash counter to compare";
		return;
	}
	r.measured = fmt::format("{} chips compared, worst {:.1f} % apart", compared, 100 * worst);
}

void run_temperature(Context &c, const PlanStep &s, StepResult &r)
{
	const double max_c = s.temperature.max_c.value_or(c.board.config().limits.temp_warn_c);
	r.threshold =
	    fmt::format("rise <= {:g} C, hottest <= {:g} C", s.temperature.max_rise_c, max_c);
	if (!c.pattern) {
		r.verdict = Verdict::skipped;
		r.note = "the pattern test did not run";
		return;
	}
	const PatternWindow &w = *c.pattern;
	double rise = -1e300, hottest = -1e300;
	std::string rise_at, hot_at;
	for (const auto &a : w.after) {
		if (!a.celsius)
			continue;
		if (*a.celsius > hottest) {
			hottest = *a.celsius;
			hot_at = a.name;
		}
		for (const auto &b : w.before)
			if (b.name == a.name && b.celsius && *a.celsius - *b.celsius > rise) {
				rise = *a.celsius - *b.celsius;
				rise_at = a.name;
			}
	}
	if (hot_at.empty()) {
		r.verdict = Verdict::skipped;
		r.note = "no sensor read after the pattern run";
		return;
	}
	r.measured = fmt::format("hottest {:.1f} C ({})", hottest, hot_at);
	if (!rise_at.empty())
		r.measured +=
		    fmt::format(", rise {:.1f} C ({}) over {:.1f} s", rise, rise_at, w.seconds);
	if (!rise_at.empty() && rise > s.temperature.max_rise_c)
		fail(r, {fmt::format("rose {:.1f} C in {:.1f} s", rise, w.seconds),
		         {},
		         {},
		         "",
		         "sensor " + rise_at,
		         "poor heat transfer: heatsinks, thermal paste, airflow and fans"});
	if (hottest > max_c)
		fail(r, {fmt::format("reads {:.1f} C after the run", hottest),
		         {},
		         {},
		         "",
		         "sensor " + hot_at,
		         "the cooling: fans, heatsinks, intake temperature"});
}

} // namespace station::detail
