// SPDX-License-Identifier: MIT
#include "hbfp_chip.hpp"

#include "Vbm13xx_chip.h"
#include "Vbm13xx_chip___024root.h"
#include "verilated.h"

namespace hbfp {

Chip::Chip(unsigned div, unsigned chips) : div_(div)
{
	for (unsigned i = 0; i < (chips ? chips : 1); ++i)
		chips_.push_back(std::make_unique<Vbm13xx_chip>());
	for (auto &c : chips_) {
		c->us_rx = 1;
		c->ds_rx = 1;
		c->rst = 1;
	}
	for (int i = 0; i < 8; ++i)
		tick();
	for (auto &c : chips_)
		c->rst = 0;
}

Chip::~Chip()
{
	for (auto &c : chips_)
		c->final();
}

void Chip::write(const std::uint8_t *data, std::size_t len)
{
	tx_q_.insert(tx_q_.end(), data, data + len);
}

std::vector<std::uint8_t> Chip::read()
{
	std::vector<std::uint8_t> out;
	out.swap(rx_);
	return out;
}

void Chip::tick()
{
	// host transmitter: one bit every div_ + 1 clocks
	if (tx_bit_ < 0 && !tx_q_.empty()) {
		tx_byte_ = tx_q_.front();
		tx_q_.pop_front();
		tx_bit_ = 0;
		tx_tick_ = 0;
	}
	std::uint8_t host_line = 1;
	if (tx_bit_ >= 0) {
		host_line = tx_bit_ == 0 ? 0 : tx_bit_ == 9 ? 1 : (tx_byte_ >> (tx_bit_ - 1)) & 1;
		if (++tx_tick_ > div_) {
			tx_tick_ = 0;
			if (++tx_bit_ > 9)
				tx_bit_ = -1;
		}
	}
	// Lines between neighbours, taken before the edge (the chips' TX pins are registers).
	const std::size_t n = chips_.size();
	std::vector<std::uint8_t> down(n), up(n);
	for (std::size_t i = 0; i < n; ++i) {
		down[i] = i == 0 ? host_line : chips_[i - 1]->ds_tx;
		up[i] = i + 1 == n ? 1 : chips_[i + 1]->us_tx;
	}
	for (std::size_t i = 0; i < n; ++i) {
		chips_[i]->us_rx = down[i];
		chips_[i]->ds_rx = up[i];
		chips_[i]->clk = 0;
		chips_[i]->eval();
	}
	for (auto &c : chips_) {
		c->clk = 1;
		c->eval();
	}
	++clocks_;
	// host receiver: sample mid-bit
	const bool line = chips_[0]->us_tx;
	received_ = false;
	if (rx_bit_ < 0) {
		if (!line) {
			rx_bit_ = 0;
			rx_tick_ = div_ / 2;
		}
	} else if (rx_tick_ > 0) {
		--rx_tick_;
	} else {
		rx_tick_ = div_;
		if (rx_bit_ == 0 && line) {
			rx_bit_ = -1;  // glitch
		} else if (rx_bit_ >= 1 && rx_bit_ <= 8) {
			rx_byte_ = std::uint8_t((rx_byte_ >> 1) | (line ? 0x80 : 0));
			++rx_bit_;
		} else if (rx_bit_ == 9) {
			if (line) {
				rx_.push_back(rx_byte_);
				received_ = true;
			}
			rx_bit_ = -1;
		} else {
			++rx_bit_;
		}
	}
	quiet_ = (line && rx_bit_ < 0 && tx_bit_ < 0 && tx_q_.empty()) ? quiet_ + 1 : 0;
	bool all_idle = quiet_ > 0;
	for (std::size_t i = 0; all_idle && i < n; ++i)
		all_idle = chips_[i]->us_tx && chips_[i]->ds_tx;
	chain_quiet_ = all_idle ? chain_quiet_ + 1 : 0;
}

std::uint64_t Chip::run_until_received(std::uint64_t limit)
{
	for (std::uint64_t i = 0; i < limit; ++i) {
		tick();
		if (received_)
			return i + 1;
	}
	return limit;
}

Chip::State Chip::state(std::size_t i) const
{
	const auto *r = chips_.at(i)->rootp;
	return {r->bm13xx_chip__DOT__address, r->bm13xx_chip__DOT__addressed != 0,
	        r->bm13xx_chip__DOT__baud_div, r->bm13xx_chip__DOT__r_ticket};
}

void Chip::run(std::uint64_t clocks)
{
	for (std::uint64_t i = 0; i < clocks; ++i)
		tick();
}

void Chip::run_until_quiet(std::uint64_t idle_clocks, std::uint64_t limit)
{
	for (std::uint64_t i = 0; i < limit && !(quiet_ >= idle_clocks && tx_q_.empty()); ++i)
		tick();
}

} // namespace hbfp
