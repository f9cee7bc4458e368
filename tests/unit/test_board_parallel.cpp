// SPDX-License-Identifier: MIT
// The chains of a board come up and go down in parallel: a 3-chain board takes the board
// time of one chain (virtual time, so the figure is a behaviour, not a measurement), a
// failure on one chain still ends with the board off and the reason logged, and a seed
// replays exactly: same log lines in the same order, same per-chip results. In real time
// the chains run on threads of their own.
#include <boost/test/unit_test.hpp>

#include "board_rig.hpp"

#include <hashboard/work.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace hashboard;
using namespace std::chrono_literals;
using boardtest::board_text;
using boardtest::Rig;

namespace {

std::filesystem::path boards_dir()
{
	return std::filesystem::path(HB_VECTORS_DIR).parent_path().parent_path() / "boards";
}

struct Timed {
	Duration bring_up{};
	Duration power_down{};
};

Timed time_board(const std::string &text)
{
	Rig rig(text);
	Board &b = *rig.board;
	b.power_up();
	const Duration t0 = rig.clock.now();
	b.start_chains();
	const Duration t1 = rig.clock.now();
	b.power_down();
	return {t1 - t0, rig.clock.now() - t1};
}

bool contains(const std::vector<std::string> &lines, const std::string &part)
{
	return std::any_of(lines.begin(), lines.end(),
	                   [&](const std::string &l) { return l.find(part) != std::string::npos; });
}

long index_of(const std::vector<std::string> &lines, const std::string &part)
{
	for (std::size_t i = 0; i < lines.size(); ++i)
		if (lines[i].find(part) != std::string::npos)
			return long(i);
	return -1;
}

} // namespace

BOOST_AUTO_TEST_CASE(three_chains_take_the_board_time_of_one)
{
	const Timed one = time_board(board_text(1, 8));
	const Timed three = time_board(board_text(3, 8));
	BOOST_TEST_MESSAGE("bring-up 1 chain " << to_seconds(one.bring_up) << " s, 3 chains "
	                                       << to_seconds(three.bring_up) << " s; power-down "
	                                       << to_seconds(one.power_down) << " s, "
	                                       << to_seconds(three.power_down) << " s");
	BOOST_TEST(to_seconds(one.bring_up) > 5.0); // a whole 6.25 MHz/100 ms ramp to 485 MHz
	BOOST_TEST(to_seconds(three.bring_up) <= 1.1 * to_seconds(one.bring_up));
	BOOST_TEST(to_seconds(one.power_down) > 5.0);
	BOOST_TEST(to_seconds(three.power_down) <= 1.1 * to_seconds(one.power_down));
}

BOOST_AUTO_TEST_CASE(a15_class_board_comes_up_in_the_time_of_one_chain)
{
	BoardConfig three = load_board_config(boards_dir() / "a15-class-sim.toml");
	BoardConfig one = three;
	one.chains.resize(1);
	one.domains.resize(1);
	one.regulators.resize(1);
	const auto run = [](const BoardConfig &c) {
		Rig rig(c);
		rig.board->power_up();
		const Duration t0 = rig.clock.now();
		const auto &report = rig.board->start_chains();
		for (const auto &r : report)
			BOOST_TEST(r.scan.found() == 160u);
		return rig.clock.now() - t0;
	};
	const Duration t1 = run(one), t3 = run(three);
	BOOST_TEST(to_seconds(t3) <= 1.1 * to_seconds(t1));
}

BOOST_AUTO_TEST_CASE(chain_logs_come_out_by_time_then_chain)
{
	Rig rig(board_text(3, 4));
	std::vector<std::string> lines;
	std::vector<Duration> stamps;
	rig.board->set_logger([&](Duration when, const std::string &l) {
		lines.push_back(l);
		stamps.push_back(when);
	});
	rig.board->power_up();
	rig.board->start_chains();
	const long released = index_of(lines, "resets released");
	BOOST_TEST_REQUIRE(released >= 0);
	// Stamped with their chain's time, which never runs backwards in the log.
	for (std::size_t i = 1; i < stamps.size(); ++i)
		BOOST_TEST(stamps[i - 1] <= stamps[i]);
	// Each chain's enumeration ends at the same chain time, its ramp too: so first every
	// chain's count, in chain order, then every chain's speed line.
	std::vector<long> at;
	for (const char *l : {"chain 0: 4 of 4", "chain 1: 4 of 4", "chain 2: 4 of 4",
	                      "chain 0: 1041667 Bd", "chain 1: 1041667 Bd", "chain 2: 1041667 Bd"})
		at.push_back(index_of(lines, l));
	BOOST_TEST(released < at.front());
	for (std::size_t i = 1; i < at.size(); ++i)
		BOOST_TEST(at[i - 1] < at[i]);
}

