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
#include <string_view>

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

// Reads the board file (the built-in board when none) and builds the board on a
// steady clock; a board whose devices are all twins gets simulated ones. Throws
// hashboard::ConfigError for a bad board file.
BoardRig open_board(const std::optional<std::filesystem::path> &file);
// The same on a given clock (tests run the built-in board in virtual time).
BoardRig open_board(const hashboard::BoardConfig &config, std::unique_ptr<hashboard::Clock> clock);

} // namespace hashboardd
