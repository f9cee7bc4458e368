// SPDX-License-Identifier: MIT
// A byte-in/byte-out C++ face for Verilated FPGA chips (fpga/rtl/chip/bm13xx_chip.v):
// a daisy chain of n chips, chip 0 at the host; bytes written go onto chip 0's upstream
// UART line bit by bit, bytes the chain sends up are collected by a software UART. The
// last chip's downstream side is idle. Built by CMake into hbfp-rtl (the simulator's
// RTL chips, sim/src/rtl_chain.cpp) and by this folder's Makefile (the self-test).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

class Vbm13xx_chip;

namespace hbfp {

class Chip {
public:
	// clocks_per_bit_minus_1 must match the chip's reset divisor (DIV_INIT, 7 in this build).
	explicit Chip(unsigned clocks_per_bit_minus_1 = 7, unsigned chips = 1);
	~Chip();
	Chip(const Chip &) = delete;
	Chip &operator=(const Chip &) = delete;

	void write(const std::uint8_t *data, std::size_t len);  // queued, sent while running
	std::vector<std::uint8_t> read();                       // everything received so far
	void run(std::uint64_t clocks);
	// Runs until the host queue is sent and the line was quiet for idle_clocks, or limit.
	void run_until_quiet(std::uint64_t idle_clocks, std::uint64_t limit);
	// Runs until a byte has arrived at the host (or limit clocks); the clocks run.
	std::uint64_t run_until_received(std::uint64_t limit);
	void set_divisor(unsigned clocks_per_bit_minus_1) { div_ = clocks_per_bit_minus_1; }
	unsigned divisor() const { return div_; }
	std::uint64_t clocks() const { return clocks_; }
	// Clocks for which every line of the chain (host, between chips) stayed idle with
	// nothing queued or in flight on the host's side.
	std::uint64_t chain_quiet_clocks() const { return chain_quiet_; }
	// Bytes the host has queued and not yet sent completely.
	std::size_t tx_pending() const { return tx_q_.size() + (tx_bit_ >= 0 ? 1 : 0); }
	std::size_t size() const { return chips_.size(); }

	// A few registers of chip i as the RTL holds them (what a test or log can see).
	struct State {
		std::uint8_t address;
		bool addressed;
		unsigned divisor; // clocks per bit - 1
		std::uint32_t ticket;
	};
	State state(std::size_t i) const;

private:
	void tick();
	std::vector<std::unique_ptr<Vbm13xx_chip>> chips_;
	unsigned div_;
	std::uint64_t clocks_ = 0, quiet_ = 0, chain_quiet_ = 0;
	bool received_ = false; // a byte arrived in the last tick
	std::deque<std::uint8_t> tx_q_;
	std::vector<std::uint8_t> rx_;
	// host transmitter
	int tx_bit_ = -1;  // -1 idle, 0 start, 1..8 data, 9 stop
	unsigned tx_tick_ = 0;
	std::uint8_t tx_byte_ = 0;
	// host receiver
	int rx_bit_ = -1;
	unsigned rx_tick_ = 0;
	std::uint8_t rx_byte_ = 0;
};

} // namespace hbfp
