// SPDX-License-Identifier: MIT
// Board bring-up and bring-down on a simulated board, read back from the twins: power
// before reset release, ramps before full speed, break localisation on every chain,
// mining across chains, per-chip frequency and per-domain voltage, and every operation
// in every state that does not allow it.
#include <boost/test/unit_test.hpp>

#include "board_rig.hpp"
#include "hbtest.hpp"

#include <hashboard/work.hpp>
#include <hbsim/sim_chain.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

using namespace hashboard;
using namespace std::chrono_literals;
using boardtest::board_text;
using boardtest::Rig;

namespace {

constexpr double kRampStep = 6.25; // ChainConfig's default

using hbtest::boards_dir;

void mine_for(Board &board, Duration d, SyntheticWorkSource &work,
              const Board::NonceSink &sink = {})
{
	Clock &clock = board.clock();
	const Duration end = clock.now() + d;
	while (clock.now() < end && board.state() != BoardState::tripped) {
		board.send_work([&] { return work.next(); });
		board.poll(std::min<Duration>(200ms, end - clock.now()), sink);
	}
}

} // namespace

BOOST_AUTO_TEST_CASE(power_is_good_before_any_reset_is_released)
{
	Rig rig(board_text(2, 4));
	Board &b = *rig.board;
	BOOST_TEST((b.state() == BoardState::off));
	b.power_up();
	BOOST_TEST((b.state() == BoardState::powered));
	// While powered but not started, every chain is still held in reset.
	BOOST_TEST(rig.twins->chain_in_reset(0));
	b.start_chains();
	BOOST_TEST((b.state() == BoardState::enumerated));

	const long reset_held = rig.find("gpio:reset", "active");
	const long enable = rig.find("gpio:power_enable", "active");
	const long released = rig.find("gpio:reset", "inactive");
	BOOST_TEST_REQUIRE(reset_held >= 0);
	BOOST_TEST_REQUIRE(enable >= 0);
	BOOST_TEST_REQUIRE(released >= 0);
	BOOST_TEST(reset_held < enable);
	for (const char *r : {"regulator:r0", "regulator:r1"}) {
		const long vout = rig.find_prefix(r, "vout ");
		const long on = rig.find(r, "output on");
		BOOST_TEST_REQUIRE(vout >= 0);
		BOOST_TEST_REQUIRE(on >= 0);
		BOOST_TEST(enable < vout);
		BOOST_TEST(vout < on); // VOUT programmed before the output comes on
		BOOST_TEST(on < released);
	}
	for (const char *c : {"chain:0", "chain:1"}) {
		const long powered = rig.find(c, "powered");
		const long out_of_reset = rig.find(c, "reset released");
		BOOST_TEST_REQUIRE(powered >= 0);
		BOOST_TEST_REQUIRE(out_of_reset >= 0);
		BOOST_TEST(powered < out_of_reset);
		BOOST_TEST(released <= out_of_reset);
	}
	// The reset line moved exactly twice: asserted before power, released after.
	BOOST_TEST(rig.twins->gpio("reset").history() == (std::vector<bool>{true, false}));
	BOOST_TEST(rig.twins->regulator("r0").requests_sent().front() == 1200.0);
	BOOST_TEST(rig.twins->fan("fan0").duty() == 1.0);
}

