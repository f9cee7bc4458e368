// SPDX-License-Identifier: MIT
#include "board_setup.hpp"

#include "builtin_board.hpp" // generated from boards/hashboardd-sim.toml

#include <hashboard/board/chain_transport.hpp>
#include <hashboard/board/linked_sim_devices.hpp>
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
	else if (twins_only(config))
		rig.devices = std::make_shared<hashboard::LinkedSimDevices>(config, *rig.clock);
	else
		rig.devices = hashboard::make_hardware_device_factory(config, *rig.clock);
	rig.board = std::make_unique<hashboard::Board>(config, *rig.clock, rig.devices);
	return rig;
}

BoardRig open_board(const std::optional<std::filesystem::path> &file,
                    const std::vector<std::string> &chain_transports)
{
	return open_board(board_config(file, chain_transports),
	                  std::make_unique<hashboard::SteadyClock>());
}

hashboard::BoardConfig board_config(const std::optional<std::filesystem::path> &file,
                                    const std::vector<std::string> &chain_transports)
{
	hashboard::BoardConfig config =
	    file
	        ? hashboard::load_board_config(*file)
	        : hashboard::parse_board_config(builtin_board_toml(), "<built-in simulated board>");
	std::vector<hashboard::ChainTransport> transports;
	transports.reserve(chain_transports.size());
	for (const auto &arg : chain_transports)
		transports.push_back(hashboard::parse_chain_transport(arg, config));
	// A simulated board's chains moved to links talk to hbsim --board, whose chips
	// report the board's [sim] zero bits.
	std::optional<unsigned> zero_bits;
	if (config.simulated())
		zero_bits = config.sim.zero_bits;
	hashboard::apply_chain_transports(config, transports, zero_bits);
	return config;
}

bool twins_only(const hashboard::BoardConfig &config)
{
	hashboard::BoardConfig devices = config;
	for (auto &c : devices.chains)
		c.transport = std::string(hashboard::kSimTransport);
	return devices.simulated();
}

} // namespace hashboardd
