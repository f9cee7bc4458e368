// SPDX-License-Identifier: MIT
#include "board_setup.hpp"

#include "builtin_board.hpp" // generated from boards/hashboardd-sim.toml

#include <hashboard/board/sim_board.hpp>

namespace hashboardd {

std::string_view builtin_board_toml()
{
	return kBuiltinBoardToml;
}

BoardRig open_board(const hashboard::BoardConfig &config, std::unique_ptr<hashboard::Clock> clock)
{
	BoardRig rig;
	rig.clock = std::move(clock);
	rig.simulated = config.simulated();
	if (rig.simulated)
		rig.devices = std::make_shared<hashboard::SimDeviceFactory>(config, *rig.clock);
	else
		rig.devices = hashboard::make_hardware_device_factory(config, *rig.clock);
	rig.board = std::make_unique<hashboard::Board>(config, *rig.clock, rig.devices);
	return rig;
}

BoardRig open_board(const std::optional<std::filesystem::path> &file)
{
	const hashboard::BoardConfig config =
	    file
	        ? hashboard::load_board_config(*file)
	        : hashboard::parse_board_config(builtin_board_toml(), "<built-in simulated board>");
	return open_board(config, std::make_unique<hashboard::SteadyClock>());
}

} // namespace hashboardd