BOOST_AUTO_TEST_CASE(plls_ramp_up_in_steps_before_full_speed)
{
	Rig rig(board_text(2, 4));
	Board &b = *rig.board;
	b.power_up();
	b.start_chains();
	for (unsigned id : {0u, 1u}) {
		BOOST_TEST_CONTEXT("chain " << id)
		{
			const auto &h = rig.twins->frequency_history(id);
			BOOST_TEST_REQUIRE(h.size() >= std::size_t((485.0 - 50.0) / kRampStep));
			BOOST_TEST(h.front().max_mhz <= 50.0 + kRampStep + 1e-6);
			for (std::size_t i = 1; i < h.size(); ++i) {
				BOOST_TEST(h[i].max_mhz > h[i - 1].max_mhz);
				BOOST_TEST(h[i].max_mhz - h[i - 1].max_mhz <= kRampStep + 0.5);
				BOOST_TEST(h[i].t > h[i - 1].t);
			}
			BOOST_TEST(h.back().min_mhz == h.back().max_mhz);
			BOOST_TEST(std::abs(h.back().max_mhz - 485.0) < 1.0);
			for (unsigned p = 0; p < 4; ++p)
				BOOST_TEST(std::abs(rig.twins->chip_frequency_mhz(id, p) - 485.0) <
				           1.0);
		}
	}
	const auto &report = b.bring_up_report();
	BOOST_TEST_REQUIRE(report.size() == 2u);
	for (const auto &r : report) {
		BOOST_TEST(r.scan.ok());
		// 1 MBd asked: the chips' divisor gives 1,041,667 and the host follows exactly.
		BOOST_TEST(r.baud == 1041667u);
		BOOST_TEST(std::abs(r.max_mhz - 485.0) < 1.0);
	}
}

BOOST_AUTO_TEST_CASE(power_down_ramps_then_resets_then_cuts_power)
{
	Rig rig(board_text(1, 4));
	Board &b = *rig.board;
	b.power_up();
	b.start_chains();
	SyntheticWorkSource work(1);
	mine_for(b, 300ms, work);
	const std::size_t before = rig.twins->frequency_history(0).size();
	const long start = long(rig.twins->journal().size());
	b.power_down();
	BOOST_TEST((b.state() == BoardState::off));

	const auto &h = rig.twins->frequency_history(0);
	BOOST_TEST_REQUIRE(h.size() > before + 10);
	for (std::size_t i = before + 1; i < h.size(); ++i)
		BOOST_TEST(h[i].max_mhz < h[i - 1].max_mhz);
	BOOST_TEST(h.back().max_mhz == 50.0);
	const Duration ramp_end = h.back().t;

	const long reset = rig.find("gpio:reset", "active", start);
	const long off = rig.find("regulator:r0", "output off", start);
	const long disable = rig.find("gpio:power_enable", "inactive", start);
	BOOST_TEST_REQUIRE(reset >= 0);
	BOOST_TEST_REQUIRE(off >= 0);
	BOOST_TEST_REQUIRE(disable >= 0);
	BOOST_TEST(rig.twins->journal()[std::size_t(reset)].t >= ramp_end);
	BOOST_TEST(reset < off);
	BOOST_TEST(off < disable);
	BOOST_TEST(!rig.twins->chain_powered(0));
	BOOST_TEST(rig.twins->chain_in_reset(0));
	BOOST_TEST(!rig.twins->regulator("r0").status().output_on);
}

BOOST_AUTO_TEST_CASE(break_localised_on_every_chain)
{
	const std::string faults = R"(
[[sim.fault]]
type = "dead_chip"
chain = 0
position = 5
[[sim.fault]]
type = "dead_chip"
chain = 1
position = 2
[[sim.fault]]
type = "dead_chip"
chain = 2
position = 0
[[sim.fault]]
type = "mute_chip"
chain = 3
position = 3
)";
	Rig rig(board_text(4, 8, faults));
	Board &b = *rig.board;
	b.power_up();
	const auto &report = b.start_chains();
	BOOST_TEST_REQUIRE(report.size() == 4u);
	BOOST_TEST(report[0].scan.break_after.value_or(999) == 5u);
	BOOST_TEST(report[0].scan.found() == 5u);
	BOOST_TEST(report[1].scan.break_after.value_or(999) == 2u);
	BOOST_TEST(report[2].scan.break_after.value_or(999) == 0u);
	BOOST_TEST(report[2].scan.found() == 0u);
	BOOST_TEST(!report[3].scan.break_after.has_value());
	BOOST_TEST(report[3].scan.silent_positions == std::vector<unsigned>{3});
	// The board still mines on what answered; the empty chain stays idle.
	SyntheticWorkSource work(2);
	std::set<unsigned> chains_with_nonces;
	mine_for(b, 1s, work, [&](unsigned id, const NonceEvent &ev) {
		if (ev.verdict == NonceVerdict::valid)
			chains_with_nonces.insert(id);
	});
	BOOST_TEST((b.state() == BoardState::mining));
	BOOST_TEST(chains_with_nonces == (std::set<unsigned>{0, 1, 3}));
}

