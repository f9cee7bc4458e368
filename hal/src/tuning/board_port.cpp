// SPDX-License-Identifier: MIT
// BoardTuningPort: a brought-up Board as the tuner sees it. The measuring loop is
// hbctl board mine's: a job per chain at the chain's job interval, the safety
// supervisor every 100 ms of board time, and the chips' host-side counts (valid and
// wrong nonces, ChipStats) differenced over the window.
#include <hashboard/board/board.hpp>
#include <hashboard/board/safety.hpp>
#include <hashboard/tuning/tuning_port.hpp>
#include <hashboard/work.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

namespace hashboard {

namespace {

using namespace std::chrono_literals;

constexpr Duration kTick = 100ms;
constexpr Duration kSensorEvery = 1s;
// The wire share a tuning window's nonces may fill: the bring-up's choice leaves room
// for a 4x rise of the nonce rate; the tuner wants the nonces and the wrong ones too.
constexpr double kTuningWireShare = 0.5;

TuningTopology topology_of(Board &board)
{
	const BoardConfig &cfg = board.config();
	TuningTopology t;
	t.board = cfg.name;
	t.freq_min_mhz = cfg.limits.freq_min_mhz;
	t.freq_max_mhz = cfg.limits.freq_max_mhz;
	t.power_max_w = cfg.limits.power_max_w;
	t.temp_warn_c = cfg.limits.temp_warn_c;
	t.temp_trip_c = cfg.limits.temp_trip_c;
	for (const auto &f : cfg.fans)
		t.fans_have_loop = t.fans_have_loop || f.target_c.has_value();
	for (const auto &r : board.bring_up_report()) {
		const Chain &chain = board.chain(r.chain_id);
		t.chips[r.chain_id] = r.scan.found();
		const ChipFamily &fam = chain.family();
		t.family[r.chain_id] = std::string(fam.name);
		double stock = fam.nominal_freq_mhz;
		for (const auto &c : cfg.chains)
			if (c.id == r.chain_id && c.frequency_mhz > 0)
				stock = c.frequency_mhz;
		t.stock_mhz[r.chain_id] = stock;
		t.freq_min_mhz = std::max(t.freq_min_mhz, fam.pll.freq_min_mhz);
		t.freq_max_mhz =
		    std::min(t.freq_max_mhz > 0 ? t.freq_max_mhz : fam.pll.freq_max_mhz,
		             fam.pll.freq_max_mhz);
	}
	for (const auto &reg : cfg.regulators) {
		TuningRail rail;
		rail.regulator = reg.name;
		const VoltageLimits lim = cfg.vout_limits(reg);
		rail.min_mv = lim.min_mv;
		rail.max_mv = lim.max_mv;
		rail.stock_mv = reg.default_mv;
		for (const auto &d : cfg.domains) {
			if (d.regulator != reg.name)
				continue;
			rail.domains.push_back(d.name);
			const auto found = t.chips.find(d.chain);
			if (found == t.chips.end())
				continue;
			auto &positions = rail.chips[d.chain];
			for (unsigned p = 0; p < found->second; ++p)
				if (d.contains(p) && std::find(positions.begin(), positions.end(),
				                               p) == positions.end())
					positions.push_back(p);
			std::sort(positions.begin(), positions.end());
		}
		if (!rail.domains.empty())
			t.rails.push_back(std::move(rail));
	}
	return t;
}

} // namespace

struct BoardTuningPort::Impl {
	Board &board;
	SafetySupervisor &supervisor;
	WorkFn next_work;
	std::function<void(const TuningSample &)> observer;
	Board::NonceSink sink;
	Duration next_tick{};
	Duration next_job{};
	std::optional<Duration> changed_since; // the first change since the last window
	void changed()
	{
		if (!changed_since)
			changed_since = board.clock().now();
	}
};

BoardTuningPort::BoardTuningPort(Board &board, SafetySupervisor &supervisor, WorkFn next_work)
    : impl_(std::make_unique<Impl>(
          Impl{board, supervisor, std::move(next_work), {}, {}, {}, {}, std::nullopt})),
      topology_(topology_of(board))
{
	if (board.state() != BoardState::enumerated && board.state() != BoardState::mining)
		throw std::logic_error("BoardTuningPort: the board must be brought up (it is " +
		                       std::string(board_state_name(board.state())) + ")");
}

BoardTuningPort::~BoardTuningPort() = default;

Duration BoardTuningPort::now() const
{
	return impl_->board.clock().now();
}

void BoardTuningPort::set_observer(std::function<void(const TuningSample &)> observer)
{
	impl_->observer = std::move(observer);
}

void BoardTuningPort::set_nonce_sink(
    std::function<void(unsigned chain_id, const NonceEvent &)> sink)
{
	impl_->sink = std::move(sink);
}

bool BoardTuningPort::mine_for(Duration d, const std::function<bool()> &each_tick)
{
	Board &board = impl_->board;
	Clock &clock = board.clock();
	const Duration end = clock.now() + d;
	impl_->next_job = std::max(impl_->next_job, clock.now());
	impl_->next_tick = std::max(impl_->next_tick, clock.now());
	const Duration job_every = job_interval();
	while (board.state() != BoardState::tripped && clock.now() < end) {
		const Duration now = clock.now();
		if (now >= impl_->next_job) {
			board.send_work(impl_->next_work);
			impl_->next_job += job_every;
			continue;
		}
		const Duration until = std::min({impl_->next_job, impl_->next_tick, end});
		if (board.state() == BoardState::mining)
			board.poll(until - now, impl_->sink);
		else
			clock.sleep_for(until - now);
		if (clock.now() >= impl_->next_tick) {
			board.update(clock.now());
			impl_->supervisor.tick(clock.now());
			impl_->next_tick += kTick;
			if (each_tick && !each_tick())
				return false;
		}
	}
	return true;
}

Duration BoardTuningPort::job_interval() const
{
	Duration every = 1s;
	for (const auto &[id, n] : topology_.chips)
		if (n > 0)
			every = std::min(every, impl_->board.chain(id).job_interval());
	return std::max<Duration>(every, 1ms);
}

TuningSample BoardTuningPort::run(Duration d, const RunStop &stop)
{
	Board &board = impl_->board;
	Clock &clock = board.clock();
	// While one chain's PLLs ramp the others hash unread, and their nonces arrive after
	// the change: counted in the window they would credit it with hashes done before
	// it, at the old settings. The backlog drains in about the time it built up in, so
	// the board mines uncounted that long (at least a second) first.
	if (impl_->changed_since) {
		const Duration built = clock.now() - *impl_->changed_since;
		impl_->changed_since.reset();
		mine_for(std::clamp<Duration>(built * 3 / 2, 1s, 10s), [this] {
			if (impl_->observer)
				impl_->observer(TuningSample{});
			return true;
		});
		if (board.state() == BoardState::tripped) {
			TuningSample t;
			t.start = clock.now();
			t.tripped = true;
			if (const auto reason = board.trip_reason())
				t.trip = reason->message();
			return t;
		}
	}
	TuningSample s;
	s.start = clock.now();
	std::map<unsigned, std::vector<ChipStats>> before;
	for (const auto &[id, n] : topology_.chips)
		before[id] = board.chain(id).chip_stats();
	double energy_j = 0, power_s = 0;
	std::map<std::string, double> rail_j;
	Duration last_power = s.start, next_sensor = s.start;
	auto sample_devices = [&](Duration now) {
		double total = 0;
		const double dt = to_seconds(now - last_power);
		for (const auto &r : board.read_regulators()) {
			total += r.power_w();
			rail_j[r.name] += r.power_w() * dt;
		}
		energy_j += total * dt;
		power_s += dt;
		last_power = now;
		s.max_power_w = std::max(s.max_power_w, total);
		for (const auto &r : board.read_sensors())
			if (r.celsius)
				s.hottest_c =
				    std::max(s.hottest_c.value_or(*r.celsius), *r.celsius);
	};
	sample_devices(s.start);
	mine_for(d, [&] {
		if (clock.now() < next_sensor)
			return true;
		sample_devices(clock.now());
		next_sensor += kSensorEvery;
		if (s.max_power_w > stop.power_w || s.hottest_c.value_or(-273) > stop.hottest_c) {
			s.stopped = true;
			return false;
		}
		if (impl_->observer) {
			s.elapsed = clock.now() - s.start;
			s.power_w = power_s > 0 ? energy_j / power_s : 0;
			impl_->observer(s);
		}
		return true;
	});
	if (board.state() == BoardState::tripped) {
		s.tripped = true;
		if (const auto reason = board.trip_reason())
			s.trip = reason->message();
	} else {
		sample_devices(clock.now());
	}
	s.elapsed = clock.now() - s.start;
	s.power_w = power_s > 0 ? energy_j / power_s : 0;
	for (const auto &[name, j] : rail_j)
		s.rail_w[name] = power_s > 0 ? j / power_s : 0;
	double hashes = 0;
	for (const auto &[id, old] : before) {
		const auto &now = board.chain(id).chip_stats();
		auto &out = s.chips[id];
		out.resize(now.size());
		for (std::size_t p = 0; p < now.size(); ++p) {
			const ChipStats base = p < old.size() ? old[p] : ChipStats{};
			out[p].valid = now[p].valid - base.valid;
			out[p].errors = now[p].hw_errors - base.hw_errors;
			out[p].hashes = now[p].credited_hashes - base.credited_hashes;
			hashes += out[p].hashes;
		}
	}
	const double secs = to_seconds(s.elapsed);
	s.hashrate_ths = secs > 0 ? hashes / secs / 1e12 : 0;
	for (const auto &f : board.read_fans())
		s.fan_duty = std::max(s.fan_duty, f.duty);
	if (impl_->observer)
		impl_->observer(s);
	return s;
}

void BoardTuningPort::set_chain_mhz(unsigned chain_id, const std::vector<double> &mhz)
{
	for (double f : mhz)
		if (!std::isfinite(f) || f < topology_.freq_min_mhz || f > topology_.freq_max_mhz)
			throw std::invalid_argument("tuner: chain " + std::to_string(chain_id) +
			                            ": frequency outside the board's range");
	impl_->changed();
	impl_->board.set_chip_frequencies(chain_id, mhz);
}

const std::vector<double> &BoardTuningPort::chain_mhz(unsigned chain_id) const
{
	return impl_->board.chip_targets(chain_id);
}

double BoardTuningPort::set_rail_mv(const std::string &regulator, double mv)
{
	for (const auto &rail : topology_.rails)
		if (rail.regulator == regulator) {
			impl_->changed();
			return impl_->board.set_domain_voltage(
			    rail.domains.front(), std::clamp(mv, rail.min_mv, rail.max_mv));
		}
	throw std::invalid_argument("tuner: no rail '" + regulator + "'");
}

void BoardTuningPort::set_fan_cap(double duty)
{
	if (!std::isfinite(duty) || duty <= 0 || duty > 1)
		throw std::invalid_argument("tuner: fan cap must be in (0, 1]");
	if (!impl_->board.set_fan_loop_cap(duty))
		impl_->board.set_fan_duty(duty);
}

unsigned BoardTuningPort::set_ticket_log2(unsigned chain_id, unsigned k)
{
	Chain &chain = impl_->board.chain(chain_id);
	k = std::max(k, ticket_log2_floor(chain_id));
	if (k != chain.ticket_difficulty_log2()) {
		impl_->changed();
		chain.set_ticket_difficulty_log2(k);
	}
	return k;
}

unsigned BoardTuningPort::ticket_log2_floor(unsigned chain_id) const
{
	const Chain &chain = impl_->board.chain(chain_id);
	for (const auto &r : impl_->board.bring_up_report())
		if (r.chain_id == chain_id)
			return chain.ticket_log2_for_wire(double(r.baud), kTuningWireShare);
	return chain.ticket_difficulty_log2();
}

} // namespace hashboard