namespace {

// Chain `victim`'s link dies (every call throws) once its chain's clock reaches fail_at:
// a cable pulled during the PLL ramp.
class DyingLink final : public Transport {
public:
	DyingLink(std::unique_ptr<Transport> inner, Clock &clock, Duration fail_at)
	    : inner_(std::move(inner)), clock_(clock), fail_at_(fail_at)
	{
	}
	void write(ByteSpan d) override
	{
		check();
		inner_->write(d);
	}
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override
	{
		check();
		return inner_->read(buf, timeout);
	}
	void set_baud(std::uint32_t b) override
	{
		check();
		inner_->set_baud(b);
	}
	std::uint32_t baud() const override { return inner_->baud(); }
	void flush_input() override
	{
		check();
		inner_->flush_input();
	}
	bool has_reset() const override { return inner_->has_reset(); }
	void set_reset(bool a) override { inner_->set_reset(a); }
	std::string describe() const override { return "dying(" + inner_->describe() + ")"; }

private:
	void check() const
	{
		if (clock_.now() >= fail_at_)
			throw TransportError("link lost (simulated)", 5);
	}
	std::unique_ptr<Transport> inner_;
	Clock &clock_;
	Duration fail_at_;
};

class FactoryWithDyingLink final : public DeviceFactory {
public:
	FactoryWithDyingLink(std::shared_ptr<SimDeviceFactory> sim, unsigned victim,
	                     Duration fail_at)
	    : sim_(std::move(sim)), victim_(victim), fail_at_(fail_at)
	{
	}
	ChainLink open_chain(const ChainSpec &s, Clock &c) override
	{
		ChainLink link = sim_->open_chain(s, c);
		if (s.id == victim_)
			link.transport =
			    std::make_unique<DyingLink>(std::move(link.transport), c, fail_at_);
		return link;
	}
	std::shared_ptr<Regulator> make_regulator(const RegulatorSpec &s) override
	{
		return sim_->make_regulator(s);
	}
	std::shared_ptr<TemperatureSensor> make_sensor(const SensorSpec &s) override
	{
		return sim_->make_sensor(s);
	}
	std::shared_ptr<Fan> make_fan(const FanSpec &s) override { return sim_->make_fan(s); }
	std::shared_ptr<GpioLine> make_gpio(const GpioSpec &s) override
	{
		return sim_->make_gpio(s);
	}

private:
	std::shared_ptr<SimDeviceFactory> sim_;
	unsigned victim_;
	Duration fail_at_;
};

struct FailedBringUp {
	std::string error;
	std::vector<std::string> lines;
	Duration took{};
	BoardState state = BoardState::mining;
};

FailedBringUp fail_chain(unsigned victim, VirtualClock &clock,
                         std::shared_ptr<SimDeviceFactory> &twins, std::unique_ptr<Board> &b)
{
	const BoardConfig c = parse_board_config(board_text(3, 4), "rig.toml");
	twins = std::make_shared<SimDeviceFactory>(c, clock);
	// Three seconds in: inside the PLL ramp (power-up and reset take a fraction of one).
	b = std::make_unique<Board>(
	    c, clock, std::make_shared<FactoryWithDyingLink>(twins, victim, clock.now() + 3s));
	FailedBringUp out;
	b->set_logger([&out](const std::string &l) { out.lines.push_back(l); });
	b->power_up();
	const Duration t0 = clock.now();
	try {
		b->start_chains();
		BOOST_ERROR("start_chains succeeded on a dead link");
	} catch (const TransportError &e) {
		out.error = e.what();
	}
	out.took = clock.now() - t0;
	out.state = b->state();
	return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_failing_chain_switches_the_whole_board_off)
{
	const Duration full = time_board(board_text(3, 4)).bring_up;
	for (unsigned victim : {0u, 1u, 2u}) {
		BOOST_TEST_CONTEXT("chain " << victim << " fails")
		{
			VirtualClock clock;
			std::shared_ptr<SimDeviceFactory> twins;
			std::unique_ptr<Board> b;
			const FailedBringUp f = fail_chain(victim, clock, twins, b);
			BOOST_TEST(f.error.find("link lost") != std::string::npos, f.error);
			BOOST_TEST((f.state == BoardState::off));
			const std::string name = "chain " + std::to_string(victim);
			BOOST_TEST(contains(f.lines, name + ": failed: link lost"));
			BOOST_TEST(contains(f.lines, "chain bring-up failed"));
			BOOST_TEST(index_of(f.lines, name + ": failed") <
			           index_of(f.lines, "chain bring-up failed"));
			// Everything off, every chain held in reset, every PLL that still has a
			// link ramped down first. (A sample is taken before each write, so the
			// history ends one 100 MHz trip step above the floor.)
			for (unsigned id = 0; id < 3; ++id) {
				BOOST_TEST(!twins->chain_powered(id));
				BOOST_TEST(twins->chain_in_reset(id));
				// And every Chain knows it: off, as its unpowered chips are.
				BOOST_TEST((b->chain(id).state() == ChainState::off));
				BOOST_TEST(
				    !twins->regulator("r" + std::to_string(id)).status().output_on);
				if (id == victim)
					continue;
				BOOST_TEST(twins->frequency_history(id).back().max_mhz <= 150.0);
			}
			// The chains running when it failed stopped there instead of ramping on.
			for (unsigned id = victim + 1; id < 3; ++id)
				BOOST_TEST(
				    contains(f.lines, "chain " + std::to_string(id) +
				                          ": stopped, another chain failed"));
			if (victim == 0)
				BOOST_TEST(to_seconds(f.took) < 0.8 * to_seconds(full));
		}
	}
}

namespace {

struct RunRecord {
	std::vector<std::string> lines;
	std::vector<std::tuple<unsigned, unsigned, std::uint64_t, std::uint64_t, double>> chips;
	std::vector<std::tuple<Duration, std::string, std::string>> journal;
	Duration end{};
};

RunRecord seeded_run()
{
	const std::string faults = "[[sim.fault]]\ntype = \"dead_chip\"\nchain = 1\nposition = 5\n"
	                           "[[sim.fault]]\ntype = \"mute_chip\"\nchain = 2\nposition = 2\n";
	Rig rig(board_text(3, 8, faults));
	RunRecord r;
	Board &b = *rig.board;
	b.set_logger([&r](Duration when, const std::string &l) {
		r.lines.push_back(std::to_string(when.count()) + " " + l);
	});
	b.power_up();
	b.start_chains();
	SyntheticWorkSource work(9);
	const Duration end = rig.clock.now() + 1s;
	while (rig.clock.now() < end) {
		b.send_work([&] { return work.next(); });
		b.poll(200ms, {});
	}
	for (unsigned id : b.chain_ids()) {
		const auto &stats = b.chain(id).chip_stats();
		for (unsigned p = 0; p < stats.size(); ++p)
			r.chips.emplace_back(id, p, stats[p].valid, stats[p].hw_errors,
			                     rig.twins->chip_frequency_mhz(id, p));
	}
	b.power_down();
	for (const auto &e : rig.twins->journal())
		r.journal.emplace_back(e.t, e.device, e.what);
	r.end = rig.clock.now();
	return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_seed_replays_exactly)
{
	const RunRecord a = seeded_run();
	const RunRecord b = seeded_run();
	BOOST_TEST(a.lines == b.lines, boost::test_tools::per_element());
	BOOST_TEST(a.chips == b.chips);
	BOOST_TEST(a.journal == b.journal);
	BOOST_TEST(a.end == b.end);
	std::uint64_t valid = 0;
	for (const auto &c : a.chips)
		valid += std::get<2>(c);
	BOOST_TEST(valid > 0u);
}

BOOST_AUTO_TEST_CASE(real_time_chains_run_on_threads_of_their_own)
{
	// In-process chains on a real clock, with a ramp short enough for a test.
	BoardConfig c = parse_board_config(board_text(3, 4), "rig.toml");
	for (auto &chain : c.chains) {
		chain.ramp_step_mhz = 50;
		chain.ramp_interval = 5ms;
	}
	SteadyClock clock;
	auto twins = std::make_shared<SimDeviceFactory>(c, clock);
	Board b(c, clock, twins);
	std::mutex m;
	std::set<std::thread::id> threads;
	std::map<std::string, unsigned> steps;
	b.set_progress([&](std::string_view what) {
		std::lock_guard lock(m);
		threads.insert(std::this_thread::get_id());
		++steps[std::string(what)];
	});
	std::vector<std::string> lines;
	b.set_logger([&](const std::string &l) { lines.push_back(l); });
	b.power_up();
	const auto &report = b.start_chains();
	BOOST_TEST((b.state() == BoardState::enumerated));
	BOOST_TEST_REQUIRE(report.size() == 3u);
	for (const auto &r : report) {
		BOOST_TEST(r.scan.ok());
		BOOST_TEST(std::abs(r.max_mhz - 485.0) < 1.0);
	}
	{
		std::lock_guard lock(m);
		BOOST_TEST(threads.size() == 3u);
		BOOST_TEST(!threads.count(std::this_thread::get_id()));
		for (unsigned id = 0; id < 3; ++id)
			BOOST_TEST(steps["chain " + std::to_string(id) + ": PLL ramp"] > 5u);
	}
	for (unsigned id = 0; id < 3; ++id)
		BOOST_TEST(
		    contains(lines, "chain " + std::to_string(id) + ": 4 of 4 chips answered"));
	threads.clear();
	b.power_down();
	BOOST_TEST((b.state() == BoardState::off));
	BOOST_TEST(threads.size() == 3u);
	for (unsigned id = 0; id < 3; ++id) {
		BOOST_TEST(twins->frequency_history(id).back().max_mhz == 50.0);
		BOOST_TEST(twins->chain_in_reset(id));
	}
}
