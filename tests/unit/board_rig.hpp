// SPDX-License-Identifier: MIT
//
// Simulated boards for the board and safety tests: a board file written here, its twins,
// and a Board on a virtual clock. Shared by test_board_bringup.cpp and test_safety.cpp.
#pragma once

#include <hashboard/board/board.hpp>
#include <hashboard/board/board_config.hpp>
#include <hashboard/board/sim_board.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

namespace boardtest {

using namespace hashboard;

// chains x chips BM1366 with one regulator and domain per chain, a shared reset line,
// power enable, plug detect, two sensors and two fans. extra goes at the end of the
// file (more [[sim.fault]] tables, say).
inline std::string board_text(unsigned chains, unsigned chips, const std::string &extra = "")
{
	std::string t = "name = \"rig\"\n";
	for (unsigned c = 0; c < chains; ++c) {
		t += "[[chain]]\nid = " + std::to_string(c) +
		     "\nfamily = \"bm1366\"\nchips = " + std::to_string(chips) +
		     "\ntransport = \"sim\"\nbaud = 1000000\n";
		t += "[[regulator]]\nname = \"r" + std::to_string(c) +
		     "\"\ntype = \"sim\"\nvout_min_mv = 1000\nvout_max_mv = 1500\ndefault_mv = "
		     "1200\n";
		t += "[[domain]]\nname = \"d" + std::to_string(c) + "\"\nregulator = \"r" +
		     std::to_string(c) + "\"\nchain = " + std::to_string(c) + "\nchips = \"0-" +
		     std::to_string(chips - 1) + "\"\n";
		t += "[[gpio]]\nname = \"plug" + std::to_string(c) +
		     "\"\nrole = \"plug_detect\"\nchip = \"sim\"\noffset = " +
		     std::to_string(10 + c) + "\nchain = " + std::to_string(c) + "\n";
	}
	t += R"(
[[gpio]]
name = "reset"
role = "reset"
chip = "sim"
offset = 0
active_low = true

[[gpio]]
name = "power_enable"
role = "power_enable"
chip = "sim"
offset = 1

[[sensor]]
name = "inlet"
type = "sim"
sim_offset_c = -5

[[sensor]]
name = "asic"
type = "sim"

[[fan]]
name = "fan0"
type = "sim"
max_rpm = 6000

[[fan]]
name = "fan1"
type = "sim"
max_rpm = 6000

[limits]
temp_warn_c = 75
temp_trip_c = 90
vout_min_mv = 1100
vout_max_mv = 1400
freq_min_mhz = 50
freq_max_mhz = 600
power_max_w = 1000
fan_min_rpm = 1000

[safety]
sensor_loss_reads = 3
watchdog_timeout_s = 2
fan_grace_s = 1

[sim]
zero_bits = 8
seed = 5
ambient_c = 25
r_th_c_per_w = 0.2
tau_s = 10
)";
	return t + extra;
}

// The board, its twins and its clock, in the order they must be destroyed.
struct Rig {
	explicit Rig(const BoardConfig &c)
	    : config(c), twins(std::make_shared<SimDeviceFactory>(c, clock)),
	      board(std::make_unique<Board>(c, clock, twins))
	{
	}
	explicit Rig(const std::string &text) : Rig(parse_board_config(text, "rig.toml")) {}

	VirtualClock clock;
	BoardConfig config;
	std::shared_ptr<SimDeviceFactory> twins;
	std::unique_ptr<Board> board;

	// Index of the first journal entry at or after `from` for device and what; -1 if none.
	long find(const std::string &device, const std::string &what, long from = 0) const
	{
		const auto &j = twins->journal();
		for (long i = std::max(0L, from); i < long(j.size()); ++i)
			if (j[std::size_t(i)].device == device && j[std::size_t(i)].what == what)
				return i;
		return -1;
	}
	long find_prefix(const std::string &device, const std::string &prefix, long from = 0) const
	{
		const auto &j = twins->journal();
		for (long i = std::max(0L, from); i < long(j.size()); ++i)
			if (j[std::size_t(i)].device == device &&
			    j[std::size_t(i)].what.rfind(prefix, 0) == 0)
				return i;
		return -1;
	}
};

} // namespace boardtest