BOOST_AUTO_TEST_CASE(a15_class_board_enumerates_with_a_break_on_every_chain)
{
	BoardConfig c = load_board_config(boards_dir() / "a15-class-sim.toml");
	const unsigned dead[] = {100, 37, 159};
	for (unsigned id = 0; id < 3; ++id) {
		SimFault f;
		f.type = SimFaultType::dead_chip;
		f.chain = id;
		f.position = dead[id];
		c.sim.faults.push_back(f);
	}
	Rig rig(c);
	rig.board->power_up();
	const auto &report = rig.board->start_chains();
	BOOST_TEST_REQUIRE(report.size() == 3u);
	for (unsigned id = 0; id < 3; ++id) {
		BOOST_TEST(report[id].scan.expected == 160u);
		BOOST_TEST(report[id].scan.break_after.value_or(999) == dead[id]);
		BOOST_TEST(report[id].scan.found() == dead[id]);
		BOOST_TEST(report[id].ticket_log2 > 0u); // 160 chips would flood a 1 MBd link
	}
	rig.board->power_down();
}

BOOST_AUTO_TEST_CASE(mining_across_chains_with_per_chip_stats)
{
	Rig rig(board_text(2, 4));
	Board &b = *rig.board;
	b.power_up();
	b.start_chains();
	SyntheticWorkSource work(3);
	std::map<unsigned, std::set<std::uint64_t>> work_per_chain;
	std::set<std::tuple<std::uint64_t, std::uint32_t, std::uint32_t>> seen;
	unsigned duplicates = 0;
	mine_for(b, 2s, work, [&](unsigned id, const NonceEvent &ev) {
		if (ev.verdict != NonceVerdict::valid)
			return;
		work_per_chain[id].insert(ev.work_id);
		if (!seen.emplace(ev.work_id, ev.nonce, ev.version).second)
			++duplicates;
	});
	BOOST_TEST((b.state() == BoardState::mining));
	BOOST_TEST(duplicates == 0u);
	// Each chain got its own work.
	for (std::uint64_t id : work_per_chain[0])
		BOOST_TEST(!work_per_chain[1].count(id));
	for (unsigned id : {0u, 1u}) {
		const Chain &chain = b.chain(id);
		BOOST_TEST(chain.stats().jobs_sent > 0u);
		for (const auto &s : chain.chip_stats()) {
			BOOST_TEST(s.valid > 0u);
			BOOST_TEST(s.hw_errors == 0u);
		}
	}
	// The regulators carry the chips' load: C V^2 f plus leakage per chip, by the
	// chips' physics (docs/physics.md), at least the dynamic part.
	double expected_w = 0;
	for (unsigned p = 0; p < 4; ++p)
		expected_w += rig.twins->chip_power_w(0, p);
	BOOST_TEST(expected_w > 4 * 0.0107 * 485.0 * 1.2 * 1.2);
	BOOST_TEST(std::abs(rig.twins->regulator("r0").output_power_w() - expected_w) < 1.0);
	b.power_down();
}

