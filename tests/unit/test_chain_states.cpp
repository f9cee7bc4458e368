// SPDX-License-Identifier: MIT
// Chain's states (docs/chain.md): every operation in every state that does not allow it
// throws std::logic_error naming the operation and the state, and changes nothing; in
// every state that allows it, it succeeds and leaves the chain where the diagram says.
// Against the in-process simulator, in virtual time.
#include <boost/test/unit_test.hpp>

#include "chain_rig.hpp"

#include <hashboard/chain.hpp>
#include <hashboard/transport.hpp>
#include <hashboard/work.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

using namespace hashboard;
using namespace std::chrono_literals;

namespace hashboard {
std::ostream &operator<<(std::ostream &os, ChainState s)
{
	return os << chain_state_name(s);
}
} // namespace hashboard

namespace {

constexpr double kMhz = 100; // a short ramp from the reset frequency

struct Rig : hbtest::ChainRig {
	SyntheticWorkSource work{1};
	Rig() : ChainRig("bm1366", 2, 8) {}
};

// Where a rig is brought before an operation: the chain's three states, off twice (never
// enumerated, and ramped down and reset after mining).
struct Start {
	const char *name;
	ChainState state;
	std::function<void(Rig &)> bring;
};

std::vector<Start> starts()
{
	const auto running = [](Rig &r) {
		r.chain->enumerate();
		r.chain->finish_bring_up({kMhz, kMhz});
		r.chain->send_work(r.work.next());
		r.chain->poll(50ms, {});
	};
	return {
	    {"off (new)", ChainState::off, [](Rig &) {}},
	    {"off (ramped down)", ChainState::off,
	     [running](Rig &r) {
		     running(r);
		     r.chain->ramp_down_and_reset();
	     }},
	    {"enumerated", ChainState::enumerated, [](Rig &r) { r.chain->enumerate(); }},
	    {"running", ChainState::running, running},
	};
}

struct Operation {
	const char *name;
	std::set<ChainState> allowed;
	// The state the operation leaves the chain in; unset: the one it found.
	std::optional<ChainState> to;
	std::function<void(Rig &)> run;
};

// docs/chain.md's operations table, written out again here.
std::vector<Operation> operations()
{
	using S = ChainState;
	const std::set<S> any{S::off, S::enumerated, S::running};
	const std::set<S> addressed{S::enumerated, S::running};
	return {
	    {"enumerate", any, S::enumerated, [](Rig &r) { r.chain->enumerate(); }},
	    {"bring_up", any, S::enumerated,
	     [](Rig &r) {
		     r.chain->bring_up({kMhz, kMhz});
	     }},
	    {"finish_bring_up",
	     {S::enumerated},
	     {},
	     [](Rig &r) {
		     r.chain->finish_bring_up({kMhz, kMhz});
	     }},
	    {"ramp_frequency", addressed, {}, [](Rig &r) { r.chain->ramp_frequency(kMhz); }},
	    {"ramp_chip_frequencies",
	     addressed,
	     {},
	     [](Rig &r) {
		     r.chain->ramp_chip_frequencies({kMhz, 75});
	     }},
	    {"set_ticket_difficulty_log2",
	     addressed,
	     {},
	     [](Rig &r) { r.chain->set_ticket_difficulty_log2(4); }},
	    {"ticket_log2_for_wire",
	     addressed,
	     {},
	     [](Rig &r) { (void)r.chain->ticket_log2_for_wire(kResetHostBaud); }},
	    {"set_baud",
	     addressed,
	     {},
	     [](Rig &r) { r.chain->set_baud(r.chain->family().baud.max_baud); }},
	    {"set_version_mask", any, {}, [](Rig &r) { r.chain->set_version_mask(0x1FFF0000); }},
	    {"job_interval", addressed, {}, [](Rig &r) { (void)r.chain->job_interval(); }},
	    {"read_register",
	     addressed,
	     {},
	     [](Rig &r) { BOOST_TEST(r.chain->read_register(std::nullopt, 0x00).size() == 2u); }},
	    {"write_register",
	     addressed,
	     {},
	     [](Rig &r) {
		     r.chain->write_register(std::nullopt, r.chain->family().regs.ticket_mask,
		                             bm13xx::ticket_mask_for_difficulty_log2(8));
	     }},
	    {"read_chip_counters",
	     addressed,
	     {},
	     [](Rig &r) { BOOST_TEST(r.chain->read_chip_counters().size() == 2u); }},
	    {"send_work", addressed, S::running, [](Rig &r) { r.chain->send_work(r.work.next()); }},
	    {"poll", addressed, {}, [](Rig &r) { r.chain->poll(20ms, {}); }},
	    {"ramp_down_and_reset", any, S::off, [](Rig &r) { r.chain->ramp_down_and_reset(); }},
	    {"power_lost", any, S::off, [](Rig &r) { r.chain->power_lost(); }},
	};
}

} // namespace

