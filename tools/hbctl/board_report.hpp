// SPDX-License-Identifier: MIT
// hbctl board: what a board did, as tables or one JSON document.
#pragma once

#include <hashboard/board/board.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace hbctl {

// A snapshot of a board, taken while it is still powered (readings go to zero after).
struct BoardSnapshot {
	std::string action;
	std::string file;
	bool simulated = false;
	double seconds = 0; // mining time on the board's clock
	std::vector<hashboard::SensorReading> sensors;
	std::vector<hashboard::FanReading> fans;
	std::vector<hashboard::RegulatorReading> regulators;
	std::vector<std::string> warnings;
	std::map<unsigned, std::vector<double>> chip_mhz; // per chain, as programmed
};

BoardSnapshot snapshot(hashboard::Board &board, std::string action, std::string file,
                       bool simulated, double seconds);

// Per chain (link, chips found, break, baud, ticket, PLLs, nonces, hashrate) and, with
// chips, per chip; then domains, sensors and fans; then the trip reason, if any.
void print_board_report(std::FILE *out, hashboard::Board &board, const BoardSnapshot &snap,
                        bool chips);
boost::json::object board_report_json(hashboard::Board &board, const BoardSnapshot &snap);

} // namespace hbctl