BOOST_AUTO_TEST_CASE(per_chip_frequency_and_per_domain_voltage)
{
	Rig rig(board_text(2, 4));
	Board &b = *rig.board;
	b.power_up();
	b.set_chip_frequency(0, 2, 300); // a target before the chains start
	b.set_chain_frequency(1, 400);
	b.start_chains();
	BOOST_TEST(std::abs(rig.twins->chip_frequency_mhz(0, 2) - 300.0) < 1.0);
	BOOST_TEST(std::abs(rig.twins->chip_frequency_mhz(0, 1) - 485.0) < 1.0);
	for (unsigned p = 0; p < 4; ++p)
		BOOST_TEST(std::abs(rig.twins->chip_frequency_mhz(1, p) - 400.0) < 1.0);

	SyntheticWorkSource work(4);
	mine_for(b, 100ms, work);
	b.set_chip_frequency(0, 1, 350); // while mining: ramps that chip alone
	mine_for(b, 100ms, work);
	BOOST_TEST(std::abs(rig.twins->chip_frequency_mhz(0, 1) - 350.0) < 1.0);
	BOOST_TEST(std::abs(rig.twins->chip_frequency_mhz(0, 0) - 485.0) < 1.0);
	BOOST_TEST(b.chip_targets(0)[1] == 350.0);

	BOOST_CHECK_THROW(b.set_chip_frequency(0, 1, 700), std::invalid_argument); // > limits
	BOOST_CHECK_THROW(b.set_chip_frequency(0, 9, 300), std::invalid_argument); // no chip 9
	BOOST_CHECK_THROW(b.set_chip_frequency(7, 0, 300), std::invalid_argument); // no chain 7

	// Voltage: the board's 1100..1400 is narrower than the regulator's 1000..1500.
	BOOST_TEST(b.set_domain_voltage("d0", 1250) == 1250.0);
	BOOST_TEST(b.set_domain_voltage("d0", 1600) == 1400.0);
	BOOST_TEST(b.set_domain_voltage("d0", 900) == 1100.0);
	BOOST_TEST(rig.twins->regulator("r0").vout_mv() == 1100.0);
	BOOST_TEST(rig.twins->regulator("r1").vout_mv() == 1200.0);
	for (double mv : rig.twins->regulator("r0").requests_sent()) {
		BOOST_TEST(mv >= 1100.0);
		BOOST_TEST(mv <= 1400.0);
	}
	BOOST_CHECK_THROW(b.set_domain_voltage("nope", 1200), std::invalid_argument);
	b.power_down();
}

BOOST_AUTO_TEST_CASE(fan_loop_follows_the_hottest_sensor)
{
	// The Nano 3-class board holds 60 C with a PI loop on its one fan.
	Rig rig(load_board_config(boards_dir() / "nano3-class-sim.toml"));
	Board &b = *rig.board;
	b.power_up();
	b.start_chains(); // ~120 W of chips from here
	const auto settle = [&](Duration d) {
		const Duration end = rig.clock.now() + d;
		while (rig.clock.now() < end) {
			rig.clock.sleep_for(100ms);
			b.update(rig.clock.now());
		}
	};
	settle(10s);
	const double cool_duty = rig.twins->fan("fan").duty();
	BOOST_TEST(cool_duty == 0.3); // below target: the loop's minimum
	// At the minimum duty the board would settle near 88 C; the loop holds the target.
	settle(180s);
	const double hot_duty = rig.twins->fan("fan").duty();
	BOOST_TEST(hot_duty > cool_duty + 0.2);
	const double t = rig.twins->sensor("board").read_celsius();
	BOOST_TEST(std::abs(t - 60.0) < 3.0);
	b.power_down();
}

BOOST_AUTO_TEST_CASE(unplugged_chain_keeps_the_board_off)
{
	Rig rig(board_text(2, 2, "[[sim.fault]]\ntype = \"unplugged\"\nchain = 1\n"));
	BOOST_CHECK_THROW(rig.board->power_up(), std::runtime_error);
	BOOST_TEST((rig.board->state() == BoardState::off));
	BOOST_TEST(rig.find("regulator:r0", "output on") == -1);
	BOOST_TEST(rig.find("gpio:power_enable", "active") == -1);
}

