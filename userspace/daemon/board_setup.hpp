// SPDX-License-Identifier: MIT
//
// The board hashboardd mines on: a board file's hardware, or (no file named) the
// built-in simulated board (boards/hashboardd-sim.toml, built into the binary), whose
// twins and chips run in real time in-process, as a real board would.
#pragma once

#include <hashboard/board/board.hpp>
#include <hashboard/board/board_config.hpp>
#include <hashboard/clock.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hashboardd {

// The built-in board's file, as text.
std::string_view builtin_board_toml();

// A board, its clock and its devices; members in destruction order.
struct BoardRig {
	std::unique_ptr<hashboard::Clock> clock;
	std::shared_ptr<hashboard::DeviceFactory> devices;
	std::unique_ptr<hashboard::Board> board;
	bool simulated = false;
};

// Reads the board file (the built-in board when none) and puts each chain_transports
// entry (--chain-transport ID=URI) on its chain; a simulated board's replaced chains
// take its [sim] zero bits, as hbsim --board serves them. Throws hashboard::ConfigError
// for a bad board file, std::invalid_argument for a bad ID=URI.
hashboard::BoardConfig board_config(const std::optional<std::filesystem::path> &file,
                                    const std::vector<std::string> &chain_transports = {});
// True when every control device (regulator, sensor, fan, GPIO line) is a twin.
bool twins_only(const hashboard::BoardConfig &config);

// board_config(), built on a steady clock: a board whose devices and chains are all
// twins gets simulated ones; twins with chains on links (hbsim --board's ptys or
// sockets) get hashboard::LinkedSimDevices; anything else the hardware.
BoardRig open_board(const std::optional<std::filesystem::path> &file,
                    const std::vector<std::string> &chain_transports = {});
// The same on a given clock (tests run the built-in board in virtual time).
BoardRig open_board(const hashboard::BoardConfig &config, std::unique_ptr<hashboard::Clock> clock);

} // namespace hashboardd
