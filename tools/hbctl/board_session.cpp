// SPDX-License-Identifier: MIT
#include "board_session.hpp"
#include "validators.hpp"

#include <hashboard/board/linked_sim_devices.hpp>
#include <hashboard/board/sim_board.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace hbctl {

using namespace std::chrono_literals;
using hashboard::Board;
using hashboard::Duration;

BoardSession open_board(const BoardTarget &target, const hashboard::BoardConfig &cfg,
                        bool log_steps)
{
	BoardSession s;
	// Twins with chains on links run in real time: the links' peers do.
	s.simulated = target.virtual_time(cfg);
	if (s.simulated) {
		s.clock = std::make_unique<hashboard::VirtualClock>();
		s.devices = std::make_shared<hashboard::SimDeviceFactory>(cfg, *s.clock);
	} else if (target.sim_devices) {
		s.clock = std::make_unique<hashboard::SteadyClock>();
		s.devices = std::make_shared<hashboard::LinkedSimDevices>(cfg, *s.clock);
	} else {
		s.clock = std::make_unique<hashboard::SteadyClock>();
		s.devices = hashboard::make_hardware_device_factory(cfg, *s.clock);
	}
	s.board = std::make_unique<Board>(cfg, *s.clock, s.devices);
	if (log_steps)
		s.board->set_logger([](Duration when, const std::string &line) {
			std::fprintf(stderr, "[%9.3f] %s\n", hashboard::to_seconds(when),
			             line.c_str());
		});
	return s;
}

void bring_up(Board &board, std::optional<double> freq_mhz, const std::vector<ChipFreq> &chip_freqs,
              const std::vector<DomainVoltage> &voltages)
{
	board.power_up();
	for (const auto &v : voltages) {
		const double set = board.set_domain_voltage(v.domain, v.mv);
		if (set != v.mv)
			std::fprintf(stderr, "hbctl: domain %s: %.1f mV clamped to %.1f mV\n",
			             v.domain.c_str(), v.mv, set);
	}
	if (freq_mhz)
		for (unsigned id : board.chain_ids())
			board.set_chain_frequency(id, *freq_mhz);
	for (const auto &f : chip_freqs)
		board.set_chip_frequency(f.chain, f.position, f.mhz);
	board.start_chains();
}

Duration job_interval(Board &board)
{
	Duration best = 1s;
	for (const auto &r : board.bring_up_report())
		if (r.scan.found() > 0)
			best = std::min(best, board.chain(r.chain_id).job_interval());
	return std::max<Duration>(best, 1ms);
}

void refuse_virtual_real_hashing(const std::string &file, const BoardTarget &target,
                                 const hashboard::BoardConfig &cfg)
{
	if (target.virtual_time(cfg) && cfg.sim.zero_bits > kMaxVirtualZeroBits)
		throw std::invalid_argument(
		    file + ": sim.zero_bits = " + std::to_string(cfg.sim.zero_bits) +
		    ": the in-process simulator runs in virtual time and computes "
		    "2^(zero_bits-32) of the nominal hashes; at most " +
		    std::to_string(kMaxVirtualZeroBits) + " for a board run on it");
}

int board_exit_status(const Board &board)
{
	if (board.state() == hashboard::BoardState::tripped)
		return 1;
	for (const auto &r : board.bring_up_report())
		if (!r.scan.ok())
			return 1;
	return 0;
}

} // namespace hbctl