namespace {

// A regulator that never reports power good, to exercise the bring-up failure path.
class NoPowerGood final : public Regulator {
public:
	explicit NoPowerGood(std::shared_ptr<Regulator> inner) : inner_(std::move(inner)) {}
	const std::string &name() const override { return inner_->name(); }
	const VoltageLimits &limits() const override { return inner_->limits(); }
	void set_output(bool on) override { inner_->set_output(on); }
	double set_vout_mv(double mv) override { return inner_->set_vout_mv(mv); }
	double vout_mv() override { return inner_->vout_mv(); }
	double vin_v() override { return inner_->vin_v(); }
	double iout_a() override { return inner_->iout_a(); }
	double temperature_c() override { return inner_->temperature_c(); }
	RegulatorStatus status() override
	{
		RegulatorStatus s = inner_->status();
		s.power_good = false;
		return s;
	}
	void clear_faults() override { inner_->clear_faults(); }

private:
	std::shared_ptr<Regulator> inner_;
};

class FactoryWithDeadRail final : public DeviceFactory {
public:
	explicit FactoryWithDeadRail(std::shared_ptr<SimDeviceFactory> sim) : sim_(std::move(sim))
	{
	}
	ChainLink open_chain(const ChainSpec &s, Clock &c) override
	{
		return sim_->open_chain(s, c);
	}
	std::shared_ptr<Regulator> make_regulator(const RegulatorSpec &s) override
	{
		auto r = sim_->make_regulator(s);
		return s.name == "r1" ? std::make_shared<NoPowerGood>(r) : r;
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
};

} // namespace

BOOST_AUTO_TEST_CASE(no_power_good_switches_everything_off_again)
{
	VirtualClock clock;
	const BoardConfig c = parse_board_config(board_text(2, 2), "rig.toml");
	auto twins = std::make_shared<SimDeviceFactory>(c, clock);
	Board b(c, clock, std::make_shared<FactoryWithDeadRail>(twins));
	try {
		b.power_up();
		BOOST_ERROR("power_up succeeded without power good");
	} catch (const OperationalError &e) {
		BOOST_TEST(std::string(e.what()).find("r1") != std::string::npos, e.what());
	}
	BOOST_TEST((b.state() == BoardState::off));
	BOOST_TEST(!twins->regulator("r0").status().output_on);
	BOOST_TEST(!twins->regulator("r1").status().output_on);
	BOOST_TEST(twins->gpio("reset").is_active());
	BOOST_TEST(!twins->gpio("power_enable").is_active());
	// It waited the configured second, no more.
	BOOST_TEST(to_seconds(clock.now()) < 1.5);
}

BOOST_AUTO_TEST_CASE(destroying_a_running_board_leaves_it_safe)
{
	VirtualClock clock;
	const BoardConfig c = parse_board_config(board_text(1, 2), "rig.toml");
	auto twins = std::make_shared<SimDeviceFactory>(c, clock);
	{
		Board b(c, clock, twins);
		b.power_up();
		b.start_chains();
	}
	BOOST_TEST(!twins->regulator("r0").status().output_on);
	BOOST_TEST(twins->gpio("reset").is_active());
	BOOST_TEST(!twins->gpio("power_enable").is_active());
	BOOST_TEST(twins->chip_frequency_mhz(0, 0) == 50.0); // reset: power-on state
}

// --- every operation in every state that does not allow it --------------------------

namespace {

using Op = std::function<void(Board &)>;

struct Operation {
	const char *name;
	std::set<BoardState> allowed;
	Op run;
};

std::vector<Operation> operations()
{
	const auto work = [] {
		Work w;
		w.id = 1;
		return w;
	};
	const std::set<BoardState> live{BoardState::powered, BoardState::enumerated,
	                                BoardState::mining};
	return {
	    {"power_up", {BoardState::off}, [](Board &b) { b.power_up(); }},
	    {"start_chains", {BoardState::powered}, [](Board &b) { b.start_chains(); }},
	    {"send_work",
	     {BoardState::enumerated, BoardState::mining},
	     [work](Board &b) { b.send_work(work); }},
	    {"poll", {BoardState::mining}, [](Board &b) { b.poll(1ms, {}); }},
	    {"power_down",
	     {BoardState::off, BoardState::powered, BoardState::enumerated, BoardState::mining},
	     [](Board &b) { b.power_down(); }},
	    {"clear_trip", {BoardState::tripped}, [](Board &b) { b.clear_trip(); }},
	    {"set_chip_frequency", live, [](Board &b) { b.set_chip_frequency(0, 0, 400); }},
	    {"set_chain_frequency", live, [](Board &b) { b.set_chain_frequency(0, 400); }},
	    {"set_domain_voltage", live, [](Board &b) { b.set_domain_voltage("d0", 1200); }},
	};
}

void bring_to(Board &b, BoardState s)
{
	if (s == BoardState::off)
		return;
	if (s == BoardState::tripped) {
		b.trip({TripCause::operator_request, "", "test", {}});
		return;
	}
	b.power_up();
	if (s == BoardState::powered)
		return;
	b.start_chains();
	if (s == BoardState::enumerated)
		return;
	SyntheticWorkSource w(1);
	b.send_work([&] { return w.next(); });
}

} // namespace

BOOST_AUTO_TEST_CASE(every_operation_in_every_wrong_state_is_a_logic_error)
{
	const std::string text = board_text(1, 2);
	unsigned checked = 0;
	for (BoardState s : {BoardState::off, BoardState::powered, BoardState::enumerated,
	                     BoardState::mining, BoardState::tripped}) {
		Rig rig(text);
		bring_to(*rig.board, s);
		BOOST_TEST_REQUIRE((rig.board->state() == s));
		for (const Operation &op : operations()) {
			if (op.allowed.count(s))
				continue;
			BOOST_TEST_CONTEXT(op.name << " in " << board_state_name(s))
			{
				BOOST_CHECK_THROW(op.run(*rig.board), std::logic_error);
				BOOST_TEST((rig.board->state() == s));
				++checked;
			}
		}
	}
	BOOST_TEST(checked == 26u);
}

BOOST_AUTO_TEST_CASE(trip_keeps_the_first_reason_and_clear_trip_returns_to_off)
{
	Rig rig(board_text(1, 2));
	Board &b = *rig.board;
	bring_to(b, BoardState::mining);
	BOOST_TEST((b.chain(0).state() == ChainState::running));
	BOOST_TEST(b.trip({TripCause::operator_request, "", "first", {}}));
	BOOST_TEST(!b.trip({TripCause::watchdog, "", "second", {}}));
	BOOST_TEST(b.trip_reason()->detail == "first");
	BOOST_TEST((b.state() == BoardState::tripped));
	// The chips lost power and addresses: the Chain is off, not still running.
	BOOST_TEST((b.chain(0).state() == ChainState::off));
	b.clear_trip();
	BOOST_TEST((b.state() == BoardState::off));
	BOOST_TEST(!b.trip_reason().has_value());
	// And it comes up again.
	b.power_up();
	BOOST_TEST(b.start_chains().at(0).scan.ok());
	BOOST_TEST((b.chain(0).state() == ChainState::enumerated));
	b.power_down();
	BOOST_TEST((b.chain(0).state() == ChainState::off));
}

// A trip while the chains come up (a progress callback's: the supervisor kicked from
// it, a board loop that checks the sensors) cannot reach the chains, whose phase holds
// them; start_chains tells them when the phase is over.
BOOST_AUTO_TEST_CASE(a_trip_during_bring_up_leaves_every_chain_off)
{
	Rig rig(board_text(2, 2));
	Board &b = *rig.board;
	b.power_up();
	bool tripped = false;
	b.set_progress([&](std::string_view what) {
		if (!tripped && what.find("PLL ramp") != std::string_view::npos)
			tripped = b.trip({TripCause::over_temperature, "asic", "in the ramp", {}});
	});
	BOOST_CHECK_THROW(b.start_chains(), OperationalError);
	BOOST_TEST(tripped);
	BOOST_TEST((b.state() == BoardState::tripped));
	for (unsigned id : b.chain_ids()) {
		BOOST_TEST(!rig.twins->chain_powered(id));
		BOOST_TEST((b.chain(id).state() == ChainState::off), "chain " << id);
	}
}
