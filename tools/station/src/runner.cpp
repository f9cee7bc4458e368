// SPDX-License-Identifier: MIT
// A plan's steps in order on one board, power-up first and power-down last, the
// safety supervisor watching throughout.
#include "steps.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

namespace station {

std::string_view verdict_name(Verdict verdict)
{
	switch (verdict) {
	case Verdict::pass:
		return "pass";
	case Verdict::fail:
		return "fail";
	case Verdict::skipped:
		break;
	}
	return "skipped";
}

double expected_nonces(double seconds, double hashes_per_second, unsigned ticket_log2)
{
	return seconds * hashes_per_second / std::ldexp(1.0, int(32 + ticket_log2));
}

double min_valid_nonces(double expected, const PatternStep &step)
{
	const double by_fraction = step.min_fraction * expected;
	const double by_noise = expected - step.z * std::sqrt(expected);
	return std::max(1.0, std::floor(std::min(by_fraction, by_noise)));
}

std::string format_finding(const Finding &f)
{
	std::string where;
	if (f.chain)
		where += fmt::format("chain {}", *f.chain);
	if (f.position)
		where += fmt::format("{}chip {}", where.empty() ? "" : " ", *f.position);
	if (!f.domain.empty())
		where += fmt::format("{}domain {}", where.empty() ? "" : ", ", f.domain);
	if (!f.device.empty())
		where += fmt::format("{}{}", where.empty() ? "" : ", ", f.device);
	std::string out = where.empty() ? f.what : where + ": " + f.what;
	if (!f.cause.empty())
		out += " -> " + f.cause;
	return out;
}

namespace detail {
namespace {

// Why a chip has no row of results: the break itself, past it, or silent on its own.
std::string missing_reason(const hashboard::ScanResult &scan, unsigned position)
{
	if (scan.break_after && position == *scan.break_after)
		return "the chain's break: does not answer";
	if (scan.break_after && position > *scan.break_after)
		return fmt::format("beyond the break at chip {}", *scan.break_after);
	return "relays but does not answer";
}

} // namespace

void fail(StepResult &r, Finding f)
{
	r.verdict = Verdict::fail;
	r.findings.push_back(std::move(f));
}

std::string Context::domain_of(unsigned chain, unsigned position) const
{
	for (const auto &d : board.config().domains)
		if (d.chain == chain && d.contains(position))
			return d.name;
	return "";
}

ChipResult *Context::chip(unsigned chain, unsigned position)
{
	for (auto &c : result.chips)
		if (c.chain == chain && c.position == position)
			return &c;
	return nullptr;
}

bool Context::ensure_chains()
{
	if (chains_started)
		return !chains_error;
	chains_started = true;
	try {
		const auto &report = board.start_chains();
		for (const auto &b : report) {
			const hashboard::Chain &chain = board.chain(b.chain_id);
			ChainSummary summary;
			summary.id = b.chain_id;
			summary.family = std::string(chain.family().name);
			summary.expected_chips = b.scan.expected;
			summary.found = b.scan.found();
			summary.ticket_log2 = b.ticket_log2;
			if (const auto &layout = board.config().chain(b.chain_id).layout) {
				summary.columns = layout->columns;
				summary.rows = layout->rows;
				summary.cells = hashboard::chip_cells(*layout, b.scan.expected);
			}
			result.chains.push_back(std::move(summary));
			const auto &freqs = chain.chip_frequencies_mhz();
			for (unsigned p = 0; p < b.scan.expected; ++p) {
				ChipResult cr;
				cr.chain = b.chain_id;
				cr.position = p;
				cr.domain = domain_of(b.chain_id, p);
				cr.answered = p < b.scan.chips.size() && b.scan.chips[p].answered;
				cr.freq_mhz = p < freqs.size() ? freqs[p] : 0.0;
				cr.verdict = cr.answered ? Verdict::pass : Verdict::fail;
				if (!cr.answered)
					cr.reason = missing_reason(b.scan, p);
				result.chips.push_back(cr);
			}
		}
	} catch (const std::exception &e) {
		chains_error = e.what();
	}
	return !chains_error;
}

std::optional<std::string> Context::blocked(bool needs_chains)
{
	if (power_error)
		return "the board did not power up: " + *power_error;
	if (board.state() == hashboard::BoardState::tripped)
		return "the board tripped: " + board.trip_reason()->message();
	if (needs_chains && !ensure_chains())
		return "the chains did not start: " + *chains_error;
	return std::nullopt;
}

} // namespace detail

namespace {

std::string utc_now()
{
	const std::time_t t = std::time(nullptr);
	std::tm tm{};
	gmtime_r(&t, &tm);
	char buf[32];
	std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

void run_step(detail::Context &c, const PlanStep &s, StepResult &r)
{
	using Fn = void (*)(detail::Context &, const PlanStep &, StepResult &);
	static constexpr Fn kSteps[] = {detail::run_supply,     detail::run_sensors,
	                                detail::run_fans,       detail::run_enumeration,
	                                detail::run_pattern,    detail::run_counters,
	                                detail::run_temperature};
	const bool needs_chains = s.kind == StepKind::enumeration || s.kind == StepKind::pattern;
	// Counters and temperature read what the pattern run left, even after a trip.
	const bool reads_window = s.kind == StepKind::counters || s.kind == StepKind::temperature;
	if (!reads_window && s.kind != StepKind::supply) {
		if (auto why = c.blocked(needs_chains)) {
			// Powered, and a link failed on the way up: the chains' failure, not a step
			// that could not run.
			if (c.chains_error && !c.power_error) {
				detail::fail(
				    r, {*why,
				        {},
				        {},
				        "",
				        "",
				        "the chain's link (its UART or adapter, the connector) and "
				        "the first chip"});
				return;
			}
			r.verdict = Verdict::skipped;
			r.note = *why;
			return;
		}
	}
	kSteps[std::size_t(s.kind)](c, s, r);
}

} // namespace

RunResult run_test_plan(hashboard::Board &board, const TestPlan &plan, const RunOptions &o)
{
	RunResult result;
	result.serial = o.serial;
	result.board = board.config().name;
	result.board_file = o.board_file;
	result.plan = plan.file.empty() ? plan.name : plan.name + " (" + plan.file + ")";
	result.started_utc = utc_now();
	result.simulated = o.simulated;
	hashboard::Clock &clock = board.clock();
	const hashboard::Duration start = clock.now();

	hashboard::SafetySupervisor supervisor(board);
	board.set_progress([&](std::string_view) { supervisor.kick(clock.now()); });
	std::optional<hashboard::Watchdog> watchdog;
	if (!clock.is_virtual())
		watchdog.emplace(supervisor, clock, std::chrono::milliseconds(100));
	detail::Context c{board, plan, o, result, supervisor, {}, {}, false, {}};

	// Faults and fan loops due now (the simulator's at_s = 0) before anything is read.
	board.update(clock.now());
	try {
		board.power_up();
		supervisor.tick(clock.now());
	} catch (const std::exception &e) {
		c.power_error = e.what();
	}
	const std::size_t n = plan.steps.size();
	for (std::size_t i = 0; i < n; ++i) {
		const PlanStep &s = plan.steps[i];
		StepResult r;
		r.kind = s.kind;
		r.name = s.name;
		r.verdict = Verdict::pass;
		c.say(fmt::format("[{}/{}] {} ...", i + 1, n, s.name));
		const hashboard::Duration t0 = clock.now();
		try {
			run_step(c, s, r);
		} catch (const std::exception &e) {
			detail::fail(
			    r, {std::string("the step stopped: ") + e.what(),
			        {},
			        {},
			        "",
			        "",
			        "the board or a link failed during the step: see the message"});
		}
		r.seconds = hashboard::to_seconds(clock.now() - t0);
		c.say(fmt::format("[{}/{}] {}: {}{}{}", i + 1, n, s.name, verdict_name(r.verdict),
		                  r.measured.empty() ? "" : "  " + r.measured,
		                  r.threshold.empty() ? "" : "  (limit: " + r.threshold + ")"));
		for (const auto &f : r.findings)
			c.say("      " + format_finding(f));
		if (r.verdict == Verdict::skipped && !r.note.empty())
			c.say("      " + r.note);
		result.steps.push_back(std::move(r));
	}
	// A board that would not power up fails even when the plan has no supply step.
	if (c.power_error && std::none_of(plan.steps.begin(), plan.steps.end(), [](const auto &s) {
		    return s.kind == StepKind::supply;
	    })) {
		StepResult r;
		r.kind = StepKind::supply;
		r.name = "power-up";
		r.verdict = Verdict::fail;
		r.findings.push_back({*c.power_error, {}, {}, "", "", "see the device named"});
		result.steps.insert(result.steps.begin(), std::move(r));
	}
	supervisor.disarm();
	watchdog.reset();
	board.set_progress({});
	if (board.state() != hashboard::BoardState::tripped &&
	    board.state() != hashboard::BoardState::off)
		board.power_down();
	result.board_seconds = hashboard::to_seconds(clock.now() - start);
	const bool failed =
	    std::any_of(result.steps.begin(), result.steps.end(),
	                [](const StepResult &r) { return r.verdict == Verdict::fail; }) ||
	    std::any_of(result.chips.begin(), result.chips.end(),
	                [](const ChipResult &ch) { return ch.verdict == Verdict::fail; });
	result.verdict = failed ? Verdict::fail : Verdict::pass;
	return result;
}

} // namespace station
