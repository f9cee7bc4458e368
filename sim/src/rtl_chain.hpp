// SPDX-License-Identifier: MIT
//
// A chain of RTL chips: the FPGA prototype's chip (fpga/rtl/chip/bm13xx_chip.v, family
// "hbfp"), Verilated (fpga/verilated/hbfp_chip.hpp), behind the same byte-level face as
// the simulated BM13xx chips. Everything the chips do comes from the RTL itself: the
// wire bits go in and out at the chips' clock, the nonces are what its SHA-256d engine
// finds. Time maps to clocks at kRtlClockHz; the simulator's own chip model and the
// HAL's family table play no part.
#pragma once

#include <hbsim/sim_chain.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace hbfp {
class Chip;
}

namespace hbsim::detail {

inline constexpr std::string_view kRtlChipName = "hbfp";
// The Verilated chip resets to 8 clocks a bit (DIV_INIT = 7, fpga/verilated/
// CMakeLists.txt), so at the host's 115200 Bd its clock is 921.6 kHz: slow enough for a
// chain of a few chips to keep real time on a pty. The HX8K board clocks it at 48 MHz.
inline constexpr double kRtlClockHz = 8 * 115200.0;
inline constexpr unsigned kRtlResetDivisor = 7;

bool is_rtl_chip(std::string_view family);
// Whether this build has the Verilated chip (verilator was found by CMake).
bool have_rtl_chips();
// Throws std::invalid_argument for what an RTL chain cannot do (faults it does not model,
// a build without verilator).
void validate_rtl(const SimChainConfig &config);

class RtlChain {
public:
	explicit RtlChain(SimChainConfig config);
	~RtlChain();
	RtlChain(const RtlChain &) = delete;
	RtlChain &operator=(const RtlChain &) = delete;

	void set_reset(Duration t, bool asserted);
	void host_write(Duration t, hashboard::ByteSpan data);
	Duration host_tx_done() const;
	void set_host_baud(Duration t, double baud);
	void advance_to(Duration t);
	std::optional<Duration> next_rx_time() const;
	std::size_t host_read(Duration now, std::span<std::uint8_t> out);
	std::size_t chip_count() const { return config_.chips; }
	ChipView chip(unsigned position) const;
	const SimChainConfig &config() const { return config_; }
	void set_logger(std::function<void(const std::string &)> log) { log_ = std::move(log); }

private:
	void power_on();
	void note_jobs(hashboard::ByteSpan data);
	std::uint64_t quiet_limit() const;
	void log(Duration t, const std::string &line) const;

	SimChainConfig config_;
	unsigned reachable_;                // chips before the cut
	std::unique_ptr<hbfp::Chip> chips_; // null while held in reset
	std::uint64_t now_clk_ = 0;         // the chain has run up to this clock
	unsigned host_divisor_ = kRtlResetDivisor;
	double host_baud_ = kRtlClockHz / (kRtlResetDivisor + 1);
	// Once a job frame went down the engines may be hashing: every clock is run from
	// then until the next reset. Before, a chain whose lines are all idle does nothing
	// clock by clock, and that time is skipped.
	bool job_sent_ = false;
	std::uint8_t last_[2] = {0, 0}; // the host's last two bytes (a job's 55 AA)
	std::deque<std::pair<Duration, std::uint8_t>> rx_; // arrived at the host, unread
	std::function<void(const std::string &)> log_;
};

} // namespace hbsim::detail
