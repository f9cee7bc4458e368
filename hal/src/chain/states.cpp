// SPDX-License-Identifier: MIT
// The chain's states and which operation each allows: the table of docs/chain.md.
#include <hashboard/chain.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <stdexcept>
#include <string>

namespace hashboard {

namespace {

constexpr unsigned bit(ChainState s)
{
	return 1u << unsigned(s);
}

constexpr unsigned kOff = bit(ChainState::off);
constexpr unsigned kEnumerated = bit(ChainState::enumerated);
constexpr unsigned kRunning = bit(ChainState::running);
// Addressed chips: enumerate() has run and nothing has reset them since.
constexpr unsigned kAddressed = kEnumerated | kRunning;
constexpr unsigned kAny = kOff | kEnumerated | kRunning;

constexpr std::array<ChainState, 3> kStates{ChainState::off, ChainState::enumerated,
                                            ChainState::running};

} // namespace

std::string_view chain_state_name(ChainState state)
{
	static constexpr std::array<std::string_view, 3> kNames{"off", "enumerated", "running"};
	return kNames.at(std::size_t(state));
}

void Chain::require(Operation op) const
{
	struct Rule {
		Operation op;
		const char *name;
		unsigned allowed;
	};
	// docs/chain.md's operations table, row for row.
	static constexpr std::array kRules{
	    Rule{Operation::enumerate, "enumerate", kAny},
	    Rule{Operation::bring_up, "bring_up", kAny},
	    Rule{Operation::finish_bring_up, "finish_bring_up", kEnumerated},
	    Rule{Operation::ramp_frequency, "ramp_frequency", kAddressed},
	    Rule{Operation::ramp_chip_frequencies, "ramp_chip_frequencies", kAddressed},
	    Rule{Operation::set_ticket_difficulty_log2, "set_ticket_difficulty_log2", kAddressed},
	    Rule{Operation::ticket_log2_for_wire, "ticket_log2_for_wire", kAddressed},
	    Rule{Operation::set_baud, "set_baud", kAddressed},
	    Rule{Operation::set_version_mask, "set_version_mask", kAny},
	    Rule{Operation::job_interval, "job_interval", kAddressed},
	    Rule{Operation::read_register, "read_register", kAddressed},
	    Rule{Operation::write_register, "write_register", kAddressed},
	    Rule{Operation::read_chip_counters, "read_chip_counters", kAddressed},
	    Rule{Operation::send_work, "send_work", kAddressed},
	    Rule{Operation::poll, "poll", kAddressed},
	    Rule{Operation::ramp_down_and_reset, "ramp_down_and_reset", kAny},
	    Rule{Operation::power_lost, "power_lost", kAny},
	};
	static_assert(
	    [] {
		    for (std::size_t i = 0; i < kRules.size(); ++i)
			    if (std::size_t(kRules[i].op) != i)
				    return false;
		    return kRules.size() == std::size_t(Operation::power_lost) + 1;
	    }(),
	    "kRules lists every Operation once, in its order");
	const Rule &rule = kRules.at(std::size_t(op));
	if (rule.allowed & bit(state_))
		return;
	std::vector<std::string_view> valid;
	for (ChainState s : kStates)
		if (rule.allowed & bit(s))
			valid.push_back(chain_state_name(s));
	throw std::logic_error(fmt::format("chain {}: {} needs state {}, the chain is {}",
	                                   transport_.describe(), rule.name,
	                                   fmt::join(valid, " or "), chain_state_name(state_)));
}

} // namespace hashboard
