// SPDX-License-Identifier: MIT
// A whole board opened from its board file on the simulator, its twins or the hardware,
// and brought up in the order the hardware needs: shared by hbctl board, tune and test.
#pragma once

#include "board_args.hpp"

#include <hashboard/board/board.hpp>
#include <hashboard/board/board_config.hpp>
#include <hashboard/clock.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hbctl {

// How often the real-time watchdog thread looks at the control loop.
inline constexpr hashboard::Duration kWatchdogPeriod = std::chrono::milliseconds(100);

// Where a board runs: --sim (every part in-process, virtual time), --sim-devices
// (every device its twin, chains on links, real time) or the hardware. A board whose
// parts are all simulated runs in-process anyway.
struct BoardTarget {
	bool sim = false;
	bool sim_devices = false;
	// In virtual time: the in-process simulator drives the clock.
	bool virtual_time(const hashboard::BoardConfig &cfg) const
	{
		return sim || (cfg.simulated() && !sim_devices);
	}
};

// A board, its clock and its devices; members in destruction order.
struct BoardSession {
	std::unique_ptr<hashboard::Clock> clock;
	std::shared_ptr<hashboard::DeviceFactory> devices;
	std::unique_ptr<hashboard::Board> board;
	bool simulated = false;
};

// Opens the board (still off), logging its steps to stderr with the board's time when
// log_steps (hbctl test logs them only with --verbose).
BoardSession open_board(const BoardTarget &target, const hashboard::BoardConfig &cfg,
                        bool log_steps = true);

// Powers up, applies the voltages and frequencies asked for, starts the chains.
void bring_up(hashboard::Board &board, std::optional<double> freq_mhz,
              const std::vector<ChipFreq> &chip_freqs, const std::vector<DomainVoltage> &voltages);

// The shortest job interval of the chains that answered, at most 1 s.
hashboard::Duration job_interval(hashboard::Board &board);

// In virtual time the simulated chips compute 2^(zero_bits-32) of the nominal hashes
// (32: hashing for real): refused before anything is switched on.
void refuse_virtual_real_hashing(const std::string &file, const BoardTarget &target,
                                 const hashboard::BoardConfig &cfg);

// 1 for a trip or a chain that did not come up whole.
int board_exit_status(const hashboard::Board &board);

} // namespace hbctl
