// SPDX-License-Identifier: MIT
//
// The board file's sections, each read by its own function into the BoardConfig. The
// readers stay alive until every cross-check has run, so a cross-check can point at
// the exact key that is wrong.
#pragma once

#include <hashboard/board/board_config.hpp>
#include <hashboard/config_file.hpp>

#include <optional>
#include <vector>

namespace hashboard::board_file {

using config::TableReader;

struct Sections {
	std::vector<TableReader> chains, domains, regulators, sensors, fans, gpios, faults;
};

void read_regulators(TableReader &root, BoardConfig &config, Sections &s);
void read_sensors(TableReader &root, BoardConfig &config, Sections &s);
void read_fans(TableReader &root, BoardConfig &config, Sections &s);
void read_gpios(TableReader &root, BoardConfig &config, Sections &s);
void read_eeprom(TableReader &root, BoardConfig &config);
void read_sim(TableReader &root, BoardConfig &config, Sections &s);
// [chain.layout] of one [[chain]] table; nullopt when it has none.
std::optional<ChainLayout> read_chain_layout(TableReader &chain, unsigned chips);

// A device name must be unique among devices of its kind.
template <typename Spec>
void check_unique_name(const std::vector<Spec> &specs, TableReader &reader, const char *kind)
{
	for (std::size_t i = 0; i + 1 < specs.size(); ++i)
		if (specs[i].name == specs.back().name)
			reader.fail("name", std::string("another ") + kind +
			                        " is already called '" + specs.back().name + "'");
}

} // namespace hashboard::board_file