BOOST_AUTO_TEST_CASE(every_operation_in_every_wrong_state_is_a_logic_error_naming_it)
{
	unsigned checked = 0;
	for (const Start &start : starts()) {
		Rig rig;
		start.bring(rig);
		BOOST_TEST_REQUIRE(rig.chain->state() == start.state);
		for (const Operation &op : operations()) {
			if (op.allowed.count(start.state))
				continue;
			BOOST_TEST_CONTEXT(op.name << " in " << start.name)
			{
				const Duration before = rig.clock.now();
				try {
					op.run(rig);
					BOOST_ERROR("no exception");
				} catch (const std::exception &e) {
					// Exactly std::logic_error: not invalid_argument (a bad
					// argument), not a link error.
					BOOST_TEST((typeid(e) == typeid(std::logic_error)),
					           typeid(e).name());
					const std::string what = e.what();
					BOOST_TEST(what.find(std::string(": ") + op.name +
					                     " needs state ") != std::string::npos,
					           what);
					BOOST_TEST(
					    what.find("the chain is " +
					              std::string(chain_state_name(start.state))) !=
					        std::string::npos,
					    what);
				}
				// Refused before anything went to the chips.
				BOOST_TEST(rig.chain->state() == start.state);
				BOOST_TEST((rig.clock.now() == before));
				++checked;
			}
		}
	}
	// Off: the eleven that need addressed chips and finish_bring_up, twice; running:
	// finish_bring_up.
	BOOST_TEST(checked == 25u);
}

BOOST_AUTO_TEST_CASE(every_operation_in_every_right_state_succeeds)
{
	unsigned checked = 0;
	for (const Start &start : starts()) {
		for (const Operation &op : operations()) {
			if (!op.allowed.count(start.state))
				continue;
			BOOST_TEST_CONTEXT(op.name << " in " << start.name)
			{
				Rig rig;
				start.bring(rig);
				BOOST_CHECK_NO_THROW(op.run(rig));
				BOOST_TEST(rig.chain->state() == op.to.value_or(start.state));
				++checked;
			}
		}
	}
	BOOST_TEST(checked == 4u * 17u - 25u);
}

BOOST_AUTO_TEST_CASE(ramp_down_and_reset_when_off_does_nothing)
{
	Rig rig;
	rig.chain->ramp_down_and_reset();
	BOOST_TEST(rig.chain->state() == ChainState::off);
	BOOST_TEST((rig.clock.now() == Duration{}));
}

BOOST_AUTO_TEST_CASE(power_lost_leaves_a_running_chain_off_and_keeps_what_it_knew)
{
	Rig rig;
	rig.chain->bring_up(std::vector<double>(2, kMhz));
	rig.chain->send_work(rig.work.next());
	rig.chain->poll(50ms, {});
	const Duration before = rig.clock.now();
	const double mhz = rig.chain->frequency_mhz();
	// The board cut the power: nothing goes to the chips, no time passes.
	rig.chain->power_lost();
	BOOST_TEST(rig.chain->state() == ChainState::off);
	BOOST_TEST((rig.clock.now() == before));
	BOOST_TEST(rig.chain->chips().size() == 2u);
	BOOST_TEST(rig.chain->frequency_mhz() == mhz);
	BOOST_CHECK_THROW(rig.chain->send_work(rig.work.next()), std::logic_error);
	// enumerate is the way back, as after any other off.
	BOOST_TEST(rig.chain->enumerate().found() == 2u);
	BOOST_TEST(rig.chain->state() == ChainState::enumerated);
}

BOOST_AUTO_TEST_CASE(the_state_is_checked_before_the_arguments)
{
	Rig rig;
	// A frequency no chip runs at: before enumerate it is the state that is wrong.
	try {
		rig.chain->ramp_frequency(5000);
		BOOST_ERROR("no exception");
	} catch (const std::exception &e) {
		BOOST_TEST((typeid(e) == typeid(std::logic_error)), e.what());
	}
	rig.chain->enumerate();
	BOOST_CHECK_THROW(rig.chain->ramp_frequency(5000), std::invalid_argument);
	BOOST_CHECK_THROW(rig.chain->finish_bring_up({kMhz}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(state_names)
{
	BOOST_TEST(chain_state_name(ChainState::off) == "off");
	BOOST_TEST(chain_state_name(ChainState::enumerated) == "enumerated");
	BOOST_TEST(chain_state_name(ChainState::running) == "running");
}
